//! Streamed chat chunks: images from `delta.images`, cost from a usage chunk,
//! and the mid-stream error chunk.
#![cfg(not(target_arch = "wasm32"))]

use base64::Engine as _;
use kleinbild::api::ApiError;
use kleinbild::api::stream::StreamAccumulator;
use serde_json::json;

fn png_url(w: u32, h: u32) -> String {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    b.extend_from_slice(&w.to_be_bytes());
    b.extend_from_slice(&h.to_be_bytes());
    b.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(b)
    )
}

fn chunk(delta: serde_json::Value, finish: Option<&str>) -> String {
    json!({"id": "gen-1", "provider": "Black Forest Labs", "model": "black-forest-labs/flux.2-klein-4b",
           "object": "chat.completion.chunk", "created": 1,
           "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
    .to_string()
}

#[test]
fn images_arrive_in_deltas_and_usage_in_a_chunk_without_choices() {
    let mut acc = StreamAccumulator::default();
    acc.push(&json!({"choices": [], "debug": {"echo_upstream_body": {}}}).to_string())
        .unwrap();
    acc.push(&chunk(json!({"role": "assistant", "content": ""}), None))
        .unwrap();
    acc.push(&chunk(
        json!({"images": [{"type": "image_url", "image_url": {"url": png_url(1024, 1024)}}]}),
        None,
    ))
    .unwrap();
    acc.push(&chunk(
        json!({"images": [{"image_url": {"url": png_url(512, 256)}}]}),
        None,
    ))
    .unwrap();
    acc.push(&chunk(json!({}), Some("stop"))).unwrap();
    acc.push(&json!({"id": "gen-1", "choices": [], "usage": {"cost": 0.014}}).to_string())
        .unwrap();
    let output = acc.finish().unwrap();
    assert_eq!(output.images.len(), 2);
    assert_eq!(
        (output.images[1].width, output.images[1].height),
        (512, 256)
    );
    assert_eq!(output.cost_usd, Some(0.014));
    assert_eq!(output.generation_id.as_deref(), Some("gen-1"));
    assert_eq!(output.provider.as_deref(), Some("Black Forest Labs"));
}

#[test]
fn the_mid_stream_error_chunk_ends_the_generation() {
    let mut acc = StreamAccumulator::default();
    acc.push(&chunk(json!({"role": "assistant"}), None))
        .unwrap();
    let error = json!({"id": "gen-1", "object": "chat.completion.chunk", "created": 1, "model": "m",
        "error": {"code": 502, "message": "Provider returned error"},
        "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}]});
    assert!(matches!(
        acc.push(&error.to_string()),
        Err(ApiError::GenerationFailed { .. })
    ));
    // A rate limit after the start keeps its own message; so does a string code.
    let mut acc = StreamAccumulator::default();
    let limited = json!({"error": {"code": 429, "message": "Rate limit exceeded"},
        "choices": [{"index": 0, "delta": {}, "finish_reason": "error"}]});
    assert!(matches!(
        acc.push(&limited.to_string()),
        Err(ApiError::RateLimited { .. })
    ));
    let mut acc = StreamAccumulator::default();
    let bare = chunk(json!({}), Some("error"));
    assert!(matches!(
        acc.push(&bare),
        Err(ApiError::GenerationFailed { .. })
    ));
}

#[test]
fn no_image_or_damaged_chunks_are_errors() {
    let mut acc = StreamAccumulator::default();
    acc.push(&chunk(
        json!({"images": [{"image_url": {"url": "data:text/html;base64,PGI+"}}]}),
        None,
    ))
    .unwrap();
    assert!(matches!(acc.finish(), Err(ApiError::NoImage { .. })));
    let mut acc = StreamAccumulator::default();
    assert!(matches!(
        acc.push("{\"choices\": ["),
        Err(ApiError::Malformed { .. })
    ));
    assert!(matches!(
        StreamAccumulator::default().finish(),
        Err(ApiError::NoImage { .. })
    ));
}
