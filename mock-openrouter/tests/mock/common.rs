use std::io::Cursor;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use mock_openrouter::{DEMO_KEY, MockConfig, MockServer};
use serde_json::{Value, json};

pub const KLEIN: &str = "black-forest-labs/flux.2-klein-4b";

pub async fn start(config: MockConfig) -> MockServer {
    MockServer::start(config, "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("mock starts")
}

/// No simulated generation time: tests stay fast.
pub fn fast() -> MockConfig {
    MockConfig {
        delay_ms: 0,
        ..MockConfig::default()
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

pub fn chat_body(prompt: &str) -> Value {
    json!({
        "model": KLEIN,
        "messages": [{ "role": "user", "content": prompt }],
        "modalities": ["image"],
    })
}

pub async fn post_as(
    server: &MockServer,
    path: &str,
    key: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    let mut req = client()
        .post(format!("{}{path}", server.base_url()))
        .header("origin", "http://localhost:8080")
        .json(body);
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    req.send().await.expect("request sent")
}

pub async fn post(server: &MockServer, path: &str, body: &Value) -> reqwest::Response {
    post_as(server, path, Some(DEMO_KEY), body).await
}

pub async fn get_as(server: &MockServer, path: &str, key: Option<&str>) -> reqwest::Response {
    let mut req = client()
        .get(format!("{}{path}", server.base_url()))
        .header("origin", "http://localhost:8080");
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    req.send().await.expect("request sent")
}

/// Status and parsed JSON body.
pub async fn json_of(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    let value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text:.300}"));
    (status, value)
}

/// `data:<mime>;base64,<payload>` → (mime, bytes)
pub fn decode_data_url(url: &str) -> (String, Vec<u8>) {
    let rest = url.strip_prefix("data:").expect("data URL");
    let (meta, payload) = rest.split_once(',').expect("comma");
    let mime = meta.strip_suffix(";base64").expect("base64 data URL");
    (
        mime.to_string(),
        STANDARD.decode(payload).expect("valid base64"),
    )
}

pub fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

pub fn png_size(bytes: &[u8]) -> (u32, u32) {
    let decoder = png::Decoder::new(Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("PNG pixels decode");
    (info.width, info.height)
}

/// The single image of a chat result.
pub fn chat_image_url(result: &Value) -> String {
    result["choices"][0]["message"]["images"][0]["image_url"]["url"]
        .as_str()
        .unwrap_or_else(|| panic!("no image in {result:.300}"))
        .to_string()
}

/// Parses an SSE body into (comments, data payloads).
pub fn parse_sse(text: &str) -> (Vec<String>, Vec<String>) {
    let normalized = text.replace("\r\n", "\n");
    let mut comments = Vec::new();
    let mut data = Vec::new();
    for event in normalized.split("\n\n") {
        for line in event.lines() {
            if let Some(c) = line.strip_prefix(':') {
                comments.push(c.trim().to_string());
            } else if let Some(d) = line.strip_prefix("data: ") {
                data.push(d.to_string());
            }
        }
    }
    (comments, data)
}

pub async fn wait_for<F: Fn() -> bool>(what: &str, f: F) {
    for _ in 0..200 {
        if f() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for {what}");
}
