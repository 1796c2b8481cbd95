//! The model list as cached in localStorage, with where and when it was fetched.

use crate::generation::{ModelChoice, ModelPrice, is_model_id};
use crate::json::{Loose, ObjectWriter};

/// localStorage key of the cached list.
pub const MODELS_CACHE_KEY: &str = "kleinbild.models.v1";
/// How long a fetched list is used before it is fetched again.
pub const CACHE_MS: f64 = 6.0 * 3600.0 * 1000.0;

#[derive(Debug, Clone, PartialEq)]
pub struct ModelCache {
    pub api_base: String,
    pub fetched_ms: f64,
    pub models: Vec<ModelChoice>,
}

impl ModelCache {
    /// The cached list, if it is for this API and young enough.
    pub fn fresh_for(raw: Option<&str>, api_base: &str, now_ms: f64) -> Option<Vec<ModelChoice>> {
        let cache = ModelCache::from_json(raw?)?;
        let age = now_ms - cache.fetched_ms;
        let usable = cache.api_base == api_base
            && (0.0..CACHE_MS).contains(&age)
            && !cache.models.is_empty()
            && cache.models.iter().all(|m| is_model_id(&m.id));
        usable.then_some(cache.models)
    }

    pub fn to_json(&self) -> String {
        let mut models = String::from("[");
        for (i, model) in self.models.iter().enumerate() {
            if i > 0 {
                models.push(',');
            }
            models.push_str(
                &ObjectWriter::default()
                    .text("id", &model.id)
                    .text("name", &model.name)
                    .text("price", &write_price(model.price))
                    .finish(),
            );
        }
        models.push(']');
        let mut out = ObjectWriter::default()
            .text("api_base", &self.api_base)
            // Milliseconds since 1970: a whole number (no float printing code).
            .whole("fetched_ms", self.fetched_ms.max(0.0) as u64)
            .finish();
        out.pop();
        out.push_str(",\"models\":");
        out.push_str(&models);
        out.push('}');
        out
    }

    /// What [`Self::to_json`] wrote; `None` for anything else.
    fn from_json(raw: &str) -> Option<ModelCache> {
        let value = Loose::parse(raw).ok()?;
        let fetched_ms = value.get("fetched_ms")?.as_number()?;
        let Loose::List(models) = value.get("models")? else {
            return None;
        };
        let text = |v: &Loose, key: &str| v.get(key).and_then(Loose::as_text).map(str::to_owned);
        Some(ModelCache {
            api_base: text(&value, "api_base")?,
            fetched_ms,
            models: models
                .iter()
                .map(|m| {
                    Some(ModelChoice {
                        id: text(m, "id")?,
                        name: text(m, "name")?,
                        price: read_price(&text(m, "price").unwrap_or_default()),
                    })
                })
                .collect::<Option<Vec<_>>>()?,
        })
    }
}

/// A price as text in whole micro-dollars (no float printing code in the
/// wasm): `image 39000`, `megapixel 30000 15000`, or empty when unknown.
fn write_price(price: ModelPrice) -> String {
    let micro = |usd: f64| (usd * 1e6).round() as u64;
    match price {
        ModelPrice::PerImage(usd) => format!("image {}", micro(usd)),
        ModelPrice::PerMegapixel { first, further } => {
            format!("megapixel {} {}", micro(first), micro(further))
        }
        ModelPrice::Unknown => String::new(),
    }
}

/// What [`write_price`] wrote; anything else is an unknown price.
fn read_price(text: &str) -> ModelPrice {
    let mut words = text.split(' ');
    let unit = words.next().unwrap_or_default();
    let mut usd = || {
        words
            .next()
            .and_then(|w| w.parse::<u64>().ok())
            .map(|m| m as f64 / 1e6)
    };
    match (unit, usd(), usd()) {
        ("image", Some(usd), None) => ModelPrice::PerImage(usd),
        ("megapixel", Some(first), Some(further)) => ModelPrice::PerMegapixel { first, further },
        _ => ModelPrice::Unknown,
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
