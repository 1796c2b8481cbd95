//! Which models the studio offers before (or without) OpenRouter's list.

use super::price::{estimate_cost_usd, format_usd};

/// The model this studio is built around.
pub const KLEIN_MODEL: &str = "black-forest-labs/flux.2-klein-4b";

/// Models offered before (or without) OpenRouter's model list: id and label.
pub const BUILT_IN_MODELS: &[(&str, &str)] = &[(KLEIN_MODEL, "FLUX.2 [klein] 4B")];

/// One entry of the Model select.
#[derive(Debug, Clone, PartialEq)]
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
            label: model_label(name, id),
        })
        .collect()
}

/// `FLUX.2 [klein] 4B · about $0.014 per image`. Klein's price follows the
/// published per-megapixel rule (the one place that knows it). For other
/// models the list holds no per-image price (its `image_output` is per unit,
/// klein's is $0.00000342): showing it as one would be wrong by orders of
/// magnitude, so they say where the price is instead.
pub fn model_label(name: &str, id: &str) -> String {
    if id == KLEIN_MODEL {
        format!(
            "{name} \u{b7} about {} per image",
            format_usd(estimate_cost_usd(1024, 1024))
        )
    } else {
        format!("{name} \u{b7} {PRICE_ELSEWHERE}")
    }
}

/// What the app says where it knows no per-image price.
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
