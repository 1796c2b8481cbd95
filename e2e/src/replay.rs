//! Asking the mock (or any loopback server) directly, outside the browser, with hyper-util's
//! client.

use std::net::SocketAddr;

use base64::Engine as _;
use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

use crate::{DEMO_KEY, Result, bail};

/// An answer read to its end (chunked bodies already joined).
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// Sends one plain-HTTP request and reads the whole answer.
pub async fn send(
    method: Method,
    url: &str,
    headers: &[(header::HeaderName, &str)],
    body: Vec<u8>,
) -> Result<Answer> {
    let client =
        Client::builder(TokioExecutor::new()).build::<_, Full<Bytes>>(HttpConnector::new());
    let mut request = Request::builder().method(method).uri(url);
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    let response = client
        .request(request.body(Full::new(Bytes::from(body)))?)
        .await?;
    let (parts, body) = response.into_parts();
    Ok(Answer {
        status: parts.status,
        headers: parts.headers,
        body: body.collect().await?.to_bytes(),
    })
}

/// Sends `body` to the mock's chat endpoint again and returns the first image's bytes
/// (the mock is deterministic: the same request gives the same image).
pub async fn replay_image(addr: &SocketAddr, body: &Value) -> Result<Vec<u8>> {
    // The same request answered as one JSON body (the image depends only on
    // prompt, seed and references, not on streaming).
    let mut body = body.clone();
    body["stream"] = Value::Bool(false);
    let answer = send(
        Method::POST,
        &format!("http://{addr}/api/v1/chat/completions"),
        &[
            (header::AUTHORIZATION, &format!("Bearer {DEMO_KEY}")),
            (header::CONTENT_TYPE, "application/json"),
        ],
        body.to_string().into_bytes(),
    )
    .await?;
    if !answer.status.is_success() {
        bail!(
            "the replayed request got {}: {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        );
    }
    let json: Value = serde_json::from_slice(&answer.body)?;
    let url = json
        .pointer("/choices/0/message/images/0/image_url/url")
        .and_then(Value::as_str)
        .ok_or("no image in the replayed answer")?;
    let b64 = url
        .split_once("base64,")
        .ok_or("not a base64 data URL")?
        .1
        .trim();
    Ok(base64::engine::general_purpose::STANDARD.decode(b64)?)
}
