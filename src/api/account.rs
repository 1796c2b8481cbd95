//! What OpenRouter says about the key: `GET /key` (any key may ask; `/credits`
//! needs a management key, so it is not used). Pure Rust.

use serde::Deserialize;

use super::ApiError;
use crate::generation::format_usd;

/// The parts of `GET /key`'s `data` the app shows. Every field is optional:
/// an absent one is simply not mentioned.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct KeyInfo {
    #[serde(default)]
    pub label: Option<String>,
    /// USD spent with this key.
    #[serde(default)]
    pub usage: Option<f64>,
    /// USD limit of the key; `null` means no limit.
    #[serde(default)]
    pub limit: Option<f64>,
    #[serde(default)]
    pub limit_remaining: Option<f64>,
}

#[derive(Deserialize)]
struct KeyResponse {
    data: KeyInfo,
}

/// Reads the answer to `GET /key`: the key's facts, or the error (401: not a valid key).
pub fn parse_key_info(status: u16, body: &str) -> Result<KeyInfo, ApiError> {
    if !(200..300).contains(&status) {
        return Err(ApiError::from_http(status, body));
    }
    serde_json::from_str::<KeyResponse>(body.trim())
        .map(|r| r.data)
        .map_err(|e| ApiError::Malformed {
            detail: format!("the key information could not be read: {e}"),
        })
}

impl KeyInfo {
    /// `Key "Laptop": $0.42 used, $4.58 of $5.00 left.` / `…, no spending limit.`
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(usage) = self.usage.filter(|u| u.is_finite() && *u >= 0.0) {
            parts.push(format!("{} used", format_usd(usage)));
        }
        match (self.limit, self.limit_remaining) {
            (Some(limit), Some(left)) => parts.push(format!(
                "{} of {} left",
                format_usd(left.max(0.0)),
                format_usd(limit)
            )),
            (Some(limit), None) => parts.push(format!("limit {}", format_usd(limit))),
            (None, _) => parts.push("no spending limit".into()),
        }
        let label = self
            .label
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map_or_else(String::new, |l| format!(" \u{201c}{l}\u{201d}"));
        format!("Key{label}: {}.", parts.join(", "))
    }
}
