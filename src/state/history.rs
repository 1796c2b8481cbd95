//! The history service: images saved after each generation, loaded at start-up
//! (index first for an instant paint, then reconciled with IndexedDB).

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Blob, BroadcastChannel};

use std::collections::{HashMap, HashSet};

use crate::storage::history::{
    HistoryIndex, INDEX_BACKUP_KEY, INDEX_KEY, ReferenceRecord, ShownEntry, index_entry, reconcile,
};
use crate::storage::idb::ImageDb;
use crate::storage::manifest::{
    ImportError, MANIFEST_NAME, ManifestError, Part, check_planned, check_reference, export_image,
    export_layout, export_reference, import_summary, plan_manifest, reference_path,
    split_duplicates,
};
use crate::storage::thumbnail::make_thumbnail;
use crate::storage::zip::{self, DirEntry};
use crate::storage::{self, HistoryEntry, StorageError};

/// The BroadcastChannel all tabs of the app share.
const CHANNEL: &str = "kleinbild-history";

/// How long a deleted image can still be brought back with Undo.
pub const UNDO_SECONDS: u32 = 6;

/// Images kept in memory when IndexedDB is unavailable: (image, thumbnail).
type MemoryImages = HashMap<String, (Blob, Blob)>;

#[derive(Clone, Copy)]
pub struct HistoryStore {
    /// Newest first.
    pub entries: RwSignal<Vec<ShownEntry>>,
    /// A lasting warning about storage (memory-only, backup made, quota).
    pub notice: RwSignal<Option<String>>,
    /// The id of the entry deleted last, while Undo is possible.
    pub undo: RwSignal<Option<ShownEntry>>,
    /// Set when a save hit the storage quota: the gallery offers export and cleanup.
    pub quota_full: RwSignal<bool>,
    /// True once IndexedDB is open (or known to be unavailable): images can be read.
    pub ready: RwSignal<bool>,
    db: StoredValue<Option<ImageDb>, LocalStorage>,
    /// Tells the app's other tabs that the history changed.
    channel: StoredValue<Option<BroadcastChannel>, LocalStorage>,
    memory: StoredValue<MemoryImages, LocalStorage>,
    /// Reference images kept in memory when IndexedDB is unavailable.
    memory_refs: StoredValue<HashMap<String, Blob>, LocalStorage>,
    asked_persist: StoredValue<bool>,
    /// Saves under way: leaving the page now would lose their images.
    saving: StoredValue<u32>,
}

impl HistoryStore {
    pub fn new() -> Self {
        HistoryStore {
            entries: RwSignal::new(Vec::new()),
            notice: RwSignal::new(None),
            undo: RwSignal::new(None),
            ready: RwSignal::new(false),
            quota_full: RwSignal::new(false),
            db: StoredValue::new_local(None),
            channel: StoredValue::new_local(None),
            memory: StoredValue::new_local(MemoryImages::new()),
            memory_refs: StoredValue::new_local(HashMap::new()),
            asked_persist: StoredValue::new(false),
            saving: StoredValue::new(0),
        }
    }

    /// Whether leaving the page now would lose an image: a save is under way, or
    /// images live only in this tab's memory (no IndexedDB).
    fn has_unsaved_images(&self) -> bool {
        self.saving.get_value() > 0 || self.memory.with_value(|m| !m.is_empty())
    }

    /// Asks the browser to confirm leaving while [`Self::has_unsaved_images`].
    fn guard_unload(&self) {
        let store = *self;
        let on_before_unload =
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                if store.has_unsaved_images() {
                    event.prevent_default();
                    // Older Safari and Chromium show the prompt only when returnValue is set.
                    let _ = js_sys::Reflect::set(&event, &"returnValue".into(), &"unsaved".into());
                }
            });
        if let Some(window) = web_sys::window() {
            let _ = window.add_event_listener_with_callback(
                "beforeunload",
                on_before_unload.as_ref().unchecked_ref(),
            );
        }
        on_before_unload.forget();
    }

    /// Paints from the localStorage index at once, then reconciles with IndexedDB.
    pub fn load(&self) {
        self.guard_unload();
        let from_index = self.read_index();
        self.entries.set(from_index.clone());
        let store = *self;
        leptos::task::spawn_local(async move {
            match ImageDb::open().await {
                Ok(db) => {
                    let stored = db.all_meta().await.unwrap_or_default();
                    store.db.set_value(Some(db));
                    store.listen_to_other_tabs();
                    let index: Vec<HistoryEntry> =
                        from_index.into_iter().map(|s| s.entry).collect();
                    let reconciled = reconcile(&index, &stored);
                    store.entries.set(reconciled.entries);
                    if reconciled.index_stale {
                        store.write_index();
                    }
                }
                Err(_) => {
                    // No images can be read: what the index lists is missing.
                    store
                        .entries
                        .update(|entries| entries.iter_mut().for_each(|s| s.image_missing = true));
                    store.notice.set(Some(
                    "This browser does not let Kleinbild store images (private mode or storage blocked): \
                     new images are kept only until you close this tab. Download the ones you want to keep."
                        .into(),
                    ));
                }
            }
            store.ready.set(true);
        });
    }

    /// Other tabs announce every change; this tab then re-reads IndexedDB.
    fn listen_to_other_tabs(&self) {
        let Ok(channel) = BroadcastChannel::new(CHANNEL) else {
            return;
        };
        let store = *self;
        let on_message = Closure::<dyn FnMut()>::new(move || {
            leptos::task::spawn_local(async move { store.refresh().await });
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        self.channel.set_value(Some(channel));
    }

    fn announce(&self) {
        if let Some(channel) = self.channel.get_value() {
            let _ = channel.post_message(&"changed".into());
        }
    }

    /// Rebuilds the list from IndexedDB (the truth), keeping an entry this tab
    /// is about to delete hidden until its Undo delay is over.
    async fn refresh(&self) {
        let Some(db) = self.db.get_value() else {
            return;
        };
        let Ok(stored) = db.all_meta().await else {
            return;
        };
        let hidden = self
            .undo
            .with_untracked(|u| u.as_ref().map(|u| u.entry.id.clone()));
        let mut entries = reconcile(&[], &stored).entries;
        entries.retain(|s| Some(&s.entry.id) != hidden.as_ref());
        self.entries.set(entries);
        self.write_index();
    }

    fn read_index(&self) -> Vec<ShownEntry> {
        let Some(raw) = storage::read(INDEX_KEY) else {
            return Vec::new();
        };
        match HistoryIndex::from_json(&raw) {
            Ok(loaded) => {
                if let Some(notice) = loaded.notice() {
                    self.notice.set(Some(notice));
                }
                if loaded.migrated_from.is_some() {
                    // Store the migrated form once, so the migration never runs again.
                    let _ = storage::write(INDEX_KEY, &loaded.index.to_json());
                }
                loaded
                    .index
                    .entries
                    .into_iter()
                    .map(|entry| ShownEntry {
                        entry,
                        image_missing: false,
                    })
                    .collect()
            }
            Err(problem) => {
                let _ = storage::write(INDEX_BACKUP_KEY, &raw);
                storage::remove(INDEX_KEY);
                self.notice.set(Some(problem.notice()));
                Vec::new()
            }
        }
    }

    fn write_index(&self) {
        // Memory-only images are gone after a reload: listing them would promise
        // what cannot be kept.
        if self.db.with_value(Option::is_none) {
            return;
        }
        let entries: Vec<HistoryEntry> = self
            .entries
            .with_untracked(|e| e.iter().map(|s| index_entry(&s.entry)).collect());
        let json = HistoryIndex { entries }.to_json();
        if let Err(e) = storage::write(INDEX_KEY, &json) {
            // The images are safe in IndexedDB; the index is rebuilt at the next start.
            self.notice.set(Some(format!(
                "The history list could not be saved ({e}); your images are safe."
            )));
        }
    }

    /// Saves one image: thumbnail, then image + metadata + reference images
    /// (IndexedDB, atomic), then the index. On failure nothing is half-written.
    pub async fn save(
        &self,
        entry: HistoryEntry,
        image: Blob,
        references: &[(ReferenceRecord, Blob)],
    ) -> Result<(), StorageError> {
        self.saving.update_value(|n| *n += 1);
        let stored = self.store(&entry, &image, references).await;
        self.saving.update_value(|n| *n -= 1);
        if let Err(e) = stored {
            self.quota_full.set(e == StorageError::Quota);
            return Err(e);
        }
        self.entries.update(|entries| {
            entries.insert(
                0,
                ShownEntry {
                    entry,
                    image_missing: false,
                },
            )
        });
        self.write_index();
        self.announce();
        self.ask_persistence();
        Ok(())
    }

    /// Thumbnail, then image + thumbnail + metadata + references in one
    /// IndexedDB transaction.
    async fn store(
        &self,
        entry: &HistoryEntry,
        image: &Blob,
        references: &[(ReferenceRecord, Blob)],
    ) -> Result<(), StorageError> {
        let thumb = make_thumbnail(image, entry.width, entry.height)
            .await
            .unwrap_or_else(|_| image.clone());
        match self.db.get_value() {
            Some(db) => db.put(entry, image, &thumb, references).await,
            None => {
                self.memory.update_value(|m| {
                    m.insert(entry.id.clone(), (image.clone(), thumb));
                });
                self.memory_refs.update_value(|m| {
                    for (record, blob) in references {
                        m.insert(record.id.clone(), blob.clone());
                    }
                });
                Ok(())
            }
        }
    }

    /// A stored reference image, by content id.
    pub async fn reference(&self, id: &str) -> Option<Blob> {
        match self.db.get_value() {
            Some(db) => db.reference(id).await.ok().flatten(),
            None => self.memory_refs.with_value(|m| m.get(id).cloned()),
        }
    }

    /// Asks the browser once not to evict our storage under pressure.
    fn ask_persistence(&self) {
        if self.asked_persist.get_value() {
            return;
        }
        self.asked_persist.set_value(true);
        if let Ok(promise) = web_sys::window()
            .map(|w| w.navigator().storage())
            .ok_or(())
            .and_then(|s| s.persist().map_err(|_| ()))
        {
            leptos::task::spawn_local(async move {
                let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
            });
        }
    }

    /// The stored image (or its thumbnail).
    pub async fn blob(&self, id: &str, thumbnail: bool) -> Option<Blob> {
        match self.db.get_value() {
            Some(db) => db.blob(id, thumbnail).await.ok().flatten(),
            None => self.memory.with_value(|m| {
                m.get(id).map(|(image, thumb)| {
                    if thumbnail {
                        thumb.clone()
                    } else {
                        image.clone()
                    }
                })
            }),
        }
    }

    pub fn toggle_favorite(&self, id: &str) {
        let mut changed = None;
        self.entries.update(|entries| {
            if let Some(shown) = entries.iter_mut().find(|s| s.entry.id == id) {
                shown.entry.favorite = !shown.entry.favorite;
                changed = Some(shown.entry.clone());
            }
        });
        self.write_index();
        if let (Some(entry), Some(db)) = (changed, self.db.get_value()) {
            let store = *self;
            leptos::task::spawn_local(async move {
                if db.put_meta(&entry).await.is_ok() {
                    store.announce();
                }
            });
        }
    }

    /// Hides the entry at once and deletes it for good after the Undo delay.
    pub fn delete(&self, id: &str) {
        self.finish_pending_delete();
        let mut removed = None;
        self.entries.update(|entries| {
            if let Some(at) = entries.iter().position(|s| s.entry.id == id) {
                removed = Some(entries.remove(at));
            }
        });
        let Some(removed) = removed else { return };
        self.write_index();
        self.undo.set(Some(removed.clone()));
        let store = *self;
        let id = removed.entry.id.clone();
        leptos::task::spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(UNDO_SECONDS * 1000).await;
            if store
                .undo
                .with_untracked(|u| u.as_ref().is_some_and(|u| u.entry.id == id))
            {
                store.finish_pending_delete();
            }
        });
    }

    /// Brings the last deleted entry back.
    pub fn undo_delete(&self) {
        if let Some(restored) = self.undo.get_untracked() {
            self.undo.set(None);
            self.entries.update(|entries| {
                entries.push(restored);
                entries.sort_by(|a, b| b.entry.created_ms.total_cmp(&a.entry.created_ms));
            });
            self.write_index();
        }
    }

    fn finish_pending_delete(&self) {
        let Some(pending) = self.undo.get_untracked() else {
            return;
        };
        self.undo.set(None);
        self.memory.update_value(|m| {
            m.remove(&pending.entry.id);
        });
        if let Some(db) = self.db.get_value() {
            let store = *self;
            leptos::task::spawn_local(async move {
                if db.delete(&[pending.entry]).await.is_ok() {
                    store.announce();
                }
            });
        }
    }
}

impl HistoryStore {
    /// Builds the export zip as a Blob made of parts: each image is read into
    /// memory once to be checked and summed, then only referenced, so memory
    /// stays flat however large the history. Returns the zip, its image count,
    /// and how many stored images could not be exported (unreadable or damaged).
    pub async fn export(&self, progress: impl Fn(String)) -> Result<(Blob, usize, usize), String> {
        let entries: Vec<HistoryEntry> = self.entries.with_untracked(|e| {
            e.iter()
                .filter(|s| !s.image_missing)
                .map(|s| s.entry.clone())
                .collect()
        });
        let mut kept = Vec::with_capacity(entries.len());
        let mut files = Vec::with_capacity(entries.len());
        let mut blobs = Vec::with_capacity(entries.len());
        let total = entries.len();
        for (done, entry) in entries.into_iter().enumerate() {
            if done % 25 == 0 {
                progress(format!(
                    "Preparing the export\u{2026} {done} of {total} images"
                ));
            }
            if let Some(blob) = self.blob(&entry.id, false).await
                && let Ok(bytes) = blob_bytes(&blob).await
                && let Some((entry, file)) = export_image(&entry, &bytes)
            {
                kept.push(entry);
                files.push(file);
                blobs.push(blob);
            }
        }
        if kept.is_empty() {
            return Err("There is nothing to export yet: the history has no stored images.".into());
        }
        let mut seen = HashSet::new();
        let references: Vec<ReferenceRecord> = kept
            .iter()
            .flat_map(|e| e.references.iter())
            .filter(|r| seen.insert(r.id.clone()))
            .cloned()
            .collect();
        for reference in references {
            if let Some(blob) = self.reference(&reference.id).await
                && let Ok(bytes) = blob_bytes(&blob).await
                && let Some(file) = export_reference(&reference, &bytes)
            {
                files.push(file);
                blobs.push(blob);
            }
        }
        let count = kept.len();
        let skipped = total - count;
        let parts = export_layout(kept, &files, js_sys::Date::now())
            .map_err(|e| format!("Export failed: {e}."))?;
        let sequence = js_sys::Array::new();
        for part in parts {
            match part {
                Part::Bytes(bytes) => sequence.push(&js_sys::Uint8Array::from(bytes.as_slice())),
                Part::File(i) => sequence.push(&blobs[i]),
            };
        }
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("application/zip");
        Blob::new_with_blob_sequence_and_options(&sequence, &options)
            .map(|zip| (zip, count, skipped))
            .map_err(|_| "Export failed: the browser could not assemble the zip file.".into())
    }

    /// Adds the images of an export zip, skipping ids already present.
    /// The file is read piece by piece: every image is checked (one at a time)
    /// before anything is stored, then stored as a slice of the file.
    /// Returns the summary shown to the user.
    pub async fn import(&self, file: &Blob, progress: impl Fn(String)) -> Result<String, String> {
        let zip = ZipFile::open(file).await.map_err(|e| e.to_string())?;
        let manifest = zip
            .find(MANIFEST_NAME)
            .ok_or(ImportError::NoManifest)
            .map_err(|e| e.to_string())?;
        let (_, manifest) = zip.read(manifest).await.map_err(|e| e.to_string())?;
        let manifest = std::str::from_utf8(&manifest)
            .map_err(|_| ImportError::from(ManifestError::NotJson { line: 1, column: 1 }))
            .and_then(|json| Ok(plan_manifest(json, |name| zip.find(name).map(|f| f.size))?))
            .map_err(|e| e.to_string())?;
        // Check every file before storing anything: a hostile file is refused whole.
        let mut starts = HashMap::new();
        let total = manifest.entries.len();
        for (done, planned) in manifest.entries.iter().enumerate() {
            if done % 25 == 0 {
                progress(format!(
                    "Checking the file\u{2026} {done} of {total} images"
                ));
            }
            let found = zip.find(&planned.file).ok_or(ImportError::NoManifest);
            let (start, data) = zip
                .read(found.map_err(|e| e.to_string())?)
                .await
                .map_err(|e| e.to_string())?;
            check_planned(planned, &data).map_err(|e| ImportError::from(e).to_string())?;
            starts.insert(planned.file.clone(), start);
        }
        for reference in manifest.references() {
            let path = reference_path(&reference).unwrap_or_default();
            let found = zip.find(&path).ok_or(ImportError::NoManifest);
            let (start, data) = zip
                .read(found.map_err(|e| e.to_string())?)
                .await
                .map_err(|e| e.to_string())?;
            check_reference(&reference, &data)
                .map_err(|e| ImportError::from(ManifestError::Reference(e)).to_string())?;
            starts.insert(path, start);
        }
        let slice = |path: &str, mime: &str| {
            let start = starts.get(path).copied().unwrap_or(0) as f64;
            let size = zip.find(path).map_or(0, |f| f.size) as f64;
            file.slice_with_f64_and_f64_and_content_type(start, start + size, mime)
                .ok()
        };
        let existing: HashSet<String> = self
            .entries
            .with_untracked(|e| e.iter().map(|s| s.entry.id.clone()).collect());
        let skipped_invalid = manifest.skipped_invalid;
        let (fresh, duplicates) = split_duplicates(manifest.entries, &existing, |p| &p.entry);
        let mut imported = Vec::new();
        let mut failure = None;
        let total = fresh.len();
        for (done, planned) in fresh.into_iter().enumerate() {
            if done % 25 == 0 {
                progress(format!("Importing\u{2026} {done} of {total} images"));
            }
            let entry = planned.entry;
            let Some(image) = slice(&planned.file, &entry.mime) else {
                continue;
            };
            let references: Vec<(ReferenceRecord, Blob)> = entry
                .references
                .iter()
                .filter_map(|r| {
                    let blob = slice(&reference_path(r)?, &r.mime)?;
                    Some((r.clone(), blob))
                })
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
        self.entries.update(|entries| entries.extend(imported));
        self.finish_import();
        match failure {
            None => Ok(import_summary(count, duplicates, skipped_invalid)),
            Some(StorageError::Quota) => Err(format!(
                "Import stopped: the browser's storage for this site is full after {count} images. \
                 Delete old images, then import again (images already imported are skipped)."
            )),
            Some(e) => Err(format!("Import failed after {count} images: {e}.")),
        }
    }

    fn finish_import(&self) {
        self.entries.update(|entries| {
            entries.sort_by(|a, b| b.entry.created_ms.total_cmp(&a.entry.created_ms))
        });
        self.write_index();
        self.announce();
    }

    /// Deletes the `count` oldest images for good (the user asked, after a full
    /// storage; never done silently).
    pub async fn delete_oldest(&self, count: usize) -> Result<usize, StorageError> {
        let oldest_entries: Vec<HistoryEntry> = self.entries.with_untracked(|e| {
            let mut by_age: Vec<&ShownEntry> = e.iter().collect();
            by_age.sort_by(|a, b| a.entry.created_ms.total_cmp(&b.entry.created_ms));
            by_age.iter().take(count).map(|s| s.entry.clone()).collect()
        });
        if let Some(db) = self.db.get_value() {
            db.delete(&oldest_entries).await?;
        }
        let oldest: Vec<String> = oldest_entries.into_iter().map(|e| e.id).collect();
        self.memory
            .update_value(|m| m.retain(|id, _| !oldest.contains(id)));
        self.entries
            .update(|e| e.retain(|s| !oldest.contains(&s.entry.id)));
        self.write_index();
        self.announce();
        self.quota_full.set(false);
        Ok(oldest.len())
    }

    /// Removes every image, for good.
    pub async fn clear(&self) -> Result<(), StorageError> {
        let all: Vec<HistoryEntry> = self
            .entries
            .with_untracked(|e| e.iter().map(|s| s.entry.clone()).collect());
        self.finish_pending_delete();
        if let Some(db) = self.db.get_value() {
            db.delete(&all).await?;
        }
        self.memory.update_value(|m| m.clear());
        self.memory_refs.update_value(|m| m.clear());
        self.entries.set(Vec::new());
        self.write_index();
        self.announce();
        Ok(())
    }
}

/// An export zip read through its central directory, a piece at a time.
struct ZipFile<'a> {
    file: &'a Blob,
    total: u64,
    files: HashMap<String, DirEntry>,
}

impl<'a> ZipFile<'a> {
    async fn open(file: &'a Blob) -> Result<ZipFile<'a>, ImportError> {
        let total = file.size() as u64;
        let tail_start = total.saturating_sub(zip::TAIL_LEN);
        let tail = read_range(file, tail_start, total - tail_start).await?;
        let end = zip::read_end(&tail, total)?;
        let directory = read_range(file, end.directory_offset, end.directory_size).await?;
        let files = zip::read_directory(&directory, &end, total)?
            .into_iter()
            .map(|f| (f.name.clone(), f))
            .collect();
        Ok(ZipFile { file, total, files })
    }

    fn find(&self, name: &str) -> Option<&DirEntry> {
        self.files.get(name)
    }

    /// A file's data, checksum verified, and where it starts.
    async fn read(&self, entry: &DirEntry) -> Result<(u64, Vec<u8>), ImportError> {
        let header = read_range(self.file, entry.local_offset, entry.header_len()).await?;
        let start = entry.data_start(&header, self.total)?;
        let data = read_range(self.file, start, entry.size).await?;
        entry.verify(&data)?;
        Ok((start, data))
    }
}

async fn read_range(file: &Blob, start: u64, len: u64) -> Result<Vec<u8>, ImportError> {
    let piece = file
        .slice_with_f64_and_f64(start as f64, (start + len) as f64)
        .map_err(|_| ImportError::Unreadable)?;
    blob_bytes(&piece)
        .await
        .map_err(|_| ImportError::Unreadable)
}

/// The bytes of a Blob, copied into wasm memory.
pub async fn blob_bytes(blob: &Blob) -> Result<Vec<u8>, wasm_bindgen::JsValue> {
    let buffer = wasm_bindgen_futures::JsFuture::from(blob.array_buffer()).await?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

impl Default for HistoryStore {
    fn default() -> Self {
        Self::new()
    }
}
