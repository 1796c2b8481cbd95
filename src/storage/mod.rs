//! What survives a reload: settings and (if the user asks) the API key, in
//! localStorage under versioned keys. Never image data (see design.md).

pub mod history;
pub mod idb;
pub mod manifest;
mod settings;
pub mod thumbnail;
pub mod zip;

pub use history::HistoryEntry;
pub use settings::{Settings, TIMEOUT_RANGE, validate_api_base, validate_timeout};

use web_sys::Storage;

/// localStorage keys, versioned so a future format can migrate.
pub const SETTINGS_KEY: &str = "kleinbild.settings.v1";
pub const API_KEY_KEY: &str = "kleinbild.api-key.v1";
/// Where unreadable settings are moved so nothing is silently thrown away.
pub const SETTINGS_BACKUP_KEY: &str = "kleinbild.settings.backup";

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StorageError {
    #[error("browser storage is not available (private mode or blocked)")]
    Unavailable,
    #[error("browser storage is full")]
    Quota,
    #[error("could not write to browser storage: {0}")]
    Write(String),
}

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
            None => StorageError::Write("unknown error".into()),
        }
    })
}

pub fn remove(key: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(key);
    }
}

/// Loads settings; unreadable data is backed up and replaced by defaults.
/// Returns the settings and, if something had to be reset, a notice for the user.
pub fn load_settings(defaults: Settings) -> (Settings, Option<String>) {
    let Some(raw) = read(SETTINGS_KEY) else {
        return (defaults, None);
    };
    match Settings::from_json(&raw, &defaults) {
        Ok(settings) => (settings, None),
        Err(problem) => {
            let _ = write(SETTINGS_BACKUP_KEY, &raw);
            remove(SETTINGS_KEY);
            (
                defaults,
                Some(format!(
                    "Your saved settings could not be read ({problem}), so the defaults are in use. A copy was kept under \u{201c}{SETTINGS_BACKUP_KEY}\u{201d}."
                )),
            )
        }
    }
}

pub fn save_settings(settings: &Settings) -> Result<(), StorageError> {
    write(SETTINGS_KEY, &settings.to_json())
}

/// The remembered key, if the user ticked "Remember on this device".
pub fn load_api_key() -> Option<String> {
    read(API_KEY_KEY).filter(|k| !k.trim().is_empty())
}

pub fn save_api_key(key: &str) -> Result<(), StorageError> {
    write(API_KEY_KEY, key)
}

pub fn forget_api_key() {
    remove(API_KEY_KEY);
}

/// How much this site stores and may store, and whether the browser promised
/// not to evict it (`navigator.storage`; only in secure contexts).
#[derive(Debug, Clone, PartialEq)]
pub struct StorageUsage {
    pub used_bytes: f64,
    pub quota_bytes: f64,
    pub persisted: bool,
}

pub async fn usage() -> Option<StorageUsage> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let manager = web_sys::window()?.navigator().storage();
    let estimate: web_sys::StorageEstimate = JsFuture::from(manager.estimate().ok()?)
        .await
        .ok()?
        .unchecked_into();
    let persisted = JsFuture::from(manager.persisted().ok()?)
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    Some(StorageUsage {
        used_bytes: estimate.get_usage().unwrap_or(0.0),
        quota_bytes: estimate.get_quota().unwrap_or(0.0),
        persisted,
    })
}

/// `12.3 MB`, `2.1 GB`: sizes as people read them (decimal units).
pub fn format_bytes(bytes: f64) -> String {
    let units = [("GB", 1e9), ("MB", 1e6), ("kB", 1e3)];
    for (unit, size) in units {
        if bytes >= size {
            let tenths = (bytes / size * 10.0).round() as u64;
            return format!("{}.{} {unit}", tenths / 10, tenths % 10);
        }
    }
    format!("{} bytes", bytes.max(0.0) as u64)
}
