//! What chat and Image API generations share: fault handling, the spend-limit check, and the
//! broken-body variants.

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;

use crate::cors::NoCors;
use crate::errors::{self, FaultContext};
use crate::faults::Fault;
use crate::state::Shared;

/// How a generation that passed validation answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plan {
    Normal,
    ChoiceError,
    DropBeforeDone,
    DropAfterBilling,
    TruncatedBody,
    NoImage,
    NonImageDataUrl,
    UndecodableImage,
}

/// The HTML "image" of the `NonImageDataUrl` fault.
pub const SCRIPT_PAYLOAD: &str = "<script>alert(1)</script>";

/// Resolves a fault into a plan and an optional delay override, or answers right away.
/// `Hang` never returns: the future is pending until the client aborts and hyper drops it.
pub async fn resolve(
    fault: Option<Fault>,
    ctx: &FaultContext<'_>,
) -> Result<(Plan, Option<u64>), Response> {
    let Some(fault) = fault else {
        return Ok((Plan::Normal, None));
    };
    Ok(match fault {
        Fault::Status { status } => return Err(errors::status_fault(status, ctx)),
        Fault::Guardrail => return Err(errors::guardrail()),
        Fault::EchoKey => {
            let message = format!("Invalid request for {}", ctx.authorization);
            return Err(errors::error(400, &message, None));
        }
        Fault::Html5xx { status } => return Err(errors::html_edge(status)),
        Fault::NoCors { status } => {
            let mut resp = errors::status_fault(status, ctx);
            resp.extensions_mut().insert(NoCors);
            return Err(resp);
        }
        Fault::NotJson => {
            let mut resp = Response::new(Body::from("upstream said hello"));
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            return Err(resp);
        }
        Fault::Hang => {
            std::future::pending::<()>().await;
            unreachable!("pending() never resolves")
        }
        Fault::Delay { ms } => (Plan::Normal, Some(ms)),
        Fault::ChoiceError => (Plan::ChoiceError, None),
        Fault::DropBeforeDone => (Plan::DropBeforeDone, None),
        Fault::DropAfterBilling => (Plan::DropAfterBilling, None),
        Fault::TruncatedBody => (Plan::TruncatedBody, None),
        Fault::NoImage => (Plan::NoImage, None),
        Fault::NonImageDataUrl => (Plan::NonImageDataUrl, None),
        Fault::UndecodableImage => (Plan::UndecodableImage, None),
    })
}

/// The rendered image as the plan sends it: for `UndecodableImage`, a PNG
/// with its header's checksum (IHDR CRC, bytes 29–32) flipped.
pub fn as_planned(plan: Plan, mut bytes: Vec<u8>) -> Vec<u8> {
    if plan == Plan::UndecodableImage && bytes.starts_with(b"\x89PNG") && bytes.len() > 33 {
        for byte in &mut bytes[29..33] {
            *byte ^= 0xff;
        }
    }
    bytes
}

/// 402 when the key's remaining limit cannot pay for this generation.
pub fn check_limit(shared: &Shared, key: &str, cost: f64) -> Result<(), Response> {
    let inner = shared.lock();
    match inner
        .keys
        .get(key)
        .and_then(|k| k.limit.map(|l| l - k.usage))
    {
        Some(remaining) if remaining < cost => {
            // "can only afford N" tokens at klein's per-token image price.
            let affordable = (remaining.max(0.0) / 0.00000342) as u64;
            Err(errors::payment_required(affordable))
        }
        _ => Ok(()),
    }
}

/// A JSON body delivered broken: `TruncatedBody` = first half with a matching length;
/// `DropBeforeDone` = first half, full `Content-Length` declared, then the connection is cut.
pub fn broken_json(full: Vec<u8>, plan: Plan) -> Response {
    let full = Bytes::from(full);
    let half = full.slice(..full.len() / 2);
    let mut resp = if matches!(plan, Plan::DropBeforeDone | Plan::DropAfterBilling) {
        let (tx, body) = crate::sse::channel_body(2);
        tokio::spawn(async move {
            let _ = tx.send(Ok(half)).await;
            // Let the half reach the client before the cut.
            tokio::time::sleep(Duration::from_millis(50)).await;
            let _ = tx
                .send(Err(std::io::Error::other("mock: connection dropped")))
                .await;
        });
        let mut r = Response::new(body);
        r.headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(full.len()));
        r
    } else {
        Response::new(Body::from(half))
    };
    *resp.status_mut() = StatusCode::OK;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// The request body as a JSON object, or the 400 OpenRouter answers otherwise.
pub fn json_object(json: Result<serde_json::Value, String>) -> Result<serde_json::Value, Response> {
    match json {
        Ok(v) if v.is_object() => Ok(v),
        Ok(_) => Err(errors::bad_request(
            "Request body must be a JSON object",
            "invalid_request",
        )),
        Err(e) => Err(errors::bad_request(
            &format!("Invalid JSON in request body: {e}"),
            "invalid_request",
        )),
    }
}
