use futures_util::StreamExt;
use mock_openrouter::{MockConfig, Outcome};
use serde_json::Value;

use crate::common::*;

fn stream_body(prompt: &str) -> Value {
    let mut b = chat_body(prompt);
    b["stream"] = Value::Bool(true);
    b
}

#[tokio::test]
async fn sse_framing() {
    let server = start(MockConfig {
        delay_ms: 350,
        keepalive_ms: 100,
        ..MockConfig::default()
    })
    .await;
    let resp = post(&server, "/chat/completions", &stream_body("stream me")).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    assert_eq!(
        resp.headers()["access-control-allow-origin"],
        "http://localhost:8080"
    );
    let header_id = resp.headers()["x-generation-id"]
        .to_str()
        .expect("id")
        .to_string();
    let text = resp.text().await.expect("body");
    let (comments, data) = parse_sse(&text);
    assert!(
        comments.len() >= 2,
        "keep-alives during the delay: {comments:?}"
    );
    assert!(comments.iter().all(|c| c == "OPENROUTER PROCESSING"));
    assert_eq!(data.last().map(String::as_str), Some("[DONE]"));
    let chunks: Vec<Value> = data[..data.len() - 1]
        .iter()
        .map(|d| serde_json::from_str(d).expect("chunk JSON"))
        .collect();
    assert_eq!(chunks.len(), 3, "role, image, finish");
    assert!(
        chunks
            .iter()
            .all(|c| c["object"] == "chat.completion.chunk" && c["id"] == header_id.as_str())
    );
    assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
    let url = chunks[1]["choices"][0]["delta"]["images"][0]["image_url"]["url"]
        .as_str()
        .expect("image in one delta");
    let (_, bytes) = decode_data_url(url);
    assert_eq!(png_size(&bytes), (1024, 1024));
    assert_eq!(chunks[2]["choices"][0]["finish_reason"], "stop");
    assert_eq!(chunks[2]["usage"]["cost"], 0.014);
    // The image is a single line.
    assert!(text.lines().any(|l| l.len() > 100_000));
}

#[tokio::test]
async fn sse_separate_usage_chunk_and_crlf() {
    let server = start(MockConfig {
        separate_usage_chunk: true,
        crlf: true,
        ..fast()
    })
    .await;
    let text = post(&server, "/chat/completions", &stream_body("crlf"))
        .await
        .text()
        .await
        .expect("body");
    assert!(text.contains("\r\n\r\n"));
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "only CRLF line endings"
    );
    let (_, data) = parse_sse(&text);
    let usage_chunk: Value = serde_json::from_str(&data[data.len() - 2]).expect("usage chunk");
    assert_eq!(usage_chunk["choices"], serde_json::json!([]));
    assert_eq!(usage_chunk["usage"]["cost"], 0.014);
    let finish: Value = serde_json::from_str(&data[data.len() - 3]).expect("finish chunk");
    assert_eq!(finish["choices"][0]["finish_reason"], "stop");
    assert!(finish.get("usage").is_none());
}

#[tokio::test]
async fn sse_split_writes_reassemble() {
    let server = start(MockConfig {
        split_writes: true,
        ..fast()
    })
    .await;
    let resp = post(&server, "/chat/completions", &stream_body("split")).await;
    let mut stream = resp.bytes_stream();
    let mut pieces = 0;
    let mut all = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.expect("chunk");
        pieces += 1;
        all.extend_from_slice(&chunk);
    }
    let text = String::from_utf8(all).expect("utf8");
    let (_, data) = parse_sse(&text);
    assert_eq!(data.last().map(String::as_str), Some("[DONE]"));
    assert_eq!(data.len(), 4);
    assert!(pieces > 20, "writes were not split: {pieces} pieces");
}

#[tokio::test]
async fn sse_client_abort_is_recorded_and_not_charged() {
    let server = start(MockConfig {
        delay_ms: 10_000,
        keepalive_ms: 50,
        generation_404_ms: 0,
        ..MockConfig::default()
    })
    .await;
    let resp = post(&server, "/chat/completions", &stream_body("cancel me")).await;
    let id = resp.headers()["x-generation-id"]
        .to_str()
        .expect("id")
        .to_string();
    let mut stream = resp.bytes_stream();
    let first = stream.next().await.expect("first chunk").expect("ok");
    assert!(String::from_utf8_lossy(&first).contains("OPENROUTER PROCESSING"));
    drop(stream);
    wait_for("aborted outcome", || {
        server
            .requests()
            .first()
            .is_some_and(|r| r.outcome == Outcome::Aborted)
    })
    .await;
    let r = &server.requests()[0];
    assert_eq!(r.status, Some(200));
    assert!(r.response_end_ms.is_none());
    let (_, key) = json_of(get_as(&server, "/key", Some(mock_openrouter::DEMO_KEY)).await).await;
    assert_eq!(key["data"]["usage"], 0.0);
    let (status, g) = json_of(
        get_as(
            &server,
            &format!("/generation?id={id}"),
            Some(mock_openrouter::DEMO_KEY),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(g["data"]["cancelled"], true);
    assert_eq!(g["data"]["streamed"], true);
    assert_eq!(g["data"]["total_cost"], 0);
}
