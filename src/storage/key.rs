//! The API key in localStorage, only when the user ticked "Remember on this device".

use super::{StorageError, local};

pub const API_KEY_KEY: &str = "kleinbild.api-key.v1";

/// The remembered key, if there is one.
pub fn load_api_key() -> Option<String> {
    local::read(API_KEY_KEY).filter(|k| !k.trim().is_empty())
}

pub fn save_api_key(key: &str) -> Result<(), StorageError> {
    local::write(API_KEY_KEY, key)
}

pub fn forget_api_key() {
    local::remove(API_KEY_KEY);
}
