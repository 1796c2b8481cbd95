use mock_openrouter::{CorsAllowHeaders, MockConfig};
use serde_json::json;

use crate::common::*;

async fn preflight(server: &mock_openrouter::MockServer, headers: &str) -> reqwest::Response {
    client()
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/chat/completions", server.base_url()),
        )
        .header("origin", "http://localhost:8080")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", headers)
        .send()
        .await
        .expect("sent")
}

fn allowed(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("access-control-allow-headers")
        .map(|v| v.to_str().expect("ascii").to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn preflight_reflect_mode() {
    let server = start(fast()).await;
    let resp = preflight(&server, "authorization,content-type,openai-beta").await;
    assert_eq!(resp.status(), 204);
    assert_eq!(
        resp.headers()["access-control-allow-origin"],
        "http://localhost:8080"
    );
    assert!(
        resp.headers()["access-control-allow-methods"]
            .to_str()
            .expect("ascii")
            .contains("POST")
    );
    assert!(allowed(&resp).contains("openai-beta"));
    let rec = &server.requests()[0];
    assert_eq!(rec.method, "OPTIONS");
    assert_eq!(
        rec.headers["access-control-request-headers"],
        "authorization,content-type,openai-beta"
    );
    assert_eq!(rec.outcome, mock_openrouter::Outcome::Completed);
}

#[tokio::test]
async fn preflight_strict_mode() {
    let server = start(MockConfig {
        cors_allow_headers: CorsAllowHeaders::Strict,
        ..fast()
    })
    .await;
    let resp = preflight(
        &server,
        "authorization, content-type, http-referer, x-openrouter-title, openai-beta",
    )
    .await;
    assert_eq!(resp.status(), 204);
    let a = allowed(&resp);
    assert!(
        a.contains("authorization") && a.contains("content-type") && a.contains("http-referer")
    );
    assert!(a.contains("x-openrouter-title"));
    assert!(!a.contains("openai-beta"), "{a}");
}

#[tokio::test]
async fn acao_on_errors_and_expose_headers() {
    let server = start(fast()).await;
    let resp = post_as(&server, "/chat/completions", None, &chat_body("x")).await;
    assert_eq!(resp.status(), 401);
    assert_eq!(
        resp.headers()["access-control-allow-origin"],
        "http://localhost:8080"
    );
    assert!(
        resp.headers()
            .get("access-control-expose-headers")
            .is_none()
    );

    server.set_config(MockConfig {
        expose_headers: vec!["X-Generation-Id".into()],
        ..fast()
    });
    let resp = post(
        &server,
        "/images",
        &json!({"model": KLEIN, "prompt": "x", "output_format": "webp"}),
    )
    .await;
    assert_eq!(resp.status(), 400);
    assert_eq!(
        resp.headers()["access-control-expose-headers"],
        "X-Generation-Id"
    );
    assert!(resp.headers().contains_key("access-control-allow-origin"));
}
