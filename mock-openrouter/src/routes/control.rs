//! `/__mock/*`: test control endpoints. CORS-enabled, never recorded.

use axum::body::Body;
use axum::http::Method;
use axum::http::request::Parts;
use axum::response::Response;
use serde_json::json;

use crate::config::{CorsAllowHeaders, MockConfig};
use crate::cors;
use crate::errors::{self, json_response};
use crate::faults::Fault;
use crate::state::Shared;

pub async fn handle(shared: &Shared, parts: &Parts, body: Body) -> Response {
    if parts.method == Method::OPTIONS {
        return cors::preflight(CorsAllowHeaders::Reflect, &parts.headers);
    }
    let bytes = axum::body::to_bytes(body, 1024 * 1024)
        .await
        .unwrap_or_default();
    let mut resp = route(shared, parts, &bytes);
    cors::apply(&MockConfig::default(), &parts.headers, resp.headers_mut());
    resp
}

fn ok() -> Response {
    json_response(200, &json!({ "ok": true }))
}

fn route(shared: &Shared, parts: &Parts, bytes: &[u8]) -> Response {
    match (parts.method.clone(), parts.uri.path()) {
        (Method::GET, "/__mock/requests") => {
            let records = shared.lock().records.clone();
            json_response(200, &json!(records))
        }
        (Method::GET, "/__mock/config") => json_response(200, &json!(shared.config())),
        (Method::POST, "/__mock/faults") => match serde_json::from_slice::<Fault>(bytes) {
            Ok(f) => {
                shared.push_fault(f);
                ok()
            }
            Err(e) => errors::bad_request(&format!("invalid fault: {e}"), "invalid_request"),
        },
        (Method::POST, "/__mock/config") => match serde_json::from_slice::<MockConfig>(bytes) {
            Ok(c) => {
                shared.set_config(c);
                ok()
            }
            Err(e) => errors::bad_request(&format!("invalid config: {e}"), "invalid_request"),
        },
        (Method::POST, "/__mock/reset") => {
            shared.reset();
            ok()
        }
        (_, "/__mock/requests" | "/__mock/faults" | "/__mock/config" | "/__mock/reset") => {
            errors::method_not_allowed()
        }
        _ => errors::not_found(),
    }
}
