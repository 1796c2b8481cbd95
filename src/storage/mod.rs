//! What survives a reload: settings and (if the user asks) the API key and a
//! compact history index in localStorage; image bytes and full records in
//! IndexedDB; export and import files. Depends on `generation` (and the leaf
//! `json`) only, never on `api`.

pub mod blob;
pub mod history;
pub mod idb;
pub mod image_meta;
pub mod key;
pub mod local;
pub mod manifest;
pub mod model_cache;
pub mod presets;
pub mod settings;
pub mod spend;
pub mod thumbnail;
pub mod transfer;
pub mod usage;
pub mod zip;

pub use history::HistoryEntry;
pub use key::{API_KEY_KEY, forget_api_key, load_api_key, save_api_key};
pub use settings::{
    SETTINGS_BACKUP_KEY, SETTINGS_KEY, Settings, TIMEOUT_RANGE, load_settings,
    parse_spending_limit, save_settings, validate_api_base, validate_timeout,
};
pub use usage::{StorageUsage, format_bytes, usage};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StorageError {
    Unavailable,
    Quota,
    /// Why: the browser's message, or what failed before the write.
    Write(String),
}

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let t = crate::i18n::core();
        match self {
            StorageError::Unavailable => f.write_str(t.gallery_storage_unavailable),
            StorageError::Quota => f.write_str(t.gallery_storage_full),
            StorageError::Write(detail) => f.write_str(&t.gallery_storage_write(detail)),
        }
    }
}
