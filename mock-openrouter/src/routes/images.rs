//! `POST /api/v1/images`: the dedicated Image API (§4). Always a buffered response (klein has
//! no native streaming, so `stream` is ignored).

use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use serde_json::{Value, json};

use super::common::{self, Plan};
use super::generation::{self, GenerationInfo};
use super::models::{self, KLEIN};
use super::{authenticate, generation_id};
use crate::config::ImageMime;
use crate::errors::{self, FaultContext, json_response};
use crate::images::{self, InputImageError};
use crate::record::{CommitExt, GenerationCommit};
use crate::state::Shared;

fn bad(message: &str) -> Response {
    errors::bad_request(message, "invalid_request")
}

/// `"1024x768"` → (1024, 768).
fn parse_pixels(size: &str) -> Option<(u32, u32)> {
    let (w, h) = size.split_once(['x', 'X', '*'])?;
    Some((w.trim().parse().ok()?, h.trim().parse().ok()?))
}

fn tier_megapixels(tier: &str) -> Option<f64> {
    match tier {
        "512" | "0.5K" => Some(0.25),
        "1K" => Some(1.0),
        "2K" => Some(4.0),
        "4K" => Some(16.0),
        _ => None,
    }
}

/// Output size from `size`, `aspect_ratio` and `resolution`; pixel `size` is authoritative and
/// a ratio or tier that contradicts it is a 400 (KeithCu/writeragent#762).
fn dims(body: &Value) -> Result<(u32, u32), Response> {
    let s = |name: &str| body.get(name).and_then(Value::as_str);
    let aspect = s("aspect_ratio").filter(|a| *a != "auto");
    let resolution = s("resolution");
    let size = s("size");
    if let Some((w, h)) = size.and_then(parse_pixels) {
        if !(64..=images::MAX_EDGE).contains(&w) || !(64..=images::MAX_EDGE).contains(&h) {
            return Err(bad(&format!(
                "size {w}x{h} is outside the supported range 64..2048"
            )));
        }
        if let Some(a) = aspect {
            let (num, den) = a
                .split_once(':')
                .and_then(|(n, d)| Some((n.parse::<f64>().ok()?, d.parse::<f64>().ok()?)))
                .ok_or_else(|| bad(&format!("Invalid aspect_ratio {a}")))?;
            let want = num / den;
            let got = f64::from(w) / f64::from(h);
            if (got - want).abs() / want > 0.03 {
                return Err(bad(&format!(
                    "size {w}x{h} does not match aspect_ratio {a}"
                )));
            }
        }
        if let Some(r) = resolution {
            let nominal =
                tier_megapixels(r).ok_or_else(|| bad(&format!("Invalid resolution {r}")))?;
            let mp = f64::from(w) * f64::from(h) / 1_048_576.0;
            if mp / nominal < 0.5 || mp / nominal > 2.0 {
                return Err(bad(&format!("size {w}x{h} does not match resolution {r}")));
            }
        }
        return Ok((w, h));
    }
    let tier = match (size, resolution) {
        (Some(sz), Some(r)) if sz != r => {
            return Err(bad(&format!("size {sz} does not match resolution {r}")));
        }
        (Some(sz), _) => Some(sz),
        (None, r) => r,
    };
    images::dims_for(aspect, tier).ok_or_else(|| {
        bad(&format!(
            "Unsupported aspect_ratio/resolution for {KLEIN}: {:?}/{:?}",
            aspect.unwrap_or("1:1"),
            tier.unwrap_or("1K")
        ))
    })
}

pub async fn handle(
    shared: &Arc<Shared>,
    headers: &HeaderMap,
    json: Result<Value, String>,
) -> Response {
    let started_ms = crate::now_ms();
    let key = match authenticate(shared, headers) {
        Ok(k) => k,
        Err(resp) => return resp,
    };
    let body = match super::common::json_object(json) {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    let config = shared.config();
    let model_id = body.get("model").and_then(Value::as_str).unwrap_or("");
    let prompt = body
        .get("prompt")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();

    let fault = crate::faults::for_request(shared.take_fault(), headers, &prompt);
    let ctx = FaultContext {
        model: if model_id.is_empty() { KLEIN } else { model_id },
        prompt: &prompt,
        retry_after_secs: config.retry_after_secs,
        authorization: headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(""),
    };
    let (plan, delay_override) = match common::resolve(fault, &ctx).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };

    if model_id.is_empty() {
        return bad("model: Required");
    }
    let Some(model) = models::find(model_id) else {
        return errors::unknown_model(model_id);
    };
    if !model.is_image() {
        return errors::error(
            404,
            &format!("{model_id} does not support image generation"),
            Some(json!({ "error_type": "not_found" })),
        );
    }
    if prompt.is_empty() {
        return bad("prompt: String must contain at least 1 character(s)");
    }
    match body.get("n") {
        None | Some(Value::Null) => {}
        Some(n) => match n.as_u64() {
            Some(1) => {}
            Some(2..=10) if !config.images_reject_n_gt_1 => {}
            Some(2..=10) => {
                return bad(&format!(
                    "{model_id} generates a single image per request; n must be 1"
                ));
            }
            _ => return bad("n: Number must be between 1 and 10"),
        },
    }
    let format = match body.get("output_format").and_then(Value::as_str) {
        None => config.images_default_format,
        Some("png") => ImageMime::Png,
        Some("jpeg") => ImageMime::Jpeg,
        Some(other) => {
            return bad(&format!(
                "output_format \"{other}\" is not supported by {model_id}; supported: png, jpeg"
            ));
        }
    };
    let refs: Vec<String> = match body.get("input_references") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            let mut urls = Vec::new();
            for item in items {
                match item
                    .get("image_url")
                    .and_then(|u| u.get("url"))
                    .and_then(Value::as_str)
                {
                    Some(u) => urls.push(u.to_string()),
                    None => {
                        return errors::bad_request(
                            "Invalid image: input_references[].image_url.url is required",
                            "invalid_image",
                        );
                    }
                }
            }
            urls
        }
        Some(_) => return bad("input_references: Expected array"),
    };
    if refs.len() > model.max_refs {
        return bad(&format!(
            "Too many input_references: {model_id} accepts at most {}, got {}",
            model.max_refs,
            refs.len()
        ));
    }
    for url in &refs {
        match images::check_input_url(url) {
            Ok(()) => {}
            Err(InputImageError::Invalid(m)) => return errors::bad_request(&m, "invalid_image"),
            Err(InputImageError::Unsupported(m)) => {
                return errors::bad_request(&m, "unsupported_image_format");
            }
        }
    }
    let seed = match body.get("seed") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_i64() {
            Some(s) => Some(s),
            None => return bad("seed: Expected integer"),
        },
    };
    let (w, h) = match dims(&body) {
        Ok(d) => d,
        Err(resp) => return resp,
    };
    let cost = images::cost(w, h, config.megapixel);
    if let Err(resp) = common::check_limit(shared, &key, cost) {
        return resp;
    }

    let delay = delay_override.unwrap_or(config.delay_ms);
    let render = images::render_async(
        prompt.clone(),
        seed,
        refs.clone(),
        (w, h),
        format,
        config.large_images,
    );
    let (rendered, ()) = tokio::join!(render, tokio::time::sleep(Duration::from_millis(delay)));
    let Ok(bytes) = rendered.map(|b| common::as_planned(plan, b)) else {
        return errors::status_fault(500, &ctx);
    };
    let tokens = images::image_tokens(w, h);
    let id = generation_id();
    let item = |b64: String, media_type: &str| {
        let mut item = json!({ "b64_json": b64 });
        if !(config.images_omit_png_media_type && media_type == "image/png") {
            item["media_type"] = json!(media_type);
        }
        item
    };
    let usage = json!({ "prompt_tokens": 0, "completion_tokens": tokens, "total_tokens": tokens, "cost": cost });
    let zero_usage =
        json!({ "prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0, "cost": 0 });
    let created = started_ms / 1000;
    let result = match plan {
        // Failed generations are a 502 on this API and not billed (§4).
        Plan::ChoiceError => return errors::status_fault(502, &ctx),
        Plan::NoImage => json!({ "created": created, "data": [], "usage": zero_usage }),
        Plan::NonImageDataUrl => json!({
            "created": created,
            "data": [item(images::base64(common::SCRIPT_PAYLOAD.as_bytes()), "text/html")],
            "usage": zero_usage,
        }),
        _ => json!({
            "created": created,
            "data": [item(images::base64(&bytes), format.mime())],
            "usage": usage,
        }),
    };
    let mut resp = match plan {
        Plan::TruncatedBody | Plan::DropBeforeDone | Plan::DropAfterBilling => {
            common::broken_json(serde_json::to_vec(&result).unwrap_or_default(), plan)
        }
        _ => json_response(200, &result),
    };
    if config.images_generation_id_header
        && let Ok(v) = HeaderValue::from_str(&id)
    {
        resp.headers_mut().insert("x-generation-id", v);
    }
    if plan == Plan::Normal {
        let data = generation::data(&GenerationInfo {
            id: &id,
            model: model.id,
            provider: model.provider,
            api_type: "image",
            cost,
            image_tokens: tokens,
            num_media_prompt: refs.len(),
            streamed: false,
            started_ms,
            headers,
        });
        resp.extensions_mut()
            .insert(CommitExt::new(GenerationCommit {
                billed_when_cut: false,
                key,
                cost,
                id,
                data,
            }));
    }
    resp
}
