//! Model catalogue fixtures (§9, §4, §12.11). Pricing values are strings, as on the real API.

use std::collections::BTreeMap;

use axum::response::Response;
use serde_json::{Value, json};

use crate::errors::{self, json_response};

pub const KLEIN: &str = "black-forest-labs/flux.2-klein-4b";

pub struct ModelInfo {
    pub id: &'static str,
    pub name: &'static str,
    pub provider: &'static str,
    pub provider_slug: &'static str,
    pub created: u64,
    pub input: &'static [&'static str],
    pub output: &'static [&'static str],
    /// Maximum reference images (0 for the text model).
    pub max_refs: usize,
    pub description: &'static str,
}

pub const MODELS: &[ModelInfo] = &[
    ModelInfo {
        id: KLEIN,
        name: "Black Forest Labs: FLUX.2 [klein] 4B",
        provider: "Black Forest Labs",
        provider_slug: "black-forest-labs",
        created: 1_768_348_800,
        input: &["text", "image"],
        output: &["image"],
        max_refs: 4,
        description: "FLUX.2 [klein] 4B is a 4-step distilled model for fast text-to-image generation \
                      and multi-reference editing.",
    },
    ModelInfo {
        id: "black-forest-labs/flux.2-pro",
        name: "Black Forest Labs: FLUX.2 [pro]",
        provider: "Black Forest Labs",
        provider_slug: "black-forest-labs",
        created: 1_764_028_800,
        input: &["text", "image"],
        output: &["image"],
        max_refs: 8,
        description: "FLUX.2 [pro]: high-quality image generation and editing.",
    },
    ModelInfo {
        id: "google/gemini-2.5-flash-image",
        name: "Google: Gemini 2.5 Flash Image",
        provider: "Google AI Studio",
        provider_slug: "google-ai-studio",
        created: 1_759_363_200,
        input: &["image", "text"],
        output: &["image", "text"],
        max_refs: 3,
        description: "Gemini 2.5 Flash Image generates and edits images in conversation.",
    },
    ModelInfo {
        id: "openai/gpt-5-image-mini",
        name: "OpenAI: GPT-5 Image Mini",
        provider: "OpenAI",
        provider_slug: "openai",
        created: 1_760_400_000,
        input: &["file", "image", "text"],
        output: &["image", "text"],
        max_refs: 16,
        description: "GPT-5 Image Mini: image generation billed per token.",
    },
    ModelInfo {
        id: "openai/gpt-4o-mini",
        name: "OpenAI: GPT-4o-mini",
        provider: "OpenAI",
        provider_slug: "openai",
        created: 1_721_260_800,
        input: &["text", "image", "file"],
        output: &["text"],
        max_refs: 0,
        description: "A small, fast text model.",
    },
];

pub fn find(id: &str) -> Option<&'static ModelInfo> {
    MODELS.iter().find(|m| m.id == id)
}

impl ModelInfo {
    pub fn is_image(&self) -> bool {
        self.output.contains(&"image")
    }

    fn pricing(&self) -> Value {
        if self.id == KLEIN {
            json!({
                "prompt": "0", "completion": "0", "request": "0", "image": "0",
                "image_output": "0.00000342", "web_search": "0", "internal_reasoning": "0",
            })
        } else if self.is_image() {
            json!({
                "prompt": "0.0000003", "completion": "0.0000025", "request": "0", "image": "0",
                "image_output": "0.00003", "web_search": "0", "internal_reasoning": "0",
            })
        } else {
            json!({
                "prompt": "0.00000015", "completion": "0.0000006", "request": "0", "image": "0",
                "web_search": "0", "internal_reasoning": "0",
            })
        }
    }

    fn context_length(&self) -> u64 {
        if self.is_image() { 40_960 } else { 128_000 }
    }

    pub fn to_json(&self) -> Value {
        let modality = format!("{}->{}", self.input.join("+"), self.output.join("+"));
        let supported: Vec<&str> = if self.is_image() {
            vec!["seed"]
        } else {
            vec!["max_tokens", "temperature", "top_p", "seed", "stop"]
        };
        json!({
            "id": self.id,
            "canonical_slug": self.id,
            "hugging_face_id": null,
            "name": self.name,
            "created": self.created,
            "description": self.description,
            "context_length": self.context_length(),
            "architecture": {
                "modality": modality,
                "input_modalities": self.input,
                "output_modalities": self.output,
                "tokenizer": "Other",
                "instruct_type": null,
            },
            "pricing": self.pricing(),
            "top_provider": {
                "context_length": self.context_length(),
                "max_completion_tokens": null,
                "is_moderated": false,
            },
            "per_request_limits": null,
            "supported_parameters": supported,
            "supported_voices": null,
            "default_parameters": {},
            "expiration_date": null,
            "knowledge_cutoff": null,
            "links": { "details": format!("/api/v1/models/{}/endpoints", self.id) },
        })
    }

    fn image_parameters(&self) -> Value {
        let ratios: Vec<&str> = crate::images::ASPECT_TABLE
            .iter()
            .map(|(a, _, _)| *a)
            .collect();
        json!({
            "aspect_ratio": { "type": "enum", "values": ratios },
            "output_format": { "type": "enum", "values": ["png", "jpeg"] },
            "input_references": { "type": "range", "min": 0, "max": self.max_refs },
            "seed": { "type": "boolean" },
        })
    }

    /// Pricing lines as OpenRouter's model pages state them (2026): FLUX models per output
    /// megapixel (first and additional), Gemini per image, GPT image models per token. The
    /// `variant` names are not documented; the studio reads them tolerantly.
    fn image_pricing(&self) -> Value {
        match self.id {
            KLEIN => json!([
                { "billable": "output_image", "unit": "megapixel", "cost_usd": 0.014, "variant": "first" },
                { "billable": "output_image", "unit": "megapixel", "cost_usd": 0.001, "variant": "additional" },
            ]),
            "black-forest-labs/flux.2-pro" => json!([
                { "billable": "output_image", "unit": "megapixel", "cost_usd": 0.03, "variant": "first" },
                { "billable": "output_image", "unit": "megapixel", "cost_usd": 0.015, "variant": "additional" },
                { "billable": "input_image", "unit": "megapixel", "cost_usd": 0.015 },
            ]),
            "google/gemini-2.5-flash-image" => json!([
                { "billable": "output_image", "unit": "image", "cost_usd": 0.039 },
                { "billable": "input_text", "unit": "token", "cost_usd": 0.0000003 },
            ]),
            _ => json!([
                { "billable": "output_image", "unit": "token", "cost_usd": 0.000008 },
                { "billable": "input_text", "unit": "token", "cost_usd": 0.0000025 },
            ]),
        }
    }

    fn image_endpoint(&self) -> Value {
        let pricing = self.image_pricing();
        json!({
            "provider_name": self.provider,
            "provider_slug": self.provider_slug,
            "provider_tag": self.provider_slug,
            "supported_parameters": self.image_parameters(),
            "allowed_passthrough_parameters": [],
            "supports_streaming": false,
            "pricing": pricing,
        })
    }
}

/// `GET /models`: the default filter is `output_modalities=text`, so image-only models are
/// hidden unless asked for (§9, OpenRouterTeam/openrouter-examples#69).
pub fn list(query: &BTreeMap<String, String>) -> Response {
    let wanted: Vec<String> = query
        .get("output_modalities")
        .map(|s| s.as_str())
        .unwrap_or("text")
        .split(',')
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect();
    let all = wanted.iter().any(|w| w == "all");
    let data: Vec<Value> = MODELS
        .iter()
        .filter(|m| all || m.output.iter().any(|o| wanted.iter().any(|w| w == o)))
        .map(ModelInfo::to_json)
        .collect();
    let total = data.len();
    let num = |name: &str| query.get(name).and_then(|v| v.parse::<usize>().ok());
    let offset = num("offset").unwrap_or(0).min(total);
    let limit = num("limit").unwrap_or(500).max(1);
    let page: Vec<Value> = data.into_iter().skip(offset).take(limit).collect();
    let next = (offset + limit < total).then(|| {
        let filter = query
            .get("output_modalities")
            .map(|f| format!("&output_modalities={f}"))
            .unwrap_or_default();
        format!(
            "/api/v1/models?offset={}&limit={limit}{filter}",
            offset + limit
        )
    });
    json_response(
        200,
        &json!({ "data": page, "links": { "next": next }, "total_count": total }),
    )
}

pub fn one(author: &str, slug: &str) -> Response {
    match find(&format!("{author}/{slug}")) {
        Some(m) => json_response(200, &json!({ "data": m.to_json() })),
        None => errors::error(404, "Model not found", None),
    }
}

pub fn endpoints(author: &str, slug: &str) -> Response {
    let Some(m) = find(&format!("{author}/{slug}")) else {
        return errors::error(404, "Model not found", None);
    };
    let endpoint = json!({
        "name": format!("{} | {}", m.provider, m.id),
        "model_id": m.id,
        "model_name": m.name,
        "context_length": m.context_length(),
        "pricing": m.pricing(),
        "provider_name": m.provider,
        "tag": m.provider_slug,
        "quantization": null,
        "max_completion_tokens": null,
        "max_prompt_tokens": null,
        "supported_parameters": m.to_json()["supported_parameters"],
        "status": 0,
        "uptime_last_30m": 100,
        "uptime_last_5m": 100,
        "uptime_last_1d": 99.9,
        "latency_last_30m": { "p50": 900.0, "p75": 1100.0, "p90": 1400.0, "p99": 2500.0 },
        "throughput_last_30m": { "p50": 0.0, "p75": 0.0, "p90": 0.0, "p99": 0.0 },
        "supports_implicit_caching": false,
    });
    json_response(
        200,
        &json!({ "data": {
            "id": m.id, "name": m.name, "created": m.created, "description": m.description,
            "architecture": m.to_json()["architecture"], "endpoints": [endpoint],
        }}),
    )
}

/// `GET /images/models` (public).
pub fn image_models() -> Response {
    let data: Vec<Value> = MODELS
        .iter()
        .filter(|m| m.is_image())
        .map(|m| {
            json!({
                "id": m.id,
                "name": m.name,
                "description": m.description,
                "created": m.created,
                "architecture": { "input_modalities": m.input, "output_modalities": m.output },
                "supported_parameters": m.image_parameters(),
                "supports_streaming": false,
                "endpoints": format!("/api/v1/images/models/{}/endpoints", m.id),
            })
        })
        .collect();
    json_response(200, &json!({ "data": data }))
}

pub fn image_endpoints(author: &str, slug: &str) -> Response {
    match find(&format!("{author}/{slug}")).filter(|m| m.is_image()) {
        Some(m) => json_response(
            200,
            &json!({ "id": m.id, "endpoints": [m.image_endpoint()] }),
        ),
        None => errors::error(404, "Model not found", None),
    }
}
