//! localStorage, the one place that touches it: read, write (with the quota
//! told apart), remove.

use web_sys::Storage;

use super::StorageError;

fn local_storage() -> Option<Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn read(key: &str) -> Option<String> {
    local_storage()?.get_item(key).ok().flatten()
}

pub fn write(key: &str, value: &str) -> Result<(), StorageError> {
    let storage = local_storage().ok_or(StorageError::Unavailable)?;
    storage.set_item(key, value).map_err(|e| {
        use wasm_bindgen::JsCast;
        match e.dyn_ref::<web_sys::DomException>() {
            Some(d) if d.name() == "QuotaExceededError" => StorageError::Quota,
            Some(d) => StorageError::Write(d.message()),
            None => StorageError::Write(crate::i18n::core().gallery_unknown_error.into()),
        }
    })
}

pub fn remove(key: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(key);
    }
}
