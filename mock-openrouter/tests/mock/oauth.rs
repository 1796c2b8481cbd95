use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use mock_openrouter::{MockConfig, MockServer};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::common::*;

/// Runs the consent redirect and returns the code from the callback URL.
async fn code_for(server: &MockServer, challenge: &str, method: &str) -> String {
    let resp = client()
        .get(format!(
            "{}/auth?callback_url=http%3A%2F%2Flocalhost%3A3000%2Fcb&code_challenge={challenge}&code_challenge_method={method}",
            server.origin()
        ))
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 302);
    let location = resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_string();
    let code = location
        .strip_prefix("http://localhost:3000/cb?code=")
        .unwrap_or_else(|| panic!("unexpected redirect {location}"));
    code.to_string()
}

fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[tokio::test]
async fn pkce_s256_flow() {
    let server = start(fast()).await;
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let code = code_for(&server, &s256(verifier), "S256").await;

    let exchange = |code: String, verifier: &str, method: &str| {
        let body =
            json!({"code": code, "code_verifier": verifier, "code_challenge_method": method});
        let server = &server;
        async move { json_of(post_as(server, "/auth/keys", None, &body).await).await }
    };
    let (status, v) = exchange(code.clone(), "wrong-verifier", "S256").await;
    assert_eq!(status, 403);
    assert_eq!(v["error"]["message"], "Invalid code or code_verifier");
    let (status, _) = exchange(code.clone(), verifier, "plain").await;
    assert_eq!(status, 400, "method mismatch");

    let (status, v) = exchange(code.clone(), verifier, "S256").await;
    assert_eq!(status, 200, "{v}");
    let key = v["key"].as_str().expect("key").to_string();
    assert!(key.starts_with("sk-or-v1-"));
    assert!(v.get("user_id").is_some());
    assert_eq!(
        get_as(&server, "/key", Some(&key)).await.status(),
        200,
        "the new key works"
    );

    let (status, _) = exchange(code, verifier, "S256").await;
    assert_eq!(status, 403, "codes are single-use");

    // plain
    let code = code_for(&server, "plain-verifier-value", "plain").await;
    let (status, _) = exchange(code, "plain-verifier-value", "plain").await;
    assert_eq!(status, 200);

    let resp = client()
        .get(format!("{}/auth/keys", server.base_url()))
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 405);
}

#[tokio::test]
async fn expired_codes() {
    let server = start(MockConfig {
        oauth_code_ttl_ms: 50,
        ..fast()
    })
    .await;
    let verifier = "another-verifier-0123456789-abcdefghijklmnop";
    let code = code_for(&server, &s256(verifier), "S256").await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let body = json!({"code": code, "code_verifier": verifier, "code_challenge_method": "S256"});
    let (status, v) = json_of(post_as(&server, "/auth/keys", None, &body).await).await;
    assert_eq!(status, 403);
    assert_eq!(v["error"]["message"], "Authorization code expired");
}
