//! Which models the studio offers before (or without) OpenRouter's list.

use super::price::{KLEIN_PRICE, ModelPrice, format_usd};

/// The model this studio is built around.
pub const KLEIN_MODEL: &str = "black-forest-labs/flux.2-klein-4b";

/// Models offered before (or without) OpenRouter's model list: id and label.
pub const BUILT_IN_MODELS: &[(&str, &str)] = &[(KLEIN_MODEL, "FLUX.2 [klein] 4B")];

/// One entry of the Model select.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelChoice {
    pub id: String,
    /// The name as OpenRouter gives it (plain text).
    pub name: String,
    /// From the model's Images API endpoint, once asked; klein's is its rule.
    pub price: ModelPrice,
}

impl ModelChoice {
    /// A model with the price the studio knows without asking (klein's rule).
    pub fn new(id: &str, name: &str) -> Self {
        ModelChoice {
            id: id.to_owned(),
            name: name.to_owned(),
            price: price_known_without_asking(id),
        }
    }

    /// What the option shows: `FLUX.2 [klein] 4B · about $0.014 per image`,
    /// or `… · price on OpenRouter` when no per-image price is known.
    pub fn label(&self) -> String {
        let t = crate::i18n::core();
        match self.price.of_image(1024, 1024) {
            Some(usd) => t.panels_model_price(&self.name, &format_usd(usd)),
            None => format!("{} \u{b7} {}", self.name, t.panels_price_elsewhere),
        }
    }
}

/// Klein's price is its published rule (the one place that knows it); other
/// models' prices come from their endpoints. The model list's
/// `image_output` is a price per unit (klein's is $0.00000342), never per image.
pub fn price_known_without_asking(id: &str) -> ModelPrice {
    if id == KLEIN_MODEL {
        KLEIN_PRICE
    } else {
        ModelPrice::Unknown
    }
}

/// The list before (or without) OpenRouter's: klein with the app's own price rule.
pub fn built_in_models() -> Vec<ModelChoice> {
    BUILT_IN_MODELS
        .iter()
        .map(|&(id, name)| ModelChoice::new(id, name))
        .collect()
}

/// Where a model's price is shown: its page on OpenRouter.
pub fn price_page(id: &str) -> String {
    format!("https://openrouter.ai/{id}")
}

/// What the app says where it knows no per-image price: the English of
/// `i18n::core().panels_price_elsewhere`, which is what to show. TEMPORARY
/// for code not yet reading the catalogue; remove once nothing uses it.
pub const PRICE_ELSEWHERE: &str = "price on OpenRouter";

/// OpenRouter model ids look like `author/slug` (optionally `:variant`): two
/// parts, each starting with a letter or digit.
pub fn is_model_id(id: &str) -> bool {
    let part = |p: &str| {
        p.starts_with(|c: char| c.is_ascii_alphanumeric())
            && !p.contains("..")
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._:-".contains(&b))
    };
    id.len() <= 200 && id.split_once('/').is_some_and(|(a, s)| part(a) && part(s))
}
