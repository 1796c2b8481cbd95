//! Error bodies in OpenRouter's shape: `{"error":{"code","message","metadata"?},"user_id"?}`.
//! The reference messages come from §6.2 of the API document.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

pub const DOCS_URL: &str = "https://openrouter.ai/docs/api-reference/errors-and-debugging";
pub const MOCK_USER_ID: &str = "user_mock0000000000000000000";

/// A JSON response with the given status.
pub fn json_response(status: u16, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut resp = Response::new(crate::body::sliced(bytes));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// `{"error":{"code":status,"message":…}}`, with `metadata` when given.
pub fn error_body(status: u16, message: &str, metadata: Option<Value>) -> Value {
    let mut error = json!({ "code": status, "message": message });
    if let Some(m) = metadata {
        error["metadata"] = m;
    }
    json!({ "error": error })
}

pub fn error(status: u16, message: &str, metadata: Option<Value>) -> Response {
    json_response(status, &error_body(status, message, metadata))
}

/// A 400 with `metadata.error_type` (e.g. `invalid_request`, `invalid_image`).
pub fn bad_request(message: &str, error_type: &str) -> Response {
    error(400, message, Some(json!({ "error_type": error_type })))
}

pub fn no_auth() -> Response {
    error(401, "No auth credentials found", None)
}

pub fn user_not_found() -> Response {
    error(401, "User not found.", None)
}

pub fn not_found() -> Response {
    error(404, "Not Found", None)
}

pub fn method_not_allowed() -> Response {
    error(405, "Method Not Allowed", None)
}

/// Unknown model: 400 with the Aug-2026 `availability` object.
pub fn unknown_model(model: &str) -> Response {
    let body = json!({ "error": {
        "code": 400,
        "message": format!("{model} is not a valid model ID"),
        "metadata": { "error_type": "invalid_request" },
        "availability": {
            "code": "model_not_found",
            "retryable": false,
            "requested_models": [model],
            "docs_url": DOCS_URL,
        }
    }});
    json_response(400, &body)
}

/// The routing failure for output modalities the model lacks (§1.2).
pub fn modalities_404(requested: &[String]) -> Response {
    let body = json!({ "error": {
        "message": format!(
            "No endpoints found that support the requested output modalities: {}",
            requested.join(", ")
        ),
        "code": 404,
        "metadata": {
            "routing_funnel": [{ "step": "Initial Endpoints", "endpoint_count": 1 }],
            "failed_routing_step": "Filter by Model Output Modalities",
        }
    }});
    json_response(404, &body)
}

/// The "requires more credits" 402 (§6.2), with `provider_name: null` and a top-level `user_id`.
pub fn payment_required(affordable_tokens: u64) -> Response {
    let body = json!({
        "error": {
            "code": 402,
            "message": format!(
                "This request requires more credits, or fewer max_tokens. You requested up to 4096 tokens, \
                 but can only afford {affordable_tokens}. To increase, visit https://openrouter.ai/settings/credits \
                 and upgrade to a paid account"
            ),
            "metadata": { "provider_name": null },
        },
        "user_id": MOCK_USER_ID,
    });
    json_response(402, &body)
}

/// Middle-truncates like OpenRouter's `flagged_input` (≤ 100 characters, "..." in the middle).
fn flagged_input(prompt: &str) -> String {
    let chars: Vec<char> = prompt.chars().collect();
    if chars.len() <= 100 {
        return prompt.to_string();
    }
    let head: String = chars[..48].iter().collect();
    let tail: String = chars[chars.len() - 49..].iter().collect();
    format!("{head}...{tail}")
}

/// What a status fault needs to know about the request.
pub struct FaultContext<'a> {
    pub model: &'a str,
    pub prompt: &'a str,
    pub retry_after_secs: u64,
    /// The request's `Authorization` header, for the `EchoKey` fault.
    pub authorization: &'a str,
}

/// The reference body (and extra headers) for an injected HTTP status (§6.2).
pub fn status_fault(status: u16, ctx: &FaultContext<'_>) -> Response {
    let retry = ctx.retry_after_secs;
    let body = match status {
        400 => {
            return unknown_model("acme/fake-1.0");
        }
        401 => return user_not_found(),
        402 => return payment_required(0),
        403 => error_body(
            403,
            &format!(
                "{} requires moderation on Black Forest Labs. Your input was flagged for \"violence\"",
                ctx.model
            ),
            Some(json!({
                "reasons": ["violence"],
                "flagged_input": flagged_input(ctx.prompt),
                "provider_name": "Black Forest Labs",
                "model_slug": ctx.model,
            })),
        ),
        404 => return modalities_404(&["image".into(), "text".into()]),
        408 => error_body(
            408,
            "Operation timed out. Please try again later.",
            Some(json!({ "error_type": "timeout" })),
        ),
        413 => error_body(
            413,
            "Request payload too large",
            Some(json!({ "error_type": "payload_too_large" })),
        ),
        422 => error_body(
            422,
            "Invalid argument",
            Some(json!({ "error_type": "unprocessable" })),
        ),
        429 => {
            let mut b = error_body(
                429,
                "Rate limit exceeded",
                Some(json!({ "error_type": "rate_limit_exceeded" })),
            );
            b["error"]["availability"] = json!({
                "code": "capacity_exhausted",
                "retryable": true,
                "retry_after": retry,
                "requested_models": [ctx.model],
                "affected_providers": ["black-forest-labs"],
                "docs_url": DOCS_URL,
            });
            let mut resp = json_response(429, &b);
            let reset_ms = crate::now_ms() + retry * 1000;
            let h = resp.headers_mut();
            h.insert(header::RETRY_AFTER, HeaderValue::from(retry));
            h.insert("x-ratelimit-limit", HeaderValue::from_static("20"));
            h.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
            h.insert("x-ratelimit-reset", HeaderValue::from(reset_ms));
            return resp;
        }
        500 => error_body(
            500,
            "Internal Server Error",
            Some(json!({ "error_type": "server" })),
        ),
        502 => error_body(
            502,
            "Provider returned error",
            Some(json!({
                "raw": "{\"status\":\"Error\",\"details\":\"upstream generation failed\"}",
                "provider_name": "Black Forest Labs",
                "error_type": "provider_unavailable",
            })),
        ),
        503 => {
            let mut b = error_body(
                503,
                "Service temporarily unavailable",
                Some(json!({ "error_type": "provider_unavailable" })),
            );
            b["error"]["availability"] = json!({
                "code": "temporarily_unavailable",
                "retryable": true,
                "retry_after": retry,
                "requested_models": [ctx.model],
                "docs_url": DOCS_URL,
            });
            let mut resp = json_response(503, &b);
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry));
            return resp;
        }
        524 => error_body(
            524,
            "Provider timed out. Please try again later.",
            Some(json!({ "error_type": "timeout", "provider_name": "Black Forest Labs" })),
        ),
        529 => error_body(
            529,
            "Provider returned error: overloaded",
            Some(
                json!({ "error_type": "provider_overloaded", "provider_name": "Black Forest Labs" }),
            ),
        ),
        other => {
            let reason = StatusCode::from_u16(other)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Error");
            error_body(other, reason, None)
        }
    };
    json_response(status, &body)
}

/// 403 guardrail block.
pub fn guardrail() -> Response {
    error(
        403,
        "Request blocked by guardrail: the input matched a blocked pattern",
        Some(json!({ "patterns": ["mock-blocked-pattern"] })),
    )
}

/// An HTML page like a Cloudflare edge error.
pub fn html_edge(status: u16) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html><head><title>openrouter.ai | {status}: Bad gateway</title></head>\n\
         <body><div id=\"cf-error-details\"><h1>Error {status}</h1>\
         <p>Bad gateway. The web server reported a bad gateway error.</p>\
         <p>Cloudflare Ray ID: 8c0ffee000000000 &bull; mock</p></div></body></html>\n"
    );
    let mut resp = Response::new(Body::from(html));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=UTF-8"),
    );
    resp
}
