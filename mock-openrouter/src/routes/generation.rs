//! `GET /generation?id=` and the record it returns (§9). It answers 404 for a while after the
//! generation completed, as the real one does.

use std::collections::BTreeMap;

use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Value, json};

use super::authenticate;
use crate::errors::{self, json_response};
use crate::state::Shared;

pub struct GenerationInfo<'a> {
    pub id: &'a str,
    pub model: &'a str,
    pub provider: &'a str,
    pub api_type: &'a str,
    pub cost: f64,
    pub image_tokens: u64,
    pub num_media_prompt: usize,
    pub streamed: bool,
    pub started_ms: u64,
    pub headers: &'a HeaderMap,
}

fn header(headers: &HeaderMap, name: &str) -> Value {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map_or(Value::Null, |s| Value::String(s.to_string()))
}

/// RFC 3339 UTC from epoch ms, without a date crate.
fn rfc3339(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil-from-days (Howard Hinnant).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}+00:00",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        ms % 1000
    )
}

/// The `/generation` data; `cancelled` is set when the response ends (see `GenerationCommit`).
pub fn data(info: &GenerationInfo<'_>) -> Value {
    let latency = crate::now_ms().saturating_sub(info.started_ms);
    json!({
        "id": info.id,
        "upstream_id": format!("bfl-{}", &info.id[info.id.len().saturating_sub(12)..]),
        "total_cost": info.cost,
        "cache_discount": null,
        "upstream_inference_cost": info.cost,
        "created_at": rfc3339(info.started_ms),
        "model": info.model,
        "app_id": null,
        "streamed": info.streamed,
        "cancelled": false,
        "provider_name": info.provider,
        "latency": latency,
        "moderation_latency": null,
        "generation_time": latency,
        "finish_reason": "stop",
        "native_finish_reason": "stop",
        "service_tier": null,
        "tokens_prompt": 0,
        "tokens_completion": info.image_tokens,
        "native_tokens_prompt": 0,
        "native_tokens_completion": info.image_tokens,
        "native_tokens_completion_images": info.image_tokens,
        "native_tokens_reasoning": 0,
        "native_tokens_cached": 0,
        "num_media_prompt": info.num_media_prompt,
        "num_input_audio_prompt": 0,
        "num_media_completion": 1,
        "num_search_results": 0,
        "num_fetches": 0,
        "web_search_engine": null,
        "origin": header(info.headers, "origin"),
        "usage": info.cost,
        "is_byok": false,
        "external_user": null,
        "api_type": info.api_type,
        "preset_id": null,
        "router": null,
        "provider_responses": null,
        "user_agent": header(info.headers, "user-agent"),
        "http_referer": header(info.headers, "http-referer"),
        "data_region": "global",
        "workspace_id": null,
        "session_id": null,
    })
}

pub fn get(shared: &Shared, headers: &HeaderMap, query: &BTreeMap<String, String>) -> Response {
    if let Err(resp) = authenticate(shared, headers) {
        return resp;
    }
    let Some(id) = query.get("id").filter(|s| !s.is_empty()) else {
        return errors::bad_request("id: Required", "invalid_request");
    };
    let inner = shared.lock();
    let window = inner.config.generation_404_ms;
    match inner.generations.get(id) {
        Some(g) if crate::now_ms() >= g.completed_ms + window => {
            json_response(200, &json!({ "data": g.data }))
        }
        _ => errors::error(404, &format!("Generation {id} not found"), None),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3339() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00.000+00:00");
        assert_eq!(
            super::rfc3339(1_768_348_800_123),
            "2026-01-14T00:00:00.123+00:00"
        );
    }
}
