//! Where image bytes live: IndexedDB, or this tab's memory when the browser
//! refuses storage (private mode, blocked). One type, so the history service
//! never asks which.

use std::cell::RefCell;
use std::rc::Rc;

use web_sys::Blob;

use crate::storage::history::ReferenceRecord;
use crate::storage::idb::ImageDb;
use crate::storage::{HistoryEntry, StorageError};

/// Images kept in memory: (image, thumbnail) by entry id, references by content id.
#[derive(Default)]
pub(super) struct Memory {
    /// Entry id, image, thumbnail (a list: memory mode holds few images, and
    /// a hash map would add its code to the part for this rare case).
    images: Vec<(String, Blob, Blob)>,
    /// Content id, bytes.
    references: Vec<(String, Blob)>,
}

#[derive(Clone)]
pub(super) enum ImageBackend {
    IndexedDb(ImageDb),
    /// Lost when the tab closes.
    Memory(Rc<RefCell<Memory>>),
}

impl ImageBackend {
    /// IndexedDB if the browser allows it, memory otherwise.
    pub(super) async fn open() -> ImageBackend {
        match ImageDb::open().await {
            Ok(db) => ImageBackend::IndexedDb(db),
            Err(_) => ImageBackend::Memory(Default::default()),
        }
    }

    /// Whether images survive a reload.
    pub(super) fn is_persistent(&self) -> bool {
        matches!(self, ImageBackend::IndexedDb(_))
    }

    /// Whether closing the tab would lose images held here.
    pub(super) fn holds_unsaved(&self) -> bool {
        match self {
            ImageBackend::IndexedDb(_) => false,
            ImageBackend::Memory(memory) => !memory.borrow().images.is_empty(),
        }
    }

    /// Every stored record (memory holds none across reloads).
    pub(super) async fn all_meta(&self) -> Result<Vec<HistoryEntry>, StorageError> {
        match self {
            ImageBackend::IndexedDb(db) => db.all_meta().await,
            ImageBackend::Memory(_) => Ok(Vec::new()),
        }
    }

    /// Image, thumbnail, record and references, all or nothing.
    pub(super) async fn put(
        &self,
        entry: &HistoryEntry,
        image: &Blob,
        thumb: &Blob,
        references: &[(ReferenceRecord, Blob)],
    ) -> Result<(), StorageError> {
        match self {
            ImageBackend::IndexedDb(db) => db.put(entry, image, thumb, references).await,
            ImageBackend::Memory(memory) => {
                let mut memory = memory.borrow_mut();
                memory.images.retain(|(id, _, _)| *id != entry.id);
                memory
                    .images
                    .push((entry.id.clone(), image.clone(), thumb.clone()));
                for (record, blob) in references {
                    if !memory.references.iter().any(|(id, _)| *id == record.id) {
                        memory.references.push((record.id.clone(), blob.clone()));
                    }
                }
                Ok(())
            }
        }
    }

    /// Replaces a record (e.g. its favourite flag).
    pub(super) async fn put_meta(&self, entry: &HistoryEntry) -> Result<(), StorageError> {
        match self {
            ImageBackend::IndexedDb(db) => db.put_meta(entry).await,
            ImageBackend::Memory(_) => Ok(()),
        }
    }

    /// The image or its thumbnail.
    pub(super) async fn blob(&self, id: &str, thumbnail: bool) -> Option<Blob> {
        match self {
            ImageBackend::IndexedDb(db) => db.blob(id, thumbnail).await.ok().flatten(),
            ImageBackend::Memory(memory) => memory
                .borrow()
                .images
                .iter()
                .find(|(stored, _, _)| stored == id)
                .map(|(_, image, thumb)| if thumbnail { thumb } else { image }.clone()),
        }
    }

    /// A reference image, by content id.
    pub(super) async fn reference(&self, id: &str) -> Option<Blob> {
        match self {
            ImageBackend::IndexedDb(db) => db.reference(id).await.ok().flatten(),
            ImageBackend::Memory(memory) => memory
                .borrow()
                .references
                .iter()
                .find(|(stored, _)| stored == id)
                .map(|(_, blob)| blob.clone()),
        }
    }

    /// Removes entries for good (and references no remaining entry uses).
    pub(super) async fn delete(&self, entries: &[HistoryEntry]) -> Result<(), StorageError> {
        match self {
            ImageBackend::IndexedDb(db) => db.delete(entries).await,
            ImageBackend::Memory(memory) => {
                let mut memory = memory.borrow_mut();
                memory
                    .images
                    .retain(|(id, _, _)| !entries.iter().any(|e| e.id == *id));
                if memory.images.is_empty() {
                    memory.references.clear();
                }
                Ok(())
            }
        }
    }
}
