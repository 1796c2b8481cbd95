//! Reading an SSE answer as it arrives, straight from the response's
//! ReadableStream (the SSE framing is in `api::sse`, the chunks' meaning in
//! `api::stream`).

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::ReadableStreamDefaultReader;

use super::cancel::IdleTimer;
use super::http::Sent;
use crate::api::ApiError;
use crate::api::sse::{SseDecoder, SseEvent};
use crate::api::stream::StreamAccumulator;
use crate::generation::{GenerationOutput, Phase};

/// Keep-alive comments report progress, data chunks are interpreted, `[DONE]`
/// ends it; the end of the connection before `[DONE]` is an interrupted
/// generation. Every piece of data resets the idle timer.
pub(super) async fn read_stream(
    response: &Sent,
    idle: &IdleTimer,
    on_phase: &dyn Fn(Phase),
    classify: &impl Fn(String) -> ApiError,
) -> Result<GenerationOutput, ApiError> {
    let body = response.body().ok_or(ApiError::Interrupted {
        generation_id: None,
    })?;
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut decoder = SseDecoder::new();
    let mut answer = StreamAccumulator::default();
    let t = crate::i18n::later();
    let not_text = |_| ApiError::Malformed {
        detail: t.studio_detail_stream_not_text.into(),
    };
    let read_failed = |error: wasm_bindgen::JsValue| {
        classify(match error.dyn_ref::<js_sys::Error>() {
            Some(e) => format!("{}: {}", e.name(), e.message()),
            None => t.studio_detail_connection_broke.into(),
        })
    };
    let read = async {
        while !decoder.is_done() {
            let chunk = JsFuture::from(reader.read()).await.map_err(read_failed)?;
            idle.reset();
            let done = js_sys::Reflect::get(&chunk, &"done".into())
                .ok()
                .and_then(|d| d.as_bool())
                .unwrap_or(true);
            if done {
                break;
            }
            let bytes = js_sys::Reflect::get(&chunk, &"value".into())
                .map(|v| js_sys::Uint8Array::new(&v).to_vec())
                .unwrap_or_default();
            for event in decoder.push(&bytes).map_err(not_text)? {
                match event {
                    SseEvent::Comment => on_phase(Phase::Processing),
                    SseEvent::Data(data) => {
                        on_phase(Phase::Receiving);
                        answer.push(&super::held::small_answer_of(data))?;
                    }
                    SseEvent::Done => {}
                }
            }
        }
        // Nothing after [DONE] is needed: release the connection.
        let _ = reader.cancel();
        decoder.finish().map_err(|_| ApiError::Interrupted {
            generation_id: None,
        })
    }
    .await;
    match read {
        // The first chunk names the generation: say which one broke off.
        Err(ApiError::Interrupted {
            generation_id: None,
        }) => Err(ApiError::Interrupted {
            generation_id: answer.generation_id(),
        }),
        Err(other) => Err(other),
        Ok(()) => answer.finish(),
    }
}
