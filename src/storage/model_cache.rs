//! The model list as cached in localStorage, with where and when it was fetched.

use serde::{Deserialize, Serialize};

use crate::generation::{ModelChoice, is_model_id};

/// localStorage key of the cached list.
pub const MODELS_CACHE_KEY: &str = "kleinbild.models.v1";
/// How long a fetched list is used before it is fetched again.
pub const CACHE_MS: f64 = 6.0 * 3600.0 * 1000.0;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelCache {
    pub api_base: String,
    pub fetched_ms: f64,
    pub models: Vec<ModelChoice>,
}

impl ModelCache {
    /// The cached list, if it is for this API and young enough.
    pub fn fresh_for(raw: Option<&str>, api_base: &str, now_ms: f64) -> Option<Vec<ModelChoice>> {
        let cache: ModelCache = serde_json::from_str(raw?).ok()?;
        let age = now_ms - cache.fetched_ms;
        let usable = cache.api_base == api_base
            && (0.0..CACHE_MS).contains(&age)
            && !cache.models.is_empty()
            && cache.models.iter().all(|m| is_model_id(&m.id));
        usable.then_some(cache.models)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The cached list for `api_base`, if it is fresh.
pub fn load_models(api_base: &str, now_ms: f64) -> Option<Vec<ModelChoice>> {
    ModelCache::fresh_for(
        super::local::read(MODELS_CACHE_KEY).as_deref(),
        api_base,
        now_ms,
    )
}

/// Keeps a freshly fetched list (a full localStorage only means it is fetched again).
pub fn save_models(cache: &ModelCache) {
    let _ = super::local::write(MODELS_CACHE_KEY, &cache.to_json());
}
