//! The small requests: key check, model list, sign-in code exchange. Each has
//! its own short time limit.

use web_sys::AbortSignal;

use super::http::send;
use crate::api::ApiError;
use crate::api::account::{KeyInfo, parse_generation_cost, parse_key_info};
use crate::api::error::redact;
use crate::api::models::{parse_image_price, parse_models};
use crate::api::oauth::{KeyExchange, parse_exchange};
use crate::generation::{ModelChoice, ModelPrice};

/// How long the small requests may take.
const QUICK_SECONDS: u32 = 20;

/// A small request with its own time limit: the status and body text.
async fn quick(
    url: &str,
    key: Option<&str>,
    body: Option<String>,
) -> Result<(u16, String), ApiError> {
    let timeout = AbortSignal::timeout_with_u32(QUICK_SECONDS * 1000);
    let failed = |failure: String| {
        if timeout.aborted() {
            ApiError::Timeout {
                seconds: QUICK_SECONDS,
            }
        } else {
            ApiError::Network {
                detail: redact(&failure, key.unwrap_or_default()),
            }
        }
    };
    let response = send(url, key, body, &timeout).await.map_err(failed)?;
    let text = response.text().await.map_err(failed)?;
    Ok((response.status, text.into()))
}

/// Asks OpenRouter about the key (`GET /key`): its label, spending and limit.
pub async fn check_key(api_base: &str, key: &str) -> Result<KeyInfo, ApiError> {
    let (status, text) = quick(&format!("{api_base}/key"), Some(key), None).await?;
    parse_key_info(status, &text)
}

/// What a generation cost (`GET /generation?id=`, with the key that made
/// it); `None` while OpenRouter has no record of it yet.
pub async fn generation_cost(api_base: &str, key: &str, id: &str) -> Result<Option<f64>, ApiError> {
    if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b))
    {
        return Err(ApiError::Malformed {
            detail: crate::i18n::later().studio_detail_bad_generation_id.into(),
        });
    }
    let url = format!("{api_base}/generation?id={id}");
    let (status, text) = quick(&url, Some(key), None).await?;
    parse_generation_cost(status, &text)
}

/// The models that make images (`GET /models?output_modalities=image`; public,
/// so no key is sent).
pub async fn fetch_models(api_base: &str) -> Result<Vec<ModelChoice>, ApiError> {
    let url = format!("{api_base}/models?output_modalities=image");
    let (status, text) = quick(&url, None, None).await?;
    parse_models(status, &text)
}

/// A model's price per image from its Images API endpoints
/// (`GET /images/models/{author}/{slug}/endpoints`; public, no key).
pub async fn fetch_image_price(api_base: &str, model: &str) -> Result<ModelPrice, ApiError> {
    let url = format!("{api_base}/images/models/{model}/endpoints");
    let (status, text) = quick(&url, None, None).await?;
    parse_image_price(status, &text)
}

/// Exchanges a sign-in code for a key (`POST /auth/keys`; no key is sent).
pub async fn exchange_code(api_base: &str, code: &str, verifier: &str) -> Result<String, ApiError> {
    let body = KeyExchange::s256(code, verifier).to_json();
    let (status, text) = quick(&format!("{api_base}/auth/keys"), None, Some(body)).await?;
    parse_exchange(status, &text)
}
