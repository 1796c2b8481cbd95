//! CORS (§7, §12.2). Every response carries `Access-Control-Allow-Origin` unless a `NoCors`
//! fault asked for an opaque failure.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use crate::config::{CorsAllowHeaders, MockConfig};

/// Headers a browser client legitimately needs; the `Strict` mode allows only these.
pub const STRICT_HEADERS: &[&str] = &[
    "authorization",
    "content-type",
    "http-referer",
    "x-openrouter-title",
    "x-title",
    "x-openrouter-categories",
];

/// Marker extension: send this response without any CORS header.
#[derive(Clone, Copy, Debug)]
pub struct NoCors;

fn allow_origin(req: &HeaderMap) -> HeaderValue {
    req.get(header::ORIGIN)
        .cloned()
        .unwrap_or_else(|| HeaderValue::from_static("*"))
}

/// Adds the CORS headers of an actual (non-preflight) response.
pub fn apply(config: &MockConfig, req: &HeaderMap, resp: &mut HeaderMap) {
    resp.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin(req));
    resp.append(header::VARY, HeaderValue::from_static("Origin"));
    if !config.expose_headers.is_empty()
        && let Ok(v) = HeaderValue::from_str(&config.expose_headers.join(", "))
    {
        resp.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, v);
    }
}

/// The answer to an `OPTIONS` preflight.
pub fn preflight(mode: CorsAllowHeaders, req: &HeaderMap) -> Response {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = StatusCode::NO_CONTENT;
    let h = resp.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin(req));
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    let requested = req
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let allowed: Vec<String> = requested
        .split(',')
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .filter(|s| mode == CorsAllowHeaders::Reflect || STRICT_HEADERS.contains(&s.as_str()))
        .collect();
    if !allowed.is_empty()
        && let Ok(v) = HeaderValue::from_str(&allowed.join(", "))
    {
        h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, v);
    }
    // Chrome's Private Network Access preflight (a public page calling loopback).
    if req.contains_key("access-control-request-private-network") {
        h.insert(
            "access-control-allow-private-network",
            HeaderValue::from_static("true"),
        );
    }
    resp
}
