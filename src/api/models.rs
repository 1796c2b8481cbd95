//! The models that can make images: `GET /models?output_modalities=image`
//! (public, no key). Pure Rust; the cache lives in `storage::model_cache`.

use super::ApiError;
use crate::generation::{KLEIN_MODEL, ModelChoice, ModelPrice, built_in_models, is_model_id};
use crate::json::Loose;

/// More than any real list; a hostile answer cannot flood the select.
const MAX_MODELS: usize = 500;

/// Reads the model list: only models that output images, with valid ids,
/// names as plain text; klein first. Entries that make no sense are skipped.
pub fn parse_models(status: u16, body: &str) -> Result<Vec<ModelChoice>, ApiError> {
    if !(200..300).contains(&status) {
        return Err(ApiError::from_http(status, body));
    }
    let t = crate::i18n::later();
    let unreadable = |detail: &str| ApiError::Malformed {
        detail: t.panels_models_unreadable(&detail),
    };
    let root = Loose::parse(body.trim()).map_err(|e| unreadable(&e.to_string()))?;
    let Some(Loose::List(data)) = root.get("data") else {
        return Err(unreadable(t.panels_models_no_data));
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
    crate::order::sort_by(&mut models, |a, b| {
        (a.id != KLEIN_MODEL).cmp(&(b.id != KLEIN_MODEL))
    });
    Ok(models)
}

fn model_choice(model: &Loose) -> Option<ModelChoice> {
    let id = model
        .get("id")
        .and_then(Loose::as_text)
        .filter(|id| is_model_id(id))?;
    let makes_images = model
        .get("architecture")
        .and_then(|a| a.get("output_modalities"))
        .is_some_and(|m| matches!(m, Loose::List(items) if items.iter().any(|i| i.as_text() == Some("image"))));
    if !makes_images {
        return None;
    }
    let name: String = model
        .get("name")
        .and_then(Loose::as_text)
        .unwrap_or(id)
        .chars()
        .filter(|c| !c.is_control())
        .take(100)
        .collect();
    Some(ModelChoice::new(id, name.trim()))
}

/// Reads a model's Images API endpoints
/// (`GET /images/models/{author}/{slug}/endpoints`): the price of the first
/// endpoint that gives one per image or per megapixel (see
/// [`ModelPrice::from_lines`]). A model without such an endpoint is an error.
pub fn parse_image_price(status: u16, body: &str) -> Result<ModelPrice, ApiError> {
    if !(200..300).contains(&status) {
        return Err(ApiError::from_http(status, body));
    }
    let root = Loose::parse(body.trim()).map_err(|e| ApiError::Malformed {
        detail: crate::i18n::later().panels_endpoints_unreadable(&e),
    })?;
    let Some(Loose::List(endpoints)) = root.get("endpoints") else {
        return Ok(ModelPrice::Unknown);
    };
    let text = |line: &'_ Loose, key: &str| -> String {
        line.get(key)
            .and_then(Loose::as_text)
            .unwrap_or_default()
            .to_owned()
    };
    Ok(endpoints
        .iter()
        .map(|endpoint| {
            let lines: Vec<(String, String, String, f64)> = match endpoint.get("pricing") {
                Some(Loose::List(lines)) => lines
                    .iter()
                    .filter_map(|line| {
                        let usd = line.get("cost_usd")?.as_number()?;
                        Some((
                            text(line, "billable"),
                            text(line, "unit"),
                            text(line, "variant"),
                            usd,
                        ))
                    })
                    .collect(),
                _ => Vec::new(),
            };
            ModelPrice::from_lines(
                lines
                    .iter()
                    .map(|(b, u, v, usd)| (b.as_str(), u.as_str(), v.as_str(), *usd)),
            )
        })
        .find(|price| *price != ModelPrice::Unknown)
        .unwrap_or_default())
}
