//! Export and import of the history as one zip file, in the browser: the
//! shared logic of `storage::transfer` over IndexedDB Blobs and the picked file.

use leptos::prelude::*;
use web_sys::Blob;

use super::HistoryStore;
use crate::storage::blob::blob_bytes;
use crate::storage::history::{ReferenceRecord, ShownEntry, sort_newest_first};
use crate::storage::manifest::{import_summary, reference_path, split_duplicates};
use crate::storage::presets::{Preset, load_presets, merge_presets, save_presets};
use crate::storage::transfer::{
    Archive, ExportError, ExportSource, ImportError, ZipPart, check_import, plan_export,
};
use crate::storage::{HistoryEntry, StorageError};

/// Why an export or import did not complete; the text (its `Display`) is
/// what the user reads.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TransferError {
    Export(#[from] ExportError),
    Assemble,
    Import(#[from] ImportError),
    Full {
        imported: usize,
    },
    Storage {
        imported: usize,
        error: StorageError,
    },
    Unavailable(#[from] crate::lazy::PartUnavailable),
}

impl std::fmt::Display for TransferError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let t = crate::i18n::later();
        match self {
            TransferError::Export(e) => write!(f, "{e}"),
            TransferError::Assemble => f.write_str(t.gallery_export_assemble_failed),
            TransferError::Import(e) => write!(f, "{e}"),
            TransferError::Full { imported } => f.write_str(&t.gallery_import_full(imported)),
            TransferError::Storage { imported, error } => {
                f.write_str(&t.gallery_import_storage_failed(imported, error))
            }
            TransferError::Unavailable(e) => f.write_str(&t.gallery_nothing_changed(e)),
        }
    }
}

/// A finished export: the zip and what it holds.
pub struct Exported {
    pub zip: Blob,
    pub count: usize,
    /// Stored images that could not be read, left out.
    pub skipped: usize,
}

impl ExportSource for HistoryStore {
    type File = Blob;

    async fn image(&self, id: &str) -> Option<Blob> {
        self.blob(id, false).await
    }

    async fn reference(&self, id: &str) -> Option<Blob> {
        HistoryStore::reference(self, id).await
    }

    async fn bytes(&self, file: &Blob) -> Option<Vec<u8>> {
        blob_bytes(file).await.ok()
    }
}

crate::lazy_part! {
    /// Export: zip writing, the manifest. In the `later` part with the
    /// gallery that offers it (a part of its own cost 6 KB more in shared chunks).
    part later;
    async fn export_history(
        store: HistoryStore,
        progress: Box<dyn Fn(String)>,
    ) -> Result<Exported, TransferError> {
        store.export_now(&*progress).await
    }
}

crate::lazy_part! {
    /// See [`HistoryStore::import`].
    part later;
    async fn import_history(
        store: HistoryStore,
        file: Blob,
        progress: Box<dyn Fn(String)>,
    ) -> Result<String, TransferError> {
        store.import_now(&file, &*progress).await
    }
}

impl HistoryStore {
    /// Builds the export zip as a Blob made of parts (the stored Blobs are
    /// only referenced, never copied).
    pub async fn export(
        &self,
        progress: impl Fn(String) + 'static,
    ) -> Result<Exported, TransferError> {
        export_history(*self, Box::new(progress))
            .await
            .unwrap_or_else(|e| Err(e.into()))
    }

    /// Adds the images of an export zip (see `import_now`). Returns the
    /// summary shown to the user.
    pub async fn import(
        &self,
        file: Blob,
        progress: impl Fn(String) + 'static,
    ) -> Result<String, TransferError> {
        import_history(*self, file, Box::new(progress))
            .await
            .unwrap_or_else(|e| Err(e.into()))
    }

    async fn export_now(&self, progress: &dyn Fn(String)) -> Result<Exported, TransferError> {
        let t = crate::i18n::later();
        let entries: Vec<HistoryEntry> = self.entries.with_untracked(|e| {
            e.iter()
                .filter(|s| !s.image_missing)
                .map(|s| s.entry.clone())
                .collect()
        });
        let report = |done: usize, total: usize| progress(t.gallery_export_progress(&done, &total));
        let presets = load_presets();
        let plan = plan_export(entries, &presets, self, js_sys::Date::now(), &report).await?;
        let sequence = js_sys::Array::new();
        for part in plan.parts {
            match part {
                ZipPart::Bytes(bytes) => sequence.push(&js_sys::Uint8Array::from(bytes.as_slice())),
                ZipPart::File(blob) => sequence.push(&blob),
            };
        }
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("application/zip");
        let zip = Blob::new_with_blob_sequence_and_options(&sequence, &options)
            .map_err(|_| TransferError::Assemble)?;
        Ok(Exported {
            zip,
            count: plan.count,
            skipped: plan.skipped,
        })
    }

    /// Adds the images of an export zip, skipping ids already present. Every
    /// file is checked before anything is stored; then each image is stored as
    /// a slice of the picked file.
    async fn import_now(
        &self,
        file: &Blob,
        progress: &dyn Fn(String),
    ) -> Result<String, TransferError> {
        let t = crate::i18n::later();
        let archive = Archive::open(file).await?;
        let report = |done: usize, total: usize| progress(t.gallery_import_checking(&done, &total));
        let checked = check_import(&archive, &report).await?;
        let slice = |path: &str, mime: &str| {
            let (start, size) = checked.span(path)?;
            file.slice_with_f64_and_f64_and_content_type(start as f64, (start + size) as f64, mime)
                .ok()
        };
        let existing: crate::order::TextSet = self
            .entries
            .with_untracked(|e| e.iter().map(|s| s.entry.id.clone()).collect());
        let (fresh, duplicates) =
            split_duplicates(checked.entries.clone(), &existing, |p| &p.entry);
        let mut imported = Vec::new();
        let mut failure = None;
        let total = fresh.len();
        for (done, planned) in fresh.into_iter().enumerate() {
            if done % 25 == 0 {
                progress(t.gallery_import_progress(&done, &total));
            }
            let entry = planned.entry;
            let Some(image) = slice(&planned.file, &entry.mime) else {
                continue;
            };
            let references: Vec<(ReferenceRecord, Blob)> = entry
                .references
                .iter()
                .filter_map(|r| Some((r.clone(), slice(&reference_path(r)?, &r.mime)?)))
                .collect();
            match self.store(&entry, &image, &references).await {
                Ok(()) => imported.push(ShownEntry {
                    entry,
                    image_missing: false,
                }),
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        // One list update for the whole import: one re-render, not one per image.
        let count = imported.len();
        self.entries.update(|entries| {
            entries.extend(imported);
            sort_newest_first(entries, |s| &s.entry);
        });
        self.write_index();
        self.announce();
        match failure {
            None => Ok(with_presets(
                import_summary(count, duplicates, checked.skipped_invalid),
                checked.presets,
            )),
            Some(StorageError::Quota) => Err(TransferError::Full { imported: count }),
            Some(error) => Err(TransferError::Storage {
                imported: count,
                error,
            }),
        }
    }
}

/// Adds the presets an import carried (those whose names are new) and says so
/// after `summary`.
fn with_presets(summary: String, incoming: Vec<Preset>) -> String {
    if incoming.is_empty() {
        return summary;
    }
    let mut presets = load_presets();
    let added = merge_presets(&mut presets, incoming);
    if added == 0 {
        return summary;
    }
    let kept = save_presets(&presets).is_ok();
    let t = crate::i18n::later();
    let what = if added == 1 {
        t.gallery_presets_one.to_owned()
    } else {
        t.gallery_presets_other(&added)
    };
    if kept {
        t.gallery_presets_added(&summary, &what)
    } else {
        t.gallery_presets_not_kept(&summary, &what)
    }
}
