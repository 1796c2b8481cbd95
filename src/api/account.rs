//! What OpenRouter says about the key: `GET /key` (any key may ask; `/credits`
//! needs a management key, so it is not used). Pure Rust.

use super::ApiError;
use crate::generation::format_usd;
use crate::json::Loose;

/// The parts of `GET /key`'s `data` the app shows. Every field is optional:
/// an absent one is simply not mentioned.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KeyInfo {
    pub label: Option<String>,
    /// USD spent with this key.
    pub usage: Option<f64>,
    /// USD limit of the key; `null` means no limit.
    pub limit: Option<f64>,
    pub limit_remaining: Option<f64>,
}

/// Reads the answer to `GET /key`: the key's facts, or the error (401: not a valid key).
pub fn parse_key_info(status: u16, body: &str) -> Result<KeyInfo, ApiError> {
    if !(200..300).contains(&status) {
        return Err(ApiError::from_http(status, body));
    }
    let t = crate::i18n::later();
    let answer = Loose::parse(body.trim()).map_err(|e| ApiError::Malformed {
        detail: t.studio_detail_key_info_unreadable(&e),
    })?;
    let Some(data @ Loose::Object(_)) = answer.get("data") else {
        return Err(ApiError::Malformed {
            detail: t.studio_detail_key_info_no_data.into(),
        });
    };
    let number = |key: &str| data.get(key).and_then(Loose::as_number);
    Ok(KeyInfo {
        label: data
            .get("label")
            .and_then(Loose::as_text)
            .map(str::to_owned),
        usage: number("usage"),
        limit: number("limit"),
        limit_remaining: number("limit_remaining"),
    })
}

/// What `GET /generation?id=` says a generation cost, in US dollars (0 when
/// nothing was billed). The record appears only some time after the
/// generation ended: until then OpenRouter answers 404, which is `Ok(None)`.
pub fn parse_generation_cost(status: u16, body: &str) -> Result<Option<f64>, ApiError> {
    if status == 404 {
        return Ok(None);
    }
    if !(200..300).contains(&status) {
        return Err(ApiError::from_http(status, body));
    }
    let cost = Loose::parse(body.trim())
        .ok()
        .and_then(|answer| answer.get("data")?.get("total_cost")?.as_number())
        .filter(|usd| usd.is_finite() && *usd >= 0.0);
    match cost {
        Some(usd) => Ok(Some(usd)),
        None => Err(ApiError::Malformed {
            detail: crate::i18n::later().studio_detail_no_total_cost.into(),
        }),
    }
}

impl KeyInfo {
    /// `Key "Laptop": $0.42 used, $4.58 of $5.00 left.` / `…, no spending limit.`
    pub fn summary(&self) -> String {
        let t = crate::i18n::later();
        let mut parts = Vec::new();
        if let Some(usage) = self.usage.filter(|u| u.is_finite() && *u >= 0.0) {
            parts.push(t.studio_key_used(&format_usd(usage)));
        }
        match (self.limit, self.limit_remaining) {
            (Some(limit), Some(left)) => {
                parts.push(t.studio_key_left(&format_usd(left.max(0.0)), &format_usd(limit)))
            }
            (Some(limit), None) => parts.push(t.studio_key_limit(&format_usd(limit))),
            (None, _) => parts.push(t.studio_key_no_limit.into()),
        }
        let facts = parts.join(", ");
        match self
            .label
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            Some(label) => t.studio_key_summary_labelled(&label, &facts),
            None => t.studio_key_summary(&facts),
        }
    }
}
