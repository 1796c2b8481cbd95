//! The mock's bodies must satisfy our schemas of the OpenRouter API (`contract`), which are
//! themselves checked against OpenRouter's published OpenAPI description.

use contract::{
    Contract, validate_error_body, validate_request_body, validate_response_body, validate_sse_body,
};
use mock_openrouter::{DEMO_KEY, Fault, MockConfig};
use serde_json::{Value, json};

use crate::common::*;

fn check(result: Result<(), String>) {
    if let Err(e) = result {
        panic!("contract violation:\n{e}");
    }
}

#[tokio::test]
async fn success_bodies_match_the_contract() {
    let c = Contract::load();
    let server = start(MockConfig {
        generation_404_ms: 0,
        ..fast()
    })
    .await;

    let mut req = chat_body("contract fox");
    req["seed"] = json!(7);
    req["image_config"] = json!({ "aspect_ratio": "16:9" });
    check(validate_request_body(c, "/chat/completions", "post", &req));
    let (status, v) = json_of(post(&server, "/chat/completions", &req).await).await;
    check(validate_response_body(
        c,
        "/chat/completions",
        "post",
        status,
        &v,
    ));

    let mut sreq = req.clone();
    sreq["stream"] = json!(true);
    for separate in [false, true] {
        server.set_config(MockConfig {
            separate_usage_chunk: separate,
            generation_404_ms: 0,
            ..fast()
        });
        let resp = post(&server, "/chat/completions", &sreq).await;
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        check(validate_sse_body(
            c,
            "/chat/completions",
            "post",
            status,
            &text,
        ));
    }

    let ireq = json!({ "model": KLEIN, "prompt": "contract fox", "aspect_ratio": "1:1", "output_format": "png", "seed": 1 });
    check(validate_request_body(c, "/images", "post", &ireq));
    let (status, v) = json_of(post(&server, "/images", &ireq).await).await;
    check(validate_response_body(c, "/images", "post", status, &v));

    let gen_path = format!("/generation?id={}", v_id(&server).await);
    let (status, g) = json_of(get_as(&server, &gen_path, Some(DEMO_KEY)).await).await;
    check(validate_response_body(c, "/generation", "get", status, &g));

    for (path, spec_path) in [
        ("/models?output_modalities=all", "/models"),
        ("/images/models", "/images/models"),
        (
            "/model/black-forest-labs/flux.2-klein-4b",
            "/model/{author}/{slug}",
        ),
        (
            "/models/black-forest-labs/flux.2-klein-4b/endpoints",
            "/models/{author}/{slug}/endpoints",
        ),
        (
            "/images/models/black-forest-labs/flux.2-klein-4b/endpoints",
            "/images/models/{author}/{slug}/endpoints",
        ),
        ("/key", "/key"),
    ]
    .into_iter()
    .chain(
        // Every image model's pricing lines (per megapixel, per image, per token).
        [
            "black-forest-labs/flux.2-pro",
            "google/gemini-2.5-flash-image",
            "openai/gpt-5-image-mini",
        ]
        .map(|m| {
            (
                &*format!("/images/models/{m}/endpoints").leak(),
                "/images/models/{author}/{slug}/endpoints",
            )
        }),
    ) {
        let (status, v) = json_of(get_as(&server, path, Some(DEMO_KEY)).await).await;
        assert_eq!(status, 200, "{path}");
        check(validate_response_body(c, spec_path, "get", status, &v));
    }
}

/// The id of a fresh chat generation.
async fn v_id(server: &mock_openrouter::MockServer) -> String {
    let (_, v) = json_of(post(server, "/chat/completions", &chat_body("id")).await).await;
    v["id"].as_str().expect("id").to_string()
}

#[tokio::test]
async fn error_bodies_match_the_contract() {
    let c = Contract::load();
    let server = start(fast()).await;
    for status in [
        400, 401, 402, 403, 404, 408, 413, 422, 429, 500, 502, 503, 524, 529,
    ] {
        server.push_fault(Fault::Status { status });
        let (got, v) = json_of(post(&server, "/chat/completions", &chat_body("x")).await).await;
        check(validate_error_body(c, "/chat/completions", "post", got, &v));
    }
    server.push_fault(Fault::Guardrail);
    let (got, v) = json_of(post(&server, "/chat/completions", &chat_body("x")).await).await;
    check(validate_error_body(c, "/chat/completions", "post", got, &v));

    // Validation errors produced by the mock itself.
    let mut modal = chat_body("x");
    modal["modalities"] = json!(["image", "text"]);
    let mut unknown = chat_body("x");
    unknown["model"] = json!("acme/fake-1.0");
    for body in [modal, unknown, json!({"model": KLEIN, "messages": []})] {
        let (got, v) = json_of(post(&server, "/chat/completions", &body).await).await;
        check(validate_error_body(c, "/chat/completions", "post", got, &v));
    }
    let (got, v) =
        json_of(post_as(&server, "/chat/completions", None, &chat_body("x")).await).await;
    check(validate_error_body(c, "/chat/completions", "post", got, &v));
    let (got, v) = json_of(
        post(
            &server,
            "/images",
            &json!({"model": KLEIN, "prompt": "x", "output_format": "webp"}),
        )
        .await,
    )
    .await;
    check(validate_error_body(c, "/images", "post", got, &v));
    let (got, v) = json_of(get_as(&server, "/credits", Some(DEMO_KEY)).await).await;
    check(validate_error_body(c, "/credits", "get", got, &v));
    let (got, v) =
        json_of(get_as(&server, "/generation?id=gen-0-none", Some(DEMO_KEY)).await).await;
    check(validate_error_body(c, "/generation", "get", got, &v));
    let (got, v): (u16, Value) = json_of(
        post_as(
            &server,
            "/auth/keys",
            None,
            &json!({"code": "nope", "code_verifier": "x"}),
        )
        .await,
    )
    .await;
    check(validate_error_body(c, "/auth/keys", "post", got, &v));
}
