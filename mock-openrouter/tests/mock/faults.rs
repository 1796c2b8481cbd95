use std::time::{Duration, Instant};

use mock_openrouter::{Fault, MockConfig, Outcome};
use serde_json::{Value, json};

use crate::common::*;

#[tokio::test]
async fn status_faults_have_reference_bodies() {
    let server = start(fast()).await;
    let expected = [
        (400, "is not a valid model ID"),
        (401, "User not found."),
        (402, "requires more credits"),
        (403, "requires moderation"),
        (
            404,
            "No endpoints found that support the requested output modalities",
        ),
        (408, "Operation timed out"),
        (413, "Request payload too large"),
        (422, "Invalid argument"),
        (429, "Rate limit exceeded"),
        (500, "Internal Server Error"),
        (502, "Provider returned error"),
        (503, "Service temporarily unavailable"),
        (524, "timed out"),
        (529, "overloaded"),
    ];
    for (status, message) in expected {
        server.push_fault(Fault::Status { status });
        let resp = post(&server, "/chat/completions", &chat_body("a violent fox")).await;
        let headers = resp.headers().clone();
        let (got, v) = json_of(resp).await;
        assert_eq!(got, status);
        assert_eq!(v["error"]["code"], status, "{v}");
        let msg = v["error"]["message"].as_str().expect("message");
        assert!(msg.contains(message), "{status}: {msg}");
        assert!(headers.contains_key("access-control-allow-origin"));
        let meta = &v["error"]["metadata"];
        match status {
            400 => assert_eq!(v["error"]["availability"]["code"], "model_not_found"),
            402 => {
                assert!(meta["provider_name"].is_null() && meta.get("provider_name").is_some());
                assert!(v["user_id"].is_string());
            }
            403 => {
                assert_eq!(meta["reasons"], json!(["violence"]));
                assert_eq!(meta["flagged_input"], "a violent fox");
                assert_eq!(meta["provider_name"], "Black Forest Labs");
                assert_eq!(meta["model_slug"], KLEIN);
            }
            404 => {
                assert!(meta["routing_funnel"].is_array());
                assert_eq!(
                    meta["failed_routing_step"],
                    "Filter by Model Output Modalities"
                );
            }
            429 => {
                assert_eq!(headers["retry-after"], "2");
                assert_eq!(headers["x-ratelimit-remaining"], "0");
                assert!(
                    headers.contains_key("x-ratelimit-limit")
                        && headers.contains_key("x-ratelimit-reset")
                );
                let a = &v["error"]["availability"];
                assert_eq!(a["code"], "capacity_exhausted");
                assert_eq!(a["retryable"], true);
                assert_eq!(a["retry_after"], 2);
            }
            500 => assert_eq!(meta["error_type"], "server"),
            502 => {
                assert!(meta["raw"].is_string());
                assert_eq!(meta["provider_name"], "Black Forest Labs");
            }
            503 => {
                assert_eq!(headers["retry-after"], "2");
                assert_eq!(
                    v["error"]["availability"]["code"],
                    "temporarily_unavailable"
                );
            }
            _ => {}
        }
    }
    // Image API too.
    server.push_fault(Fault::Status { status: 429 });
    let resp = post(
        &server,
        "/images",
        &json!({ "model": KLEIN, "prompt": "x" }),
    )
    .await;
    assert_eq!(resp.status(), 429);
}

#[tokio::test]
async fn guardrail_html_nocors_notjson() {
    let server = start(fast()).await;
    server.push_fault(Fault::Guardrail);
    let (status, v) = json_of(post(&server, "/chat/completions", &chat_body("x")).await).await;
    assert_eq!(status, 403);
    assert!(v["error"]["metadata"]["patterns"].is_array());

    server.push_fault(Fault::Html5xx { status: 502 });
    let resp = post(&server, "/chat/completions", &chat_body("x")).await;
    assert_eq!(resp.status(), 502);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/html")
    );
    assert!(resp.headers().contains_key("access-control-allow-origin"));
    assert!(resp.text().await.expect("body").contains("<html"));

    server.push_fault(Fault::NoCors { status: 500 });
    let resp = post(&server, "/chat/completions", &chat_body("x")).await;
    assert_eq!(resp.status(), 500);
    assert!(
        !resp
            .headers()
            .keys()
            .any(|k| k.as_str().starts_with("access-control-"))
    );

    server.push_fault(Fault::NotJson);
    let resp = post(&server, "/chat/completions", &chat_body("x")).await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/plain")
    );
    assert_eq!(resp.text().await.expect("body"), "upstream said hello");
}

#[tokio::test]
async fn faults_are_fifo_and_one_shot() {
    let server = start(fast()).await;
    server.push_fault(Fault::Status { status: 502 });
    server.push_fault(Fault::Status { status: 503 });
    let codes = [
        post(&server, "/chat/completions", &chat_body("1"))
            .await
            .status(),
        post(&server, "/images", &json!({"model": KLEIN, "prompt": "2"}))
            .await
            .status(),
        post(&server, "/chat/completions", &chat_body("3"))
            .await
            .status(),
    ];
    assert_eq!(codes.map(|c| c.as_u16()), [502, 503, 200]);
}

#[tokio::test]
async fn delay_fault_waits() {
    let server = start(fast()).await;
    server.push_fault(Fault::Delay { ms: 400 });
    let t = Instant::now();
    let resp = post(&server, "/chat/completions", &chat_body("slow")).await;
    assert_eq!(resp.status(), 200);
    assert!(t.elapsed() >= Duration::from_millis(400));
}

#[tokio::test]
async fn hang_until_client_aborts() {
    let server = start(fast()).await;
    server.push_fault(Fault::Hang);
    let result = client()
        .post(format!("{}/chat/completions", server.base_url()))
        .bearer_auth(mock_openrouter::DEMO_KEY)
        .json(&chat_body("hang"))
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(result.is_err(), "a hung request never answers");
    wait_for("aborted outcome", || {
        server
            .requests()
            .first()
            .is_some_and(|r| r.outcome == Outcome::Aborted)
    })
    .await;
    assert_eq!(server.requests()[0].status, None);
}

#[tokio::test]
async fn choice_error_json_and_stream() {
    let server = start(fast()).await;
    server.push_fault(Fault::ChoiceError);
    let (status, v) = json_of(post(&server, "/chat/completions", &chat_body("x")).await).await;
    assert_eq!(status, 200);
    let choice = &v["choices"][0];
    assert_eq!(choice["finish_reason"], "error");
    assert_eq!(choice["error"]["code"], 502);
    assert_eq!(
        choice["error"]["metadata"]["error_type"],
        "provider_unavailable"
    );

    server.push_fault(Fault::ChoiceError);
    let mut body = chat_body("x");
    body["stream"] = json!(true);
    let resp = post(&server, "/chat/completions", &body).await;
    assert_eq!(resp.status(), 200);
    let (_, data) = parse_sse(&resp.text().await.expect("body"));
    let last: Value = serde_json::from_str(data.last().expect("events")).expect("json");
    assert_eq!(last["error"]["code"], 502);
    assert_eq!(last["choices"][0]["finish_reason"], "error");
}

#[tokio::test]
async fn drop_before_done() {
    let server = start(fast()).await;
    server.push_fault(Fault::DropBeforeDone);
    let resp = post(&server, "/chat/completions", &chat_body("x")).await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.bytes().await.is_err(),
        "the body must end in a network error"
    );

    server.push_fault(Fault::DropBeforeDone);
    let mut body = chat_body("x");
    body["stream"] = json!(true);
    let resp = post(&server, "/chat/completions", &body).await;
    let mut got = Vec::new();
    let mut stream = resp.bytes_stream();
    let mut failed = false;
    use futures_util::StreamExt;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(c) => got.extend_from_slice(&c),
            Err(_) => {
                failed = true;
                break;
            }
        }
    }
    assert!(failed, "the stream must be cut");
    let text = String::from_utf8_lossy(&got);
    assert!(text.contains("\"role\":\"assistant\""));
    assert!(!text.contains("[DONE]"));
}

#[tokio::test]
async fn broken_successes() {
    let server = start(fast()).await;
    server.push_fault(Fault::TruncatedBody);
    let resp = post(&server, "/chat/completions", &chat_body("x")).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let text = resp.text().await.expect("complete framing");
    assert!(text.starts_with("{\""));
    assert!(serde_json::from_str::<Value>(&text).is_err());

    server.push_fault(Fault::NoImage);
    let (status, v) = json_of(post(&server, "/chat/completions", &chat_body("x")).await).await;
    assert_eq!(status, 200);
    assert!(v["choices"][0]["message"].get("images").is_none());

    server.push_fault(Fault::NonImageDataUrl);
    let (_, v) = json_of(post(&server, "/chat/completions", &chat_body("x")).await).await;
    let (mime, bytes) = decode_data_url(&chat_image_url(&v));
    assert_eq!(mime, "text/html");
    assert_eq!(bytes, b"<script>alert(1)</script>");
}

#[tokio::test]
async fn magic_prompts() {
    let server = start(fast()).await;
    let status = |p: &str| {
        let body = chat_body(p);
        let server = &server;
        async move { post(server, "/chat/completions", &body).await }
    };
    assert_eq!(status("fox [mock:status=429]").await.status(), 429);
    let html = status("fox [mock:html5xx=503]").await;
    assert_eq!(html.status(), 503);
    assert!(
        html.headers()["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/html")
    );
    let (_, v) = json_of(status("[mock:no_image]").await).await;
    assert!(v["choices"][0]["message"].get("images").is_none());
    let t = Instant::now();
    assert_eq!(status("[mock:delay=300]").await.status(), 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
    let images = post(
        &server,
        "/images",
        &json!({"model": KLEIN, "prompt": "[mock:status=502]"}),
    )
    .await;
    assert_eq!(images.status(), 502);
}

#[tokio::test]
async fn fault_header_and_precedence() {
    let server = start(fast()).await;
    let send = |header: &'static str, prompt: &'static str| {
        let server = &server;
        async move {
            client()
                .post(format!("{}/chat/completions", server.base_url()))
                .bearer_auth(mock_openrouter::DEMO_KEY)
                .header("x-mock-fault", header)
                .json(&chat_body(prompt))
                .send()
                .await
                .expect("sent")
                .status()
                .as_u16()
        }
    };
    assert_eq!(send("status=503", "x").await, 503);
    assert_eq!(
        send("status=503", "[mock:status=429]").await,
        503,
        "header beats prompt"
    );
    server.push_fault(Fault::Status { status: 502 });
    assert_eq!(send("status=503", "x").await, 502, "queue beats header");
    assert_eq!(send("nonsense", "x").await, 200);
}

#[tokio::test]
async fn records_are_capped() {
    let server = start(MockConfig {
        max_records: 3,
        ..fast()
    })
    .await;
    for _ in 0..5 {
        get_as(&server, "/models", None).await;
    }
    let seqs: Vec<u64> = server.requests().iter().map(|r| r.seq).collect();
    assert_eq!(seqs, vec![3, 4, 5]);
}

#[tokio::test]
async fn control_endpoints_over_http() {
    let server = start(fast()).await;
    let c = client();
    let ok = c
        .post(format!("{}/__mock/faults", server.origin()))
        .json(&json!({"kind": "status", "status": 418}))
        .send()
        .await
        .expect("sent");
    assert_eq!(ok.status(), 200);
    assert_eq!(
        post(&server, "/chat/completions", &chat_body("x"))
            .await
            .status(),
        418
    );

    let cfg = c
        .post(format!("{}/__mock/config", server.origin()))
        .json(&json!({"require_modalities": true, "delay_ms": 0}))
        .send()
        .await
        .expect("sent");
    assert_eq!(cfg.status(), 200);
    assert!(server.config().require_modalities);
    assert_eq!(
        server.config().keepalive_ms,
        MockConfig::default().keepalive_ms
    );

    let records: Value = c
        .get(format!("{}/__mock/requests", server.origin()))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let records = records.as_array().expect("array");
    assert_eq!(records.len(), 1, "control calls are not recorded");
    assert_eq!(records[0]["path"], "/api/v1/chat/completions");
    assert_eq!(records[0]["status"], 418);
    assert_eq!(records[0]["outcome"], "completed");
    assert_eq!(records[0]["body"]["model"], KLEIN);
    assert_eq!(
        records[0]["headers"]["authorization"],
        format!("Bearer {}", mock_openrouter::DEMO_KEY)
    );

    let reset = c
        .post(format!("{}/__mock/reset", server.origin()))
        .send()
        .await
        .expect("sent");
    assert_eq!(reset.status(), 200);
    assert!(server.requests().is_empty());
    assert!(!server.config().require_modalities);
}
