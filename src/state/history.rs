//! The history service: images saved after each generation, loaded at start-up
//! (index first for an instant paint, then reconciled with IndexedDB).

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Blob, BroadcastChannel};

use std::collections::HashSet;

use crate::storage::history::{HistoryIndex, INDEX_BACKUP_KEY, INDEX_KEY, ShownEntry, reconcile};
use crate::storage::idb::ImageDb;
use crate::storage::manifest::{export_zip, import_summary, import_zip, split_duplicates};
use crate::storage::thumbnail::make_thumbnail;
use crate::storage::{self, HistoryEntry, StorageError};

/// The BroadcastChannel all tabs of the app share.
const CHANNEL: &str = "kleinbild-history";

/// Prompt characters kept in the localStorage index.
const INDEX_PROMPT_CHARS: usize = 300;

/// How long a deleted image can still be brought back with Undo.
pub const UNDO_SECONDS: u32 = 6;

/// Images kept in memory when IndexedDB is unavailable: (image, thumbnail).
type MemoryImages = std::collections::HashMap<String, (Blob, Blob)>;

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
    asked_persist: StoredValue<bool>,
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
            asked_persist: StoredValue::new(false),
        }
    }

    /// Paints from the localStorage index at once, then reconciles with IndexedDB.
    pub fn load(&self) {
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
        // The index only paints the first screen: long prompts are cut, so
        // localStorage's ~5 MB holds thousands of entries (IndexedDB keeps them whole).
        let entries: Vec<HistoryEntry> = self.entries.with_untracked(|e| {
            e.iter()
                .map(|s| {
                    let mut entry = s.entry.clone();
                    if let Some((cut, _)) = entry.prompt.char_indices().nth(INDEX_PROMPT_CHARS) {
                        entry.prompt.truncate(cut);
                    }
                    entry
                })
                .collect()
        });
        let json = HistoryIndex { entries }.to_json();
        if let Err(e) = storage::write(INDEX_KEY, &json) {
            // The images are safe in IndexedDB; the index is rebuilt at the next start.
            self.notice.set(Some(format!(
                "The history list could not be saved ({e}); your images are safe."
            )));
        }
    }

    /// Saves one image: thumbnail, then image + metadata (IndexedDB, atomic),
    /// then the index. On failure nothing is half-written.
    pub async fn save(&self, entry: HistoryEntry, image: Blob) -> Result<(), StorageError> {
        if let Err(e) = self.store(&entry, &image).await {
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

    /// Thumbnail, then image + thumbnail + metadata in one IndexedDB transaction.
    async fn store(&self, entry: &HistoryEntry, image: &Blob) -> Result<(), StorageError> {
        let thumb = make_thumbnail(image, entry.width, entry.height)
            .await
            .unwrap_or_else(|_| image.clone());
        match self.db.get_value() {
            Some(db) => db.put(entry, image, &thumb).await,
            None => {
                self.memory.update_value(|m| {
                    m.insert(entry.id.clone(), (image.clone(), thumb));
                });
                Ok(())
            }
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
        let id = pending.entry.id;
        self.memory.update_value(|m| {
            m.remove(&id);
        });
        if let Some(db) = self.db.get_value() {
            let store = *self;
            leptos::task::spawn_local(async move {
                if db.delete(&id).await.is_ok() {
                    store.announce();
                }
            });
        }
    }
}

impl HistoryStore {
    /// Every stored image with its bytes, for export.
    async fn all_with_bytes(&self) -> Vec<(HistoryEntry, Vec<u8>)> {
        let entries: Vec<HistoryEntry> = self.entries.with_untracked(|e| {
            e.iter()
                .filter(|s| !s.image_missing)
                .map(|s| s.entry.clone())
                .collect()
        });
        let mut items = Vec::with_capacity(entries.len());
        for entry in entries {
            if let Some(blob) = self.blob(&entry.id, false).await
                && let Ok(bytes) = blob_bytes(&blob).await
            {
                items.push((entry, bytes));
            }
        }
        items
    }

    /// Builds the export zip (images stored as returned, plus history.json).
    pub async fn export(&self) -> Result<(Vec<u8>, usize), String> {
        let items = self.all_with_bytes().await;
        if items.is_empty() {
            return Err("There is nothing to export yet: the history has no stored images.".into());
        }
        let count = items.len();
        export_zip(&items, js_sys::Date::now())
            .map(|export| (export.zip, count - export.left_out))
            .map_err(|e| format!("Export failed: {e}."))
    }

    /// Adds the images of an export zip, skipping ids already present.
    /// Returns the summary shown to the user.
    pub async fn import(&self, zip: &[u8]) -> Result<String, String> {
        let plan = import_zip(zip).map_err(|e| e.to_string())?;
        let skipped_invalid = plan.skipped_invalid;
        let existing: HashSet<String> = self
            .entries
            .with_untracked(|e| e.iter().map(|s| s.entry.id.clone()).collect());
        let (fresh, duplicates) = split_duplicates(plan, &existing);
        let mut imported = Vec::new();
        let mut failure = None;
        for (entry, bytes) in fresh {
            let Some(blob) = crate::state::blob(&bytes, &entry.mime) else {
                continue;
            };
            match self.store(&entry, &blob).await {
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
        let oldest: Vec<String> = self.entries.with_untracked(|e| {
            let mut by_age: Vec<&ShownEntry> = e.iter().collect();
            by_age.sort_by(|a, b| a.entry.created_ms.total_cmp(&b.entry.created_ms));
            by_age
                .iter()
                .take(count)
                .map(|s| s.entry.id.clone())
                .collect()
        });
        if let Some(db) = self.db.get_value() {
            for id in &oldest {
                db.delete(id).await?;
            }
        }
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
        let ids: Vec<String> = self
            .entries
            .with_untracked(|e| e.iter().map(|s| s.entry.id.clone()).collect());
        self.finish_pending_delete();
        if let Some(db) = self.db.get_value() {
            for id in &ids {
                db.delete(id).await?;
            }
        }
        self.memory.update_value(|m| m.clear());
        self.entries.set(Vec::new());
        self.write_index();
        self.announce();
        Ok(())
    }
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
