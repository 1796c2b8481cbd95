//! The models that can make images: `GET /models?output_modalities=image`
//! (public, no key), cached for a while, with klein built in so the app works
//! when the list cannot be fetched. Pure Rust.

use serde::{Deserialize, Serialize};

use super::ApiError;
use super::types::KLEIN_MODEL;
use crate::generation::{BUILT_IN_MODELS, estimate_cost_usd, format_usd, is_model_id};
use crate::storage::history::Loose;

/// localStorage key of the cached list.
pub const MODELS_CACHE_KEY: &str = "kleinbild.models.v1";
/// How long a fetched list is used before it is fetched again.
pub const CACHE_MS: f64 = 6.0 * 3600.0 * 1000.0;
/// More than any real list; a hostile answer cannot flood the select.
const MAX_MODELS: usize = 500;

/// One entry of the Model select.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelChoice {
    pub id: String,
    /// What the option shows: name and price.
    pub label: String,
}

/// The list before (or without) OpenRouter's: klein with the app's own price rule.
pub fn built_in_models() -> Vec<ModelChoice> {
    BUILT_IN_MODELS
        .iter()
        .map(|&(id, name)| ModelChoice {
            id: id.to_owned(),
            label: label(name, id, None),
        })
        .collect()
}

/// `FLUX.2 [klein] 4B · about $0.014 per image`. Klein's price follows the
/// published per-megapixel rule (the one place that knows it); for other models
/// the list's `image_output` price is shown as OpenRouter states it.
fn label(name: &str, id: &str, image_output_usd: Option<f64>) -> String {
    if id == KLEIN_MODEL {
        return format!(
            "{name} \u{b7} about {} per image",
            format_usd(estimate_cost_usd(1024, 1024))
        );
    }
    match image_output_usd {
        Some(price) if price > 0.0 => {
            format!("{name} \u{b7} {} per output image", format_usd(price))
        }
        _ => name.to_owned(),
    }
}

/// Reads the model list: only models that output images, with valid ids,
/// names as plain text; klein first. Entries that make no sense are skipped.
pub fn parse_models(status: u16, body: &str) -> Result<Vec<ModelChoice>, ApiError> {
    if !(200..300).contains(&status) {
        return Err(ApiError::from_http(status, body));
    }
    // The app's tolerant JSON reader (already in the bundle) rather than
    // serde_json's Value: same result, less wasm.
    let unreadable = |detail: &str| ApiError::Malformed {
        detail: format!("the model list could not be read: {detail}"),
    };
    let root = Loose::parse(body.trim()).map_err(|e| unreadable(&e.to_string()))?;
    let Some(Loose::List(data)) = field(&root, "data") else {
        return Err(unreadable("no \"data\" list"));
    };
    let mut models: Vec<ModelChoice> = data
        .iter()
        .filter_map(model_choice)
        .take(MAX_MODELS)
        .collect();
    if !models.iter().any(|m| m.id == KLEIN_MODEL) {
        models.extend(built_in_models());
    }
    // Klein first: it is what this studio is built around.
    models.sort_by_key(|m| m.id != KLEIN_MODEL);
    Ok(models)
}

/// `value[key]` when `value` is an object.
fn field<'a>(value: &'a Loose, key: &str) -> Option<&'a Loose> {
    match value {
        Loose::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

fn text<'a>(value: &'a Loose, key: &str) -> Option<&'a str> {
    match field(value, key)? {
        Loose::Text(t) => Some(t),
        _ => None,
    }
}

fn model_choice(model: &Loose) -> Option<ModelChoice> {
    let id = text(model, "id").filter(|id| is_model_id(id))?;
    let makes_images = field(model, "architecture")
        .and_then(|a| field(a, "output_modalities"))
        .is_some_and(|m| matches!(m, Loose::List(items) if items.iter().any(|i| *i == Loose::Text("image".into()))));
    if !makes_images {
        return None;
    }
    let name: String = text(model, "name")
        .unwrap_or(id)
        .chars()
        .filter(|c| !c.is_control())
        .take(100)
        .collect();
    // Prices are strings of USD per unit.
    let image_output = field(model, "pricing")
        .and_then(|p| text(p, "image_output"))
        .and_then(|p| p.trim().parse::<f64>().ok())
        .filter(|p| p.is_finite());
    Some(ModelChoice {
        id: id.to_owned(),
        label: label(name.trim(), id, image_output),
    })
}

/// The list as cached in localStorage, with where and when it was fetched.
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
}
