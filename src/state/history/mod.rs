//! The history service: images saved after each generation, loaded at start-up
//! (index first for an instant paint, then reconciled with IndexedDB), kept in
//! step across tabs. Export and import are in `transfer`.

mod images;
mod transfer;

pub use transfer::{Exported, TransferError};

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Blob, BroadcastChannel};

use self::images::ImageBackend;
use crate::api::client::held;
use crate::generation::ImageData;
use crate::storage::blob::{blob_from_base64, blob_from_image};
use crate::storage::history::{
    FIRST_PAGE_KEY, GALLERY_PAGE, HistoryIndex, INDEX_BACKUP_KEY, INDEX_COUNT_KEY, INDEX_KEY,
    ReferenceRecord, ShownEntry, index_entry, reconcile, sort_newest_first,
};
use crate::storage::thumbnail::make_thumbnail;
use crate::storage::{self, HistoryEntry, StorageError, local};

/// The BroadcastChannel all tabs of the app share.
const CHANNEL: &str = "kleinbild-history";

/// How long a deleted image can still be brought back with Undo.
pub const UNDO_SECONDS: u32 = 6;

crate::lazy_part! {
    /// Opens the history: the entry into the `later` part (IndexedDB,
    /// thumbnails, the index reader, reconciliation, tab sync).
    part later, prefetch prefetch_history;
    pub(crate) fn open_history(store: HistoryStore) -> () {
        store.open()
    }
}

crate::lazy_part! {
    /// Keeps one new image (see [`HistoryStore::save`]).
    part later;
    async fn save_image(
        store: HistoryStore,
        entry: HistoryEntry,
        image: ImageData,
        references: Vec<(ReferenceRecord, Blob)>,
    ) -> Result<(), StorageError> {
        store.save_now(entry, image, &references).await
    }
}

/// Keeps the "leaving would lose an image" guard up until dropped.
pub struct UnloadGuard(StoredValue<u32>);

impl Drop for UnloadGuard {
    fn drop(&mut self) {
        self.0.update_value(|n| *n = n.saturating_sub(1));
    }
}

#[derive(Clone, Copy)]
pub struct HistoryStore {
    /// Newest first.
    entries: RwSignal<Vec<ShownEntry>>,
    /// A lasting warning about storage (memory-only, backup made, quota).
    notice: RwSignal<Option<String>>,
    /// The entry deleted last, while Undo is possible.
    undo: RwSignal<Option<ShownEntry>>,
    /// Set when a save hit the storage quota: the gallery offers export and cleanup.
    quota_full: RwSignal<bool>,
    /// True once the image store is open: images can be read.
    ready: RwSignal<bool>,
    /// Where images live; `None` until it is open.
    backend: StoredValue<Option<ImageBackend>, LocalStorage>,
    /// Tells the app's other tabs that the history changed.
    channel: StoredValue<Option<BroadcastChannel>, LocalStorage>,
    asked_persist: StoredValue<bool>,
    /// Saves under way: leaving the page now would lose their images.
    saving: StoredValue<u32>,
}

impl Default for HistoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl HistoryStore {
    pub fn new() -> Self {
        HistoryStore {
            entries: RwSignal::new(Vec::new()),
            notice: RwSignal::new(None),
            undo: RwSignal::new(None),
            quota_full: RwSignal::new(false),
            ready: RwSignal::new(false),
            backend: StoredValue::new_local(None),
            channel: StoredValue::new_local(None),
            asked_persist: StoredValue::new(false),
            saving: StoredValue::new(0),
        }
    }

    pub fn expect() -> Self {
        super::Services::expect().history
    }

    /// How many images the history held when this page last wrote its
    /// index: read at start-up, before the history itself has loaded.
    pub fn stored_count(&self) -> usize {
        crate::storage::history::stored_count()
    }

    /// Every entry, newest first (tracked).
    pub fn entries(&self) -> Signal<Vec<ShownEntry>> {
        self.entries.into()
    }

    pub fn count(&self) -> usize {
        self.entries.with(Vec::len)
    }

    /// The entry with this id, if History holds it.
    pub fn entry(&self, id: &str) -> Option<HistoryEntry> {
        self.entries.with_untracked(|entries| {
            entries
                .iter()
                .find(|s| s.entry.id == id)
                .map(|s| s.entry.clone())
        })
    }

    /// The entry with this id once the saves under way have ended (`None` if
    /// it was never kept): a fresh result's Download waits for it, so the
    /// file carries its settings even when clicked before the save is done.
    /// A save that takes longer than a few seconds is not waited for.
    pub async fn saved_entry(&self, id: &str) -> Option<HistoryEntry> {
        let give_up = js_sys::Date::now() + 5_000.0;
        loop {
            let entry = self.entry(id);
            if entry.is_some() || self.saving.get_value() == 0 || js_sys::Date::now() > give_up {
                return entry;
            }
            gloo_timers::future::TimeoutFuture::new(20).await;
        }
    }

    /// The stored image as a download: PNG and JPEG carry the settings that
    /// made it (History keeps the bytes as they came).
    pub async fn blob_for_download(&self, entry: &HistoryEntry) -> Option<Blob> {
        let blob = self.blob(&entry.id, false).await?;
        let bytes = crate::storage::blob::blob_bytes(&blob).await.ok()?;
        Some(
            crate::storage::image_meta::with_settings(&bytes, entry)
                .and_then(|tagged| crate::storage::blob::blob_from_bytes(&tagged, &entry.mime))
                .unwrap_or(blob),
        )
    }

    /// What OpenRouter billed for the images made since `since_ms` (tracked):
    /// every tab reads the same History, so they all agree.
    pub fn billed_since(&self, since_ms: f64) -> f64 {
        self.entries.with(|entries| {
            entries
                .iter()
                .filter(|s| s.entry.created_ms >= since_ms)
                .filter_map(|s| s.entry.cost_usd)
                .sum()
        })
    }

    /// The last `limit` distinct prompts, newest first (tracked).
    pub fn recent_prompts(&self, limit: usize) -> Vec<String> {
        self.entries.with(|entries| {
            let mut prompts: Vec<String> = Vec::new();
            for shown in entries {
                if prompts.len() == limit {
                    break;
                }
                if !prompts.contains(&shown.entry.prompt) {
                    prompts.push(shown.entry.prompt.clone());
                }
            }
            prompts
        })
    }

    /// A lasting warning about storage, if there is one (tracked).
    pub fn notice(&self) -> Option<String> {
        self.notice.get()
    }

    /// The entry that Undo would bring back (tracked).
    pub fn pending_delete(&self) -> Option<ShownEntry> {
        self.undo.get()
    }

    /// Whether the last save hit the storage quota (tracked).
    pub fn is_full(&self) -> bool {
        self.quota_full.get()
    }

    /// True once images can be read (tracked).
    pub fn is_ready(&self) -> bool {
        self.ready.get()
    }

    /// Whether leaving the page now would lose an image: a save is under way, or
    /// images live only in this tab's memory.
    fn has_unsaved_images(&self) -> bool {
        self.saving.get_value() > 0
            || self
                .backend
                .with_value(|b| b.as_ref().is_some_and(ImageBackend::holds_unsaved))
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

    /// Loads the history (in its own part): the index for a quick paint, then
    /// IndexedDB, reconciled.
    pub fn load(&self) {
        self.guard_unload();
        let store = *self;
        crate::perf::after_first_paint(move || leptos::task::spawn_local(store.open_in_part()));
    }

    async fn open_in_part(self) {
        if open_history(self).await.is_err() {
            self.notice
                .set(Some(crate::i18n::core().gallery_load_failed.into()));
        }
    }

    /// Paints from the localStorage index at once, then reconciles with IndexedDB.
    fn open(&self) {
        let from_index = self.read_index();
        self.entries.set(from_index.clone());
        let store = *self;
        leptos::task::spawn_local(async move {
            let backend = ImageBackend::open().await;
            if backend.is_persistent() {
                // Thumbnails can be read as soon as the database is open; reading
                // every record to reconcile with the index comes after.
                store.backend.set_value(Some(backend.clone()));
                store.ready.set(true);
                let stored = backend.all_meta().await.unwrap_or_default();
                let index: Vec<HistoryEntry> = from_index.into_iter().map(|s| s.entry).collect();
                let reconciled = reconcile(&index, &stored);
                store.listen_to_other_tabs();
                store.entries.set(reconciled.entries);
                if reconciled.index_stale {
                    store.write_index();
                } else {
                    store.write_first_page();
                }
            } else {
                store.backend.set_value(Some(backend));
                // No images can be read: what the index lists is missing.
                store
                    .entries
                    .update(|entries| entries.iter_mut().for_each(|s| s.image_missing = true));
                store
                    .notice
                    .set(Some(crate::i18n::later().gallery_memory_only.into()));
                store.ready.set(true);
            }
        });
    }

    /// The image store, once [`Self::load`] has opened it.
    async fn backend(&self) -> ImageBackend {
        loop {
            if let Some(backend) = self.backend.get_value() {
                return backend;
            }
            // Opening takes a few milliseconds at start-up; saves wait for it.
            gloo_timers::future::TimeoutFuture::new(10).await;
        }
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
        let Ok(stored) = self.backend().await.all_meta().await else {
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
        let Some(raw) = local::read(INDEX_KEY) else {
            return Vec::new();
        };
        match HistoryIndex::from_json(&raw) {
            Ok(loaded) => {
                if let Some(notice) = loaded.notice() {
                    self.notice.set(Some(notice));
                }
                if loaded.migrated_from.is_some() {
                    // Store the migrated form once, so the migration never runs again.
                    let _ = local::write(INDEX_KEY, &loaded.index.to_json());
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
                let _ = local::write(INDEX_BACKUP_KEY, &raw);
                local::remove(INDEX_KEY);
                self.notice.set(Some(problem.notice()));
                Vec::new()
            }
        }
    }

    /// The first page's ids (see [`FIRST_PAGE_KEY`]); a few hundred bytes.
    fn write_first_page(&self) {
        let ids = self.entries.with_untracked(|entries| {
            let ids: Vec<&str> = entries
                .iter()
                .take(GALLERY_PAGE)
                .map(|s| s.entry.id.as_str())
                .collect();
            ids.join(" ")
        });
        let _ = local::write(FIRST_PAGE_KEY, &ids);
    }

    fn write_index(&self) {
        // Memory-only images are gone after a reload: listing them would promise
        // what cannot be kept.
        if !self
            .backend
            .with_value(|b| b.as_ref().is_some_and(ImageBackend::is_persistent))
        {
            return;
        }
        let entries: Vec<HistoryEntry> = self
            .entries
            .with_untracked(|e| e.iter().map(|s| index_entry(&s.entry)).collect());
        let _ = local::write(INDEX_COUNT_KEY, &entries.len().to_string());
        self.write_first_page();
        let json = HistoryIndex { entries }.to_json();
        if let Err(e) = local::write(INDEX_KEY, &json) {
            // The images are safe in IndexedDB; the index is rebuilt at the next start.
            self.notice
                .set(Some(crate::i18n::later().gallery_index_not_saved(&e)));
        }
    }

    /// Saves one image: thumbnail, then image + metadata + reference images
    /// (IndexedDB, atomic), then the index. On failure nothing is half-written.
    pub async fn save(
        &self,
        entry: HistoryEntry,
        image: ImageData,
        references: Vec<(ReferenceRecord, Blob)>,
    ) -> Result<(), StorageError> {
        // Counted from here, so leaving the page asks first even while the part loads.
        let _saving = self.hold_unload();
        save_image(*self, entry, image, references)
            .await
            .unwrap_or(Err(StorageError::Unavailable))
    }

    /// While the returned guard lives, leaving the page asks first: an image
    /// is on its way to storage.
    pub fn hold_unload(&self) -> UnloadGuard {
        self.saving.update_value(|n| *n += 1);
        UnloadGuard(self.saving)
    }

    async fn save_now(
        &self,
        entry: HistoryEntry,
        image: ImageData,
        references: &[(ReferenceRecord, Blob)],
    ) -> Result<(), StorageError> {
        // An image the browser holds becomes a file in the browser.
        let image = match image {
            ImageData::Held(handle) => {
                let file = held::base64(handle).and_then(|b| blob_from_base64(&b, &entry.mime));
                held::release(handle);
                file
            }
            other => blob_from_image(&other, &entry.mime),
        };
        let image = image.ok_or(StorageError::Write(
            crate::i18n::later().gallery_image_unreadable.into(),
        ))?;
        let stored = self.store(&entry, &image, references).await;
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
        if !self.asked_persist.get_value() {
            self.asked_persist.set_value(true);
            storage::usage::ask_persistence();
        }
        Ok(())
    }

    /// Thumbnail, then image + thumbnail + metadata + references in one
    /// transaction.
    async fn store(
        &self,
        entry: &HistoryEntry,
        image: &Blob,
        references: &[(ReferenceRecord, Blob)],
    ) -> Result<(), StorageError> {
        let thumb = make_thumbnail(image, entry.width, entry.height)
            .await
            .unwrap_or_else(|_| image.clone());
        self.backend()
            .await
            .put(entry, image, &thumb, references)
            .await
    }

    /// A stored reference image, by content id.
    pub async fn reference(&self, id: &str) -> Option<Blob> {
        self.backend().await.reference(id).await
    }

    /// The stored image (or its thumbnail).
    pub async fn blob(&self, id: &str, thumbnail: bool) -> Option<Blob> {
        self.backend().await.blob(id, thumbnail).await
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
        if let Some(entry) = changed {
            let store = *self;
            leptos::task::spawn_local(async move {
                if store.backend().await.put_meta(&entry).await.is_ok() {
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
                sort_newest_first(entries, |s| &s.entry);
            });
            self.write_index();
        }
    }

    fn finish_pending_delete(&self) {
        let Some(pending) = self.undo.get_untracked() else {
            return;
        };
        self.undo.set(None);
        let store = *self;
        leptos::task::spawn_local(async move {
            if store.backend().await.delete(&[pending.entry]).await.is_ok() {
                store.announce();
            }
        });
    }

    /// Deletes the `count` oldest images for good (the user asked, after a full
    /// storage; never done silently).
    pub async fn delete_oldest(&self, count: usize) -> Result<usize, StorageError> {
        let oldest_entries: Vec<HistoryEntry> = self.entries.with_untracked(|e| {
            let mut by_age: Vec<&ShownEntry> = e.iter().collect();
            sort_newest_first(&mut by_age, |s| &s.entry);
            by_age
                .iter()
                .rev()
                .take(count)
                .map(|s| s.entry.clone())
                .collect()
        });
        self.backend().await.delete(&oldest_entries).await?;
        let oldest: Vec<String> = oldest_entries.into_iter().map(|e| e.id).collect();
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
        self.backend().await.delete(&all).await?;
        self.entries.set(Vec::new());
        self.write_index();
        self.announce();
        Ok(())
    }
}
