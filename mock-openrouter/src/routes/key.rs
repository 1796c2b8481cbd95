//! `GET /key` and `GET /credits` (§9).

use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;

use super::authenticate;
use crate::errors::{self, json_response};
use crate::state::Shared;

pub fn key(shared: &Shared, headers: &HeaderMap) -> Response {
    let key = match authenticate(shared, headers) {
        Ok(k) => k,
        Err(resp) => return resp,
    };
    let inner = shared.lock();
    let Some(k) = inner.keys.get(&key) else {
        return errors::user_not_found();
    };
    let remaining = k.limit.map(|l| crate::round6((l - k.usage).max(0.0)));
    json_response(
        200,
        &json!({ "data": {
            "label": k.label,
            "limit": k.limit,
            "limit_remaining": remaining,
            "limit_reset": null,
            "include_byok_in_limit": false,
            "usage": k.usage,
            "usage_daily": k.usage,
            "usage_weekly": k.usage,
            "usage_monthly": k.usage,
            "byok_usage": 0,
            "byok_usage_daily": 0,
            "byok_usage_weekly": 0,
            "byok_usage_monthly": 0,
            "is_free_tier": false,
            "is_management_key": k.management,
            "is_provisioning_key": k.management,
            "creator_user_id": k.user_id,
            "expires_at": null,
            "rate_limit": {
                "requests": -1,
                "interval": "10s",
                "note": "This field is deprecated and safe to ignore.",
            },
        }}),
    )
}

pub fn credits(shared: &Shared, headers: &HeaderMap) -> Response {
    let key = match authenticate(shared, headers) {
        Ok(k) => k,
        Err(resp) => return resp,
    };
    let inner = shared.lock();
    match inner.keys.get(&key) {
        Some(k) if k.management => {
            let total_usage: f64 = inner.keys.values().map(|k| k.usage).sum();
            json_response(
                200,
                &json!({ "data": { "total_credits": 100.0, "total_usage": crate::round6(total_usage) } }),
            )
        }
        _ => errors::error(403, "Only management keys can perform this operation", None),
    }
}
