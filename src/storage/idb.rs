//! IndexedDB: image bytes, thumbnails, full metadata and reference images,
//! the source of truth of the history. A save writes all of them in one
//! transaction, so it is all or nothing.

use js_sys::{Array, Function, Promise};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, DomException, Event, IdbDatabase, IdbObjectStore, IdbRequest, IdbTransaction,
    IdbTransactionMode,
};

use super::history::ReferenceRecord;
use super::{HistoryEntry, StorageError};

const DB_NAME: &str = "kleinbild";
/// Version 2 added the `refs` store; opening a version 1 database adds it
/// and keeps everything else.
const DB_VERSION: u32 = 2;
const META: &str = "meta";
const IMAGES: &str = "images";
const THUMBS: &str = "thumbs";
/// Reference images by content id, shared by every entry made from them.
const REFS: &str = "refs";
const STORES: [&str; 4] = [META, IMAGES, THUMBS, REFS];

/// An open Kleinbild database.
#[derive(Clone, Debug)]
pub struct ImageDb(IdbDatabase);

impl ImageDb {
    /// Opens (and on first use creates) the database. Fails in private modes
    /// or browsers that block IndexedDB; the app then keeps history in memory.
    pub async fn open() -> Result<ImageDb, StorageError> {
        let factory = web_sys::window()
            .and_then(|w| w.indexed_db().ok().flatten())
            .ok_or(StorageError::Unavailable)?;
        let request = factory
            .open_with_u32(DB_NAME, DB_VERSION)
            .map_err(|_| StorageError::Unavailable)?;
        let upgrade_target = request.clone();
        let on_upgrade = Closure::once_into_js(move || {
            if let Ok(db) = upgrade_target
                .result()
                .and_then(|r| r.dyn_into::<IdbDatabase>())
            {
                let names = db.object_store_names();
                for store in STORES {
                    if !names.contains(store) {
                        let _ = db.create_object_store(store);
                    }
                }
            }
        });
        request.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
        let db = wait(&request)
            .await
            .map_err(|_| StorageError::Unavailable)?
            .dyn_into::<IdbDatabase>()
            .map_err(|_| StorageError::Unavailable)?;
        // Another tab upgrading or deleting the database must not be blocked by us.
        let closing = db.clone();
        let on_version_change = Closure::<dyn FnMut()>::new(move || closing.close());
        db.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));
        on_version_change.forget();
        Ok(ImageDb(db))
    }

    fn transaction(&self, mode: IdbTransactionMode) -> Result<IdbTransaction, StorageError> {
        let stores: Array = STORES.iter().map(|s| JsValue::from_str(s)).collect();
        self.0
            .transaction_with_str_sequence_and_mode(&stores, mode)
            .map_err(storage_error)
    }

    /// Stores an image, its thumbnail, its metadata and its reference images
    /// (`references`: the entry's records with their bytes), atomically.
    pub async fn put(
        &self,
        entry: &HistoryEntry,
        image: &Blob,
        thumb: &Blob,
        references: &[(ReferenceRecord, Blob)],
    ) -> Result<(), StorageError> {
        let tx = self.transaction(IdbTransactionMode::Readwrite)?;
        let key = JsValue::from_str(&entry.id);
        let meta = JsValue::from_str(&entry.to_json());
        for (store, value) in [
            (META, &meta),
            (IMAGES, image.as_ref()),
            (THUMBS, thumb.as_ref()),
        ] {
            let put = tx
                .object_store(store)
                .and_then(|s| s.put_with_key(value, &key));
            if let Err(error) = put {
                // Undo the puts already queued: never a record without its image.
                let _ = tx.abort();
                return Err(storage_error(error));
            }
        }
        for (record, blob) in references {
            if let Err(error) = tx
                .object_store(REFS)
                .and_then(|s| add_if_absent(&s, &record.id, blob))
            {
                let _ = tx.abort();
                return Err(storage_error(error));
            }
        }
        finish(&tx).await
    }

    /// A stored reference image.
    pub async fn reference(&self, id: &str) -> Result<Option<Blob>, StorageError> {
        self.get(REFS, id).await
    }

    /// Replaces the metadata of an entry (e.g. its favourite flag).
    pub async fn put_meta(&self, entry: &HistoryEntry) -> Result<(), StorageError> {
        let tx = self.transaction(IdbTransactionMode::Readwrite)?;
        let meta = JsValue::from_str(&entry.to_json());
        tx.object_store(META)
            .and_then(|s| s.put_with_key(&meta, &JsValue::from_str(&entry.id)))
            .map_err(storage_error)?;
        finish(&tx).await
    }

    /// Every stored entry's metadata (unreadable records are skipped, not fatal).
    pub async fn all_meta(&self) -> Result<Vec<HistoryEntry>, StorageError> {
        let tx = self.transaction(IdbTransactionMode::Readonly)?;
        let request = tx
            .object_store(META)
            .and_then(|s| s.get_all())
            .map_err(storage_error)?;
        let values: Array = wait(&request)
            .await
            .map_err(storage_error)?
            .unchecked_into();
        Ok(values
            .iter()
            .filter_map(|v| v.as_string())
            .filter_map(|json| HistoryEntry::from_json(&json).ok())
            .collect())
    }

    /// The full image or the thumbnail of an entry.
    pub async fn blob(&self, id: &str, thumbnail: bool) -> Result<Option<Blob>, StorageError> {
        self.get(if thumbnail { THUMBS } else { IMAGES }, id).await
    }

    async fn get(&self, store: &str, id: &str) -> Result<Option<Blob>, StorageError> {
        let tx = self.transaction(IdbTransactionMode::Readonly)?;
        let request = tx
            .object_store(store)
            .and_then(|s| s.get(&JsValue::from_str(id)))
            .map_err(storage_error)?;
        Ok(wait(&request)
            .await
            .map_err(storage_error)?
            .dyn_into::<Blob>()
            .ok())
    }

    /// Removes entries from every store, and the reference images no
    /// remaining entry uses, in one transaction: another tab saving an entry
    /// with the same reference either commits first (and the image is kept)
    /// or after (and writes it again).
    pub async fn delete(&self, entries: &[HistoryEntry]) -> Result<(), StorageError> {
        let tx = self.transaction(IdbTransactionMode::Readwrite)?;
        for entry in entries {
            let key = JsValue::from_str(&entry.id);
            for store in [META, IMAGES, THUMBS] {
                tx.object_store(store)
                    .and_then(|s| s.delete(&key))
                    .map_err(storage_error)?;
            }
        }
        let candidates: Vec<String> = entries
            .iter()
            .flat_map(|e| e.references.iter().map(|r| r.id.clone()))
            .collect();
        if !candidates.is_empty() {
            // Reads after the deletes above, so it sees what remains. The
            // follow-up deletes are queued from the success event, while the
            // transaction is still active.
            let remaining = tx
                .object_store(META)
                .and_then(|s| s.get_all())
                .map_err(storage_error)?;
            let reader = remaining.clone();
            let refs = tx.object_store(REFS).map_err(storage_error)?;
            let on_success = Closure::once_into_js(move || {
                let values: Array = reader
                    .result()
                    .unwrap_or(JsValue::UNDEFINED)
                    .unchecked_into();
                let used: crate::order::TextSet = values
                    .iter()
                    .filter_map(|v| v.as_string())
                    .filter_map(|json| HistoryEntry::from_json(&json).ok())
                    .flat_map(|e| e.references.into_iter().map(|r| r.id))
                    .collect();
                for id in candidates.iter().filter(|id| !used.contains(id)) {
                    let _ = refs.delete(&JsValue::from_str(id));
                }
            });
            remaining.set_onsuccess(Some(on_success.unchecked_ref()));
        }
        finish(&tx).await
    }
}

/// Adds a reference image unless one with its id is stored already (same id,
/// same bytes): no rewrite of megabytes, and the "already there" error is
/// swallowed instead of aborting the save.
fn add_if_absent(store: &IdbObjectStore, id: &str, blob: &Blob) -> Result<(), JsValue> {
    let request = store.add_with_key(blob, &JsValue::from_str(id))?;
    let on_error = Closure::once_into_js(|event: Event| {
        let exists = event
            .target()
            .and_then(|t| t.dyn_into::<IdbRequest>().ok())
            .and_then(|r| r.error().ok().flatten())
            .is_some_and(|e| e.name() == "ConstraintError");
        if exists {
            event.prevent_default();
            event.stop_propagation();
        }
    });
    request.set_onerror(Some(on_error.unchecked_ref()));
    Ok(())
}

/// Resolves with the request's result once it succeeds.
async fn wait(request: &IdbRequest) -> Result<JsValue, JsValue> {
    let target = request.clone();
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        let done = target.clone();
        let on_success = Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::NULL, &done.result().unwrap_or(JsValue::UNDEFINED));
        });
        let failed = target.clone();
        let on_error = Closure::once_into_js(move || {
            let error = failed.error().ok().flatten().map(JsValue::from);
            let _ = reject.call1(&JsValue::NULL, &error.unwrap_or(JsValue::NULL));
        });
        target.set_onsuccess(Some(on_success.unchecked_ref()));
        target.set_onerror(Some(on_error.unchecked_ref()));
    });
    JsFuture::from(promise).await
}

/// Waits until a write transaction is committed (or reports why it was not).
async fn finish(tx: &IdbTransaction) -> Result<(), StorageError> {
    let target = tx.clone();
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        let on_complete = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let failed = target.clone();
        let reject = reject.clone();
        let on_fail = Closure::once_into_js(move || {
            let error = failed.error().map(JsValue::from).unwrap_or(JsValue::NULL);
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        target.set_oncomplete(Some(on_complete.unchecked_ref()));
        // A failed request aborts the transaction; `abort` fires once for both.
        target.set_onabort(Some(on_fail.unchecked_ref()));
    });
    JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(storage_error)
}

fn storage_error(error: JsValue) -> StorageError {
    match error.dyn_ref::<DomException>() {
        Some(e) if e.name() == "QuotaExceededError" => StorageError::Quota,
        Some(e) => StorageError::Write(e.message()),
        None => StorageError::Write(crate::i18n::later().gallery_idb_failed.into()),
    }
}
