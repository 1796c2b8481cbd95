//! The streamed answer (§3): `text/event-stream` with keep-alives, the image chunk, the finish
//! and usage chunks and `[DONE]`, or a fault's variant of that sequence.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use serde_json::{Value, json};

use super::answer::{Meta, html_data_url, image_part, image_parts, provider_error, usage};
use crate::routes::common::Plan;
use crate::sse::{Sent, SseWriter};
use crate::state::Shared;

pub(super) fn sse_response(body: Body, id: &str) -> Response {
    let mut resp = Response::new(body);
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(id) {
        h.insert("x-generation-id", v);
    }
    resp
}

pub(super) struct StreamJob {
    pub(super) meta: Meta,
    pub(super) plan: Plan,
    pub(super) delay: u64,
    pub(super) keepalive_ms: u64,
    pub(super) separate_usage: bool,
    pub(super) mime: &'static str,
    pub(super) usage: Value,
    pub(super) files: Option<(Arc<Shared>, String)>,
    pub(super) images_per_answer: usize,
}

/// The SSE sequence of §3: keep-alives while "generating", a role chunk, one chunk with the
/// whole image, the finish chunk with usage (or a separate usage chunk), `[DONE]`; or the
/// fault's variant of it.
pub(super) async fn write_stream(
    mut w: SseWriter,
    job: StreamJob,
    render: impl std::future::Future<Output = Result<Vec<u8>, String>>,
) -> Sent {
    let StreamJob { meta, plan, .. } = &job;
    let rendered = w
        .keepalive_while(job.delay, job.keepalive_ms, render)
        .await?;
    let Ok(bytes) = rendered.map(|b| crate::routes::common::as_planned(*plan, b)) else {
        let mut c = meta
            .chunk(json!([{ "index": 0, "delta": { "content": "" }, "finish_reason": "error" }]));
        c["error"] = json!({ "code": 500, "message": "Internal Server Error", "metadata": { "error_type": "server" } });
        return w.data(&c).await;
    };
    w.data(&meta.chunk(json!([{
        "index": 0, "delta": { "role": "assistant", "content": "" },
        "finish_reason": null, "native_finish_reason": null, "logprobs": null,
    }])))
    .await?;
    let images = match plan {
        Plan::NonImageDataUrl => Some(json!([image_part(html_data_url())])),
        Plan::NoImage => None,
        _ => Some(image_parts(
            &job.files,
            job.mime,
            &bytes,
            job.images_per_answer,
        )),
    };
    let images_chunk = images.map(|images| {
        meta.chunk(json!([{
            "index": 0, "delta": { "role": "assistant", "content": "", "images": images },
            "finish_reason": null, "native_finish_reason": null, "logprobs": null,
        }]))
    });
    match plan {
        Plan::ChoiceError => {
            // §3.2: after the first byte, errors come as an HTTP-200 event; then the end.
            let mut c = meta.chunk(json!([{
                "index": 0, "delta": { "content": "" },
                "finish_reason": "error", "native_finish_reason": "error",
            }]));
            c["error"] = provider_error();
            return w.data(&c).await;
        }
        Plan::DropBeforeDone | Plan::DropAfterBilling => {
            // Let the role chunk reach the client before the cut.
            tokio::time::sleep(Duration::from_millis(50)).await;
            w.cut().await;
            return Ok(());
        }
        Plan::TruncatedBody => {
            // Half an event, then a clean end of stream.
            let line = format!("data: {}", images_chunk.unwrap_or(Value::Null));
            let half = line.len() / 2;
            let cut = (0..=half)
                .rev()
                .find(|i| line.is_char_boundary(*i))
                .unwrap_or(0);
            return w.write(line[..cut].to_string()).await;
        }
        Plan::Normal | Plan::NoImage | Plan::NonImageDataUrl | Plan::UndecodableImage => {}
    }
    if let Some(c) = images_chunk {
        w.data(&c).await?;
    }
    let reported = if *plan == Plan::Normal {
        job.usage.clone()
    } else {
        usage(0, 0.0)
    };
    let mut finish = meta.chunk(json!([{
        "index": 0, "delta": { "role": "assistant", "content": "" },
        "finish_reason": "stop", "native_finish_reason": "stop", "logprobs": null,
    }]));
    if job.separate_usage {
        w.data(&finish).await?;
        let mut u = meta.chunk(json!([]));
        u["usage"] = reported;
        w.data(&u).await?;
    } else {
        finish["usage"] = reported;
        w.data(&finish).await?;
    }
    w.done().await
}
