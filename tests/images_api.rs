//! Native tests of the Image API transport: request body against the published
//! OpenAPI, tolerant parsing of its answers, and the "wrong endpoint" signal
//! that makes the client switch from Chat Completions.
#![cfg(not(target_arch = "wasm32"))]

use base64::Engine as _;
use kleinbild::api::response::parse_images_response;
use kleinbild::api::{ApiError, images_request};
use kleinbild::generation::{GenerationRequest, OutputFormat};
use serde_json::json;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn png(w: u32, h: u32) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    b.extend_from_slice(&w.to_be_bytes());
    b.extend_from_slice(&h.to_be_bytes());
    b.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    b
}

fn request(references: Vec<String>) -> GenerationRequest {
    GenerationRequest {
        model: "black-forest-labs/flux.2-klein-4b".into(),
        prompt: "A watercolor fox".into(),
        aspect_ratio: "16:9".into(),
        size: None,
        output_format: OutputFormat::Png,
        seed: 42,
        references,
    }
}

#[test]
fn the_request_is_what_the_image_api_documents() {
    let reference = format!("data:image/png;base64,{}", B64.encode(png(2, 2)));
    let body = serde_json::from_str::<serde_json::Value>(
        &images_request(&request(vec![reference.clone()])).to_json(),
    )
    .unwrap();
    assert_eq!(
        body,
        json!({
            "model": "black-forest-labs/flux.2-klein-4b",
            "prompt": "A watercolor fox",
            "aspect_ratio": "16:9",
            "seed": 42,
            "output_format": "png",
            "input_references": [{"type": "image_url", "image_url": {"url": reference}}],
        })
    );
    let contract = contract::Contract::load();
    contract::validate_request_body(contract, "/images", "post", &body)
        .unwrap_or_else(|e| panic!("ImagesRequest violates the OpenAPI description:\n{e}"));
    let plain =
        serde_json::from_str::<serde_json::Value>(&images_request(&request(Vec::new())).to_json())
            .unwrap();
    assert!(plain.get("input_references").is_none(), "{plain}");
    let mut broken = plain.clone();
    broken["output_format"] = json!("bmp");
    assert!(contract::validate_request_body(contract, "/images", "post", &broken).is_err());
}

#[test]
fn answers_with_or_without_media_type_give_checked_images() {
    let body = json!({"created": 1, "data": [
        {"b64_json": B64.encode(png(1024, 768)), "media_type": "image/png"},
        {"b64_json": B64.encode(png(640, 480))},
    ], "usage": {"prompt_tokens": 0, "completion_tokens": 4175, "total_tokens": 4175, "cost": 0.014}})
    .to_string();
    let output = parse_images_response(200, &body).unwrap();
    assert_eq!(output.images.len(), 2);
    assert_eq!(
        (output.images[0].width, output.images[0].height),
        (1024, 768)
    );
    assert_eq!(
        (output.images[1].width, output.images[1].height),
        (640, 480)
    );
    assert_eq!(output.cost_usd, Some(0.014));
}

#[test]
fn non_images_and_errors_in_a_200_are_refused() {
    let svg = json!({"data": [{"b64_json": B64.encode("<svg xmlns='http://www.w3.org/2000/svg'/>"), "media_type": "image/svg+xml"}]});
    assert!(matches!(
        parse_images_response(200, &svg.to_string()),
        Err(ApiError::NoImage { .. })
    ));
    let not_base64 = json!({"data": [{"b64_json": "%%%"}]});
    assert!(matches!(
        parse_images_response(200, &not_base64.to_string()),
        Err(ApiError::NoImage { .. })
    ));
    assert!(matches!(
        parse_images_response(200, r#"{"data":[]}"#),
        Err(ApiError::NoImage { .. })
    ));
    let failed = r#"{"error":{"code":502,"message":"Provider returned error"}}"#;
    assert!(matches!(
        parse_images_response(200, failed),
        Err(ApiError::GenerationFailed { .. })
    ));
    assert!(matches!(
        parse_images_response(200, "{\"data\": ["),
        Err(ApiError::Malformed { .. })
    ));
}

#[test]
fn chat_saying_the_model_belongs_elsewhere_is_a_wrong_endpoint() {
    let modalities = r#"{"error":{"code":404,"message":"No endpoints found that support the requested output modalities: image, text"}}"#;
    assert!(matches!(
        ApiError::from_http(404, modalities),
        ApiError::WrongEndpoint { .. }
    ));
    let availability = r#"{"error":{"message":"Use the images endpoint","error_type":"invalid_request","http_status":400,
        "availability":{"code":"wrong_endpoint","retryable":false,"requested_models":["x/y"]}}}"#;
    let error = ApiError::from_http(400, availability);
    assert!(matches!(error, ApiError::WrongEndpoint { .. }), "{error:?}");
    assert!(error.user_message().contains("Images API"));
    // Other 404s stay "not available".
    let other = r#"{"error":{"code":404,"message":"Model deprecated"}}"#;
    assert!(matches!(
        ApiError::from_http(404, other),
        ApiError::NotAvailable { .. }
    ));
}

#[test]
fn a_larger_size_or_jpeg_goes_to_the_image_api_with_size_and_format_and_no_ratio() {
    use kleinbild::generation::{Resolution, output_size};
    let mut big = request(Vec::new());
    assert!(
        !big.needs_images_api(),
        "1 MP PNG stays on the chosen transport"
    );
    big.size = output_size("16:9", Resolution::Four);
    big.output_format = OutputFormat::Jpeg;
    assert!(big.needs_images_api());
    let body = serde_json::from_str::<serde_json::Value>(&images_request(&big).to_json()).unwrap();
    assert_eq!(
        body,
        json!({
            "model": "black-forest-labs/flux.2-klein-4b",
            "prompt": "A watercolor fox",
            "size": "2048x1152",
            "seed": 42,
            "output_format": "jpeg",
        })
    );
    contract::validate_request_body(contract::Contract::load(), "/images", "post", &body)
        .unwrap_or_else(|e| panic!("the sized request violates the contract:\n{e}"));
    let mut jpeg_only = request(Vec::new());
    jpeg_only.output_format = OutputFormat::Jpeg;
    assert!(jpeg_only.needs_images_api(), "chat has no output_format");
}
