//! OAuth PKCE (§8): the fake `GET /auth` consent page and `POST /api/v1/auth/keys`.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::errors::{self, json_response};
use crate::state::{KeyState, OAuthCode, Shared};

fn random_hex(n_bytes: usize) -> String {
    // Not security-relevant: uniqueness is enough for a mock.
    let mut h = Sha256::new();
    h.update(super::generation_id().as_bytes());
    h.update(crate::now_ms().to_le_bytes());
    let digest = h.finalize();
    let mut s: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    while s.len() < n_bytes * 2 {
        s = format!("{s}{s}");
    }
    s.truncate(n_bytes * 2);
    s
}

/// `GET /auth?callback_url=…&code_challenge=…&code_challenge_method=S256`: the user "consents"
/// at once and is redirected to `callback_url?code=…`. Without a callback (headless mode) the
/// code is shown on the page.
pub fn page(shared: &Shared, query: &BTreeMap<String, String>) -> Response {
    let challenge = query
        .get("code_challenge")
        .filter(|c| !c.is_empty())
        .cloned();
    let method = match (
        &challenge,
        query.get("code_challenge_method").map(String::as_str),
    ) {
        (None, _) => None,
        (Some(_), None | Some("")) => Some("plain".to_string()),
        (Some(_), Some(m @ ("S256" | "plain"))) => Some(m.to_string()),
        (Some(_), Some(_)) => {
            return errors::bad_request("Invalid code_challenge_method", "invalid_request");
        }
    };
    let code = random_hex(16);
    shared.lock().codes.insert(
        code.clone(),
        OAuthCode {
            challenge,
            method,
            created_ms: crate::now_ms(),
        },
    );
    let mut resp = match query.get("callback_url").filter(|c| !c.is_empty()) {
        Some(callback) => {
            let sep = if callback.contains('?') { '&' } else { '?' };
            let location = format!("{callback}{sep}code={code}");
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::FOUND;
            match HeaderValue::from_str(&location) {
                Ok(v) => {
                    r.headers_mut().insert(header::LOCATION, v);
                }
                Err(_) => return errors::bad_request("Invalid callback_url", "invalid_request"),
            }
            r
        }
        None => Response::new(Body::from(format!(
            "<!DOCTYPE html><html><body><h1>Mock OpenRouter authorization</h1>\
             <p>Your code: <code id=\"code\">{code}</code></p></body></html>"
        ))),
    };
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=UTF-8"),
    );
    resp
}

fn invalid() -> Response {
    errors::error(403, "Invalid code or code_verifier", None)
}

/// `POST /api/v1/auth/keys {code, code_verifier?, code_challenge_method?}` → `{key, user_id}`.
pub fn exchange(shared: &Shared, body: Result<Value, String>) -> Response {
    let Ok(body) = body else {
        return errors::bad_request("Invalid JSON in request body", "invalid_request");
    };
    let Some(code) = body.get("code").and_then(Value::as_str) else {
        return errors::bad_request("code: Required", "invalid_request");
    };
    let requested_method = match body.get("code_challenge_method") {
        None | Some(Value::Null) => None,
        Some(Value::String(m)) if m == "S256" || m == "plain" => Some(m.clone()),
        Some(_) => return errors::bad_request("Invalid code_challenge_method", "invalid_request"),
    };
    let verifier = body.get("code_verifier").and_then(Value::as_str);

    let mut inner = shared.lock();
    let ttl = inner.config.oauth_code_ttl_ms;
    let Some(entry) = inner.codes.get(code) else {
        return invalid();
    };
    if crate::now_ms() >= entry.created_ms + ttl {
        inner.codes.remove(code);
        return errors::error(403, "Authorization code expired", None);
    }
    if let (Some(req), Some(stored)) = (&requested_method, &entry.method)
        && req != stored
    {
        return errors::bad_request("Invalid code_challenge_method", "invalid_request");
    }
    if let Some(challenge) = &entry.challenge {
        let Some(verifier) = verifier else {
            return invalid();
        };
        let computed = match entry.method.as_deref() {
            Some("S256") => URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
            _ => verifier.to_string(),
        };
        if &computed != challenge {
            return invalid();
        }
    }
    // Single use.
    inner.codes.remove(code);
    let key = format!("sk-or-v1-{}", random_hex(32));
    let user_id = crate::errors::MOCK_USER_ID.to_string();
    inner.keys.insert(
        key.clone(),
        KeyState {
            label: "OAuth key (mock)".into(),
            limit: None,
            usage: 0.0,
            management: false,
            user_id: user_id.clone(),
        },
    );
    json_response(200, &json!({ "key": key, "user_id": user_id }))
}
