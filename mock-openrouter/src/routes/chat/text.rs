//! The answer of a text model asked for text.

use std::time::Duration;

use axum::body::Body;
use axum::response::Response;
use serde_json::json;

use super::answer::Meta;
use super::stream::sse_response;
use crate::errors::json_response;

/// A text model asked for text: a canned reply, so the catalogue's text model is usable.
pub(super) async fn text_reply(meta: &Meta, stream: bool, delay: u64) -> Response {
    tokio::time::sleep(Duration::from_millis(delay)).await;
    let text = "This is a mock reply.";
    let usage = json!({ "prompt_tokens": 5, "completion_tokens": 6, "total_tokens": 11, "cost": 0, "is_byok": false });
    if stream {
        let mut c = meta.chunk(json!([{
            "index": 0, "delta": { "role": "assistant", "content": text },
            "finish_reason": "stop", "native_finish_reason": "stop", "logprobs": null,
        }]));
        c["usage"] = usage;
        let body = format!("data: {c}\n\ndata: [DONE]\n\n");
        return sse_response(Body::from(body), &meta.id);
    }
    let choice = json!({
        "index": 0, "logprobs": null, "finish_reason": "stop", "native_finish_reason": "stop",
        "message": { "role": "assistant", "content": text, "refusal": null, "reasoning": null },
    });
    json_response(200, &meta.result(choice, usage))
}
