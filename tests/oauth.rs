//! Native tests of the PKCE pieces: challenge encoding, URLs, the code in the
//! address bar, and the exchange's answers.
#![cfg(not(target_arch = "wasm32"))]

use kleinbild::api::ApiError;
use kleinbild::api::oauth::{
    KeyExchange, auth_page, base64url, code_from_query, parse_exchange, query_without_code,
    sign_in_failure, sign_in_url,
};
use sha2::{Digest, Sha256};

#[test]
fn the_s256_challenge_matches_rfc_7636() {
    // RFC 7636, appendix B.
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = base64url(&Sha256::digest(verifier.as_bytes()));
    assert_eq!(challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    // 32 random bytes make a 43-character verifier, within PKCE's 43..=128.
    assert_eq!(base64url(&[0xff; 32]).len(), 43);
    assert!(!base64url(&[0xfb; 32]).contains(['+', '/', '=']));
}

#[test]
fn the_consent_page_and_its_query() {
    assert_eq!(
        auth_page("https://openrouter.ai/api/v1"),
        "https://openrouter.ai/auth"
    );
    assert_eq!(
        auth_page("http://127.0.0.1:8787/api/v1/"),
        "http://127.0.0.1:8787/auth"
    );
    assert_eq!(
        auth_page("https://proxy.example/or"),
        "https://proxy.example/or/auth"
    );
    assert_eq!(
        sign_in_url(
            "https://openrouter.ai/api/v1",
            "https://me.github.io/kleinbild/",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ),
        "https://openrouter.ai/auth?callback_url=https%3A%2F%2Fme.github.io%2Fkleinbild%2F\
         &code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
    );
}

#[test]
fn the_code_is_read_and_then_removed_from_the_query() {
    assert_eq!(code_from_query("?code=abc123"), Some("abc123".into()));
    assert_eq!(
        code_from_query("?x=1&code=a-b_c.d~e&y=2"),
        Some("a-b_c.d~e".into())
    );
    assert_eq!(code_from_query(""), None);
    assert_eq!(code_from_query("?codex=1"), None);
    assert_eq!(code_from_query("?code="), None);
    assert_eq!(code_from_query("?code=<script>"), None);
    assert_eq!(code_from_query(&format!("?code={}", "a".repeat(600))), None);
    assert_eq!(query_without_code("?code=abc"), "");
    assert_eq!(query_without_code("?x=1&code=abc&y=2"), "?x=1&y=2");
    assert_eq!(query_without_code(""), "");
}

#[test]
fn the_exchange_sends_s256_and_reads_the_key() {
    let body =
        serde_json::from_str::<serde_json::Value>(&KeyExchange::s256("c0de", "verifier").to_json())
            .unwrap();
    assert_eq!(
        body,
        serde_json::json!({"code": "c0de", "code_verifier": "verifier", "code_challenge_method": "S256"})
    );
    assert_eq!(
        parse_exchange(200, r#"{"key":"sk-or-v1-abc","user_id":null}"#),
        Ok("sk-or-v1-abc".into())
    );
    assert!(matches!(
        parse_exchange(200, r#"{"key":""}"#),
        Err(ApiError::Malformed { .. })
    ));
    assert!(matches!(
        parse_exchange(200, "<html>"),
        Err(ApiError::Malformed { .. })
    ));
}

#[test]
fn expired_or_used_codes_are_explained() {
    for body in [
        r#"{"error":{"code":403,"message":"Authorization code expired"}}"#,
        r#"{"error":{"code":403,"message":"Invalid code or code_verifier"}}"#,
    ] {
        let message = sign_in_failure(&parse_exchange(403, body).unwrap_err());
        assert!(message.contains("expired"), "{message}");
        assert!(message.contains("already used"), "{message}");
        assert!(message.contains("Sign in with OpenRouter"), "{message}");
    }
    let offline = sign_in_failure(&ApiError::Network { detail: "x".into() });
    assert!(
        offline.starts_with("Sign-in did not complete. Could not reach the API"),
        "{offline}"
    );
}
