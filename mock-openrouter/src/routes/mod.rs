//! Request entry point: recording, CORS, and dispatch by method and path. Routing is done by
//! hand on the path segments so every request, known or not, goes through the same recording.

mod auth;
mod chat;
mod common;
mod control;
mod generation;
mod images;
mod key;
mod models;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use serde_json::Value;

use crate::cors::{self, NoCors};
use crate::errors;
use crate::record::{CommitExt, Outcome, PendingGuard, RecordedRequest, TrackedBody};
use crate::state::Shared;

/// Bodies above this are not even buffered (the configurable 413 limit is checked after).
const HARD_BODY_CAP: usize = 256 * 1024 * 1024;

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(entry).with_state(shared)
}

async fn entry(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    if parts.uri.path().starts_with("/__mock/") {
        return control::handle(&shared, &parts, body).await;
    }
    let (bytes, too_large) = match axum::body::to_bytes(body, HARD_BODY_CAP).await {
        Ok(b) => (b, false),
        Err(_) => (Bytes::new(), true),
    };
    let seq = record_start(&shared, &parts, &bytes);
    let mut guard = PendingGuard::new(shared.clone(), seq);
    let mut resp = if too_large {
        payload_too_large()
    } else {
        dispatch(&shared, &parts, bytes).await
    };
    guard.disarm();

    if resp.extensions_mut().remove::<NoCors>().is_none() {
        cors::apply(&shared.config(), &parts.headers, resp.headers_mut());
    }
    let commit = resp
        .extensions_mut()
        .remove::<CommitExt>()
        .and_then(|c| c.take());
    let status = resp.status().as_u16();
    shared.update_record(seq, |r| r.status = Some(status));
    resp.map(|b| Body::new(TrackedBody::new(b, shared, seq, commit)))
}

fn record_start(shared: &Shared, parts: &Parts, body: &Bytes) -> u64 {
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in &parts.headers {
        let v = String::from_utf8_lossy(value.as_bytes()).into_owned();
        headers
            .entry(name.as_str().to_string())
            .and_modify(|old| {
                old.push_str(", ");
                old.push_str(&v);
            })
            .or_insert(v);
    }
    let mut inner = shared.lock();
    let max = inner.config.max_records.max(1);
    if inner.records.len() >= max {
        let excess = inner.records.len() + 1 - max;
        inner.records.drain(..excess);
    }
    let seq = inner.next_seq;
    inner.next_seq += 1;
    inner.records.push(RecordedRequest {
        seq,
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        headers,
        body: serde_json::from_slice(body).unwrap_or(Value::Null),
        body_bytes: body.len(),
        received_at_ms: crate::now_ms(),
        status: None,
        outcome: Outcome::Pending,
        response_end_ms: None,
    });
    seq
}

fn payload_too_large() -> Response {
    errors::error(
        413,
        "Request payload too large",
        Some(serde_json::json!({ "error_type": "payload_too_large" })),
    )
}

async fn dispatch(shared: &Arc<Shared>, parts: &Parts, body: Bytes) -> Response {
    let config = shared.config();
    if parts.method == Method::OPTIONS {
        return cors::preflight(config.cors_allow_headers, &parts.headers);
    }
    if body.len() > config.max_body_bytes {
        return payload_too_large();
    }
    let path = parts.uri.path();
    let query = parse_query(parts.uri.query().unwrap_or(""));
    let get = parts.method == Method::GET;
    let post = parts.method == Method::POST;
    if path == "/auth" {
        return if get {
            auth::page(shared, &query)
        } else {
            errors::method_not_allowed()
        };
    }
    if let Some(name) = path.strip_prefix("/files/") {
        let file = shared.lock().files.get(name).cloned();
        return match file {
            Some((mime, bytes)) if get => {
                let mut resp = Response::new(axum::body::Body::from(bytes));
                resp.headers_mut().insert(
                    axum::http::header::CONTENT_TYPE,
                    axum::http::HeaderValue::from_static(mime),
                );
                resp
            }
            Some(_) => errors::method_not_allowed(),
            None => errors::not_found(),
        };
    }
    let Some(api) = path.strip_prefix("/api/v1/") else {
        return errors::not_found();
    };
    let segments: Vec<&str> = api.trim_end_matches('/').split('/').collect();
    let json: Result<Value, String> = serde_json::from_slice(&body).map_err(|e| e.to_string());
    let only = |allowed: bool, resp: Response| {
        if allowed {
            resp
        } else {
            errors::method_not_allowed()
        }
    };
    match segments.as_slice() {
        ["chat", "completions"] if post => chat::handle(shared, &parts.headers, json).await,
        ["images"] if post => images::handle(shared, &parts.headers, json).await,
        ["auth", "keys"] if post => auth::exchange(shared, json),
        ["chat", "completions"] | ["images"] | ["auth", "keys"] => errors::method_not_allowed(),
        ["models"] => only(get, models::list(&query)),
        ["model", author, slug] => only(get, models::one(author, slug)),
        ["models", author, slug, "endpoints"] => only(get, models::endpoints(author, slug)),
        ["images", "models"] => only(get, models::image_models()),
        ["images", "models", author, slug, "endpoints"] => {
            only(get, models::image_endpoints(author, slug))
        }
        ["key"] => only(get, key::key(shared, &parts.headers)),
        ["credits"] => only(get, key::credits(shared, &parts.headers)),
        ["generation"] => only(get, generation::get(shared, &parts.headers, &query)),
        _ => errors::not_found(),
    }
}

/// `a=1&b=x%20y` → map (last value wins); `+` is a space as in forms.
pub fn parse_query(query: &str) -> BTreeMap<String, String> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The key from `Authorization: Bearer …`, or the 401 to send.
pub fn authenticate(shared: &Shared, headers: &HeaderMap) -> Result<String, Response> {
    let Some(value) = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Err(errors::no_auth());
    };
    let key = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .unwrap_or("")
        .trim();
    if key.is_empty() {
        return Err(errors::no_auth());
    }
    if shared.lock().keys.contains_key(key) {
        Ok(key.to_string())
    } else {
        Err(errors::user_not_found())
    }
}

/// `gen-<unix>-<20 alphanumerics>`
pub fn generation_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut x = nanos
        ^ COUNTER
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let suffix: String = (0..20)
        .map(|_| {
            // splitmix64
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            ALNUM[(z % ALNUM.len() as u64) as usize] as char
        })
        .collect();
    format!("gen-{}-{suffix}", crate::now_ms() / 1000)
}
