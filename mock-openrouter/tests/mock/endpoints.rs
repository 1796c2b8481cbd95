use std::time::Duration;

use mock_openrouter::{KeySpec, MockConfig};
use serde_json::{Value, json};

use crate::common::*;

#[tokio::test]
async fn auth_errors() {
    let server = start(fast()).await;
    let (status, v) =
        json_of(post_as(&server, "/chat/completions", None, &chat_body("x")).await).await;
    assert_eq!(status, 401);
    assert_eq!(
        v,
        json!({"error": {"code": 401, "message": "No auth credentials found"}})
    );
    let (status, v) = json_of(
        post_as(
            &server,
            "/chat/completions",
            Some("sk-or-v1-nope"),
            &chat_body("x"),
        )
        .await,
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(v["error"]["message"], "User not found.");
    let (status, _) = json_of(get_as(&server, "/key", Some("sk-or-v1-nope")).await).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn chat_validation() {
    let server = start(fast()).await;
    let check = |body: Value, want: u16| {
        let server = &server;
        async move {
            let (status, v) = json_of(post(server, "/chat/completions", &body).await).await;
            assert_eq!(status, want, "{v}");
            v
        }
    };
    // Text + image on an image-only model: the routing 404.
    let mut b = chat_body("x");
    b["modalities"] = json!(["image", "text"]);
    let v = check(b, 404).await;
    assert_eq!(
        v["error"]["message"],
        "No endpoints found that support the requested output modalities: image, text"
    );
    assert_eq!(
        v["error"]["metadata"]["routing_funnel"][0]["step"],
        "Initial Endpoints"
    );

    // Missing modalities: accepted by default.
    let mut b = chat_body("x");
    b.as_object_mut().expect("obj").remove("modalities");
    check(b.clone(), 200).await;
    server.set_config(MockConfig {
        require_modalities: true,
        ..fast()
    });
    check(b, 404).await;
    server.set_config(fast());

    let mut b = chat_body("x");
    b["model"] = json!("acme/fake-1.0");
    let v = check(b, 400).await;
    assert_eq!(v["error"]["availability"]["code"], "model_not_found");
    assert_eq!(
        v["error"]["message"],
        "acme/fake-1.0 is not a valid model ID"
    );

    let mut b = chat_body("x");
    b["messages"] = json!([]);
    check(b, 400).await;
    let mut b = chat_body("x");
    b.as_object_mut().expect("obj").remove("messages");
    check(b, 400).await;

    let with_refs = |urls: Vec<String>| {
        let mut parts = vec![json!({"type": "text", "text": "edit"})];
        parts.extend(
            urls.into_iter()
                .map(|u| json!({"type": "image_url", "image_url": {"url": u}})),
        );
        let mut b = chat_body("x");
        b["messages"] = json!([{"role": "user", "content": parts}]);
        b
    };
    let png = format!(
        "data:image/png;base64,{}",
        b64(b"\x89PNG\r\n\x1a\nnot-really")
    );
    check(with_refs(vec![png.clone(); 4]), 200).await;
    let v = check(with_refs(vec![png.clone(); 5]), 400).await;
    assert_eq!(v["error"]["code"], 400);
    let v = check(
        with_refs(vec!["data:image/png;base64,@@not base64@@".into()]),
        400,
    )
    .await;
    assert_eq!(v["error"]["metadata"]["error_type"], "invalid_image");
    let v = check(with_refs(vec!["data:image/tiff;base64,AAAA".into()]), 400).await;
    assert_eq!(
        v["error"]["metadata"]["error_type"],
        "unsupported_image_format"
    );

    // References change the picture.
    let a = chat_image_url(&check(with_refs(vec![png.clone()]), 200).await);
    let b = chat_image_url(&check(with_refs(vec!["https://example.com/x.png".into()]), 200).await);
    assert_ne!(a, b);

    // Unknown fields: ignored unless configured.
    let mut b = chat_body("x");
    b["n"] = json!(2);
    check(b.clone(), 200).await;
    server.set_config(MockConfig {
        reject_unknown_fields: true,
        ..fast()
    });
    check(b, 400).await;
}

#[tokio::test]
async fn payload_too_large() {
    let server = start(MockConfig {
        max_body_bytes: 1000,
        ..fast()
    })
    .await;
    let big = chat_body(&"x".repeat(2000));
    let (status, v) = json_of(post(&server, "/chat/completions", &big).await).await;
    assert_eq!(status, 413);
    assert_eq!(v["error"]["message"], "Request payload too large");
}

#[tokio::test]
async fn models_catalogue() {
    let server = start(fast()).await;
    let ids = |v: &Value| -> Vec<String> {
        v["data"]
            .as_array()
            .expect("data")
            .iter()
            .map(|m| m["id"].as_str().expect("id").to_string())
            .collect()
    };
    let (status, default) = json_of(get_as(&server, "/models", None).await).await;
    assert_eq!(status, 200);
    assert!(
        !ids(&default).contains(&KLEIN.to_string()),
        "image-only models hidden by default"
    );
    assert!(ids(&default).contains(&"google/gemini-2.5-flash-image".to_string()));
    let (_, image) = json_of(get_as(&server, "/models?output_modalities=image", None).await).await;
    assert!(ids(&image).contains(&KLEIN.to_string()));
    assert!(!ids(&image).contains(&"openai/gpt-4o-mini".to_string()));
    let (_, all) = json_of(get_as(&server, "/models?output_modalities=all", None).await).await;
    assert_eq!(ids(&all).len(), 5);
    let klein = image["data"]
        .as_array()
        .expect("data")
        .iter()
        .find(|m| m["id"] == KLEIN)
        .expect("klein")
        .clone();
    assert_eq!(klein["architecture"]["output_modalities"], json!(["image"]));
    assert_eq!(
        klein["architecture"]["input_modalities"],
        json!(["text", "image"])
    );
    assert!(
        klein["pricing"]
            .as_object()
            .expect("pricing")
            .values()
            .all(Value::is_string)
    );
    assert_eq!(klein["pricing"]["image_output"], "0.00000342");

    let (status, one) =
        json_of(get_as(&server, "/model/black-forest-labs/flux.2-klein-4b", None).await).await;
    assert_eq!(status, 200);
    assert_eq!(one["data"]["id"], KLEIN);
    assert_eq!(
        get_as(&server, "/model/acme/nope", None).await.status(),
        404
    );

    let (_, im) = json_of(get_as(&server, "/images/models", None).await).await;
    let k = im["data"]
        .as_array()
        .expect("data")
        .iter()
        .find(|m| m["id"] == KLEIN)
        .expect("klein")
        .clone();
    let p = &k["supported_parameters"];
    assert_eq!(
        p["output_format"],
        json!({"type": "enum", "values": ["png", "jpeg"]})
    );
    assert_eq!(
        p["input_references"],
        json!({"type": "range", "min": 0, "max": 4})
    );
    assert_eq!(p["seed"], json!({"type": "boolean"}));
    assert!(
        p["aspect_ratio"]["values"]
            .as_array()
            .expect("values")
            .contains(&json!("16:9"))
    );
    let (status, ep) = json_of(
        get_as(
            &server,
            "/images/models/black-forest-labs/flux.2-klein-4b/endpoints",
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(ep["endpoints"][0]["pricing"][0]["cost_usd"], 0.014);
    // Three kinds of price, as OpenRouter's pages give them: per megapixel, per image, per token.
    for (model, unit, usd) in [
        ("black-forest-labs/flux.2-pro", "megapixel", 0.03),
        ("google/gemini-2.5-flash-image", "image", 0.039),
        ("openai/gpt-5-image-mini", "token", 0.000008),
    ] {
        let (status, ep) =
            json_of(get_as(&server, &format!("/images/models/{model}/endpoints"), None).await)
                .await;
        assert_eq!(status, 200, "{model}");
        let line = &ep["endpoints"][0]["pricing"][0];
        assert_eq!(
            (
                line["billable"].as_str(),
                line["unit"].as_str(),
                line["cost_usd"].as_f64()
            ),
            (Some("output_image"), Some(unit), Some(usd)),
            "{model}"
        );
    }
}

#[tokio::test]
async fn key_credits_and_unknown_paths() {
    let server = start(MockConfig {
        keys: vec![KeySpec {
            key: "sk-or-v1-mgmt".into(),
            management: true,
            ..KeySpec::default()
        }],
        ..fast()
    })
    .await;
    let (status, v) = json_of(get_as(&server, "/key", Some(mock_openrouter::DEMO_KEY)).await).await;
    assert_eq!(status, 200);
    assert!(v["data"]["limit"].is_null());
    assert_eq!(v["data"]["usage"], 0.0);
    assert!(v["data"]["label"].is_string());
    let (status, v) =
        json_of(get_as(&server, "/credits", Some(mock_openrouter::DEMO_KEY)).await).await;
    assert_eq!(status, 403);
    assert_eq!(
        v["error"]["message"],
        "Only management keys can perform this operation"
    );
    let (status, v) = json_of(get_as(&server, "/credits", Some("sk-or-v1-mgmt")).await).await;
    assert_eq!(status, 200);
    assert!(v["data"]["total_credits"].is_number());

    let (status, v) =
        json_of(get_as(&server, "/nope", Some(mock_openrouter::DEMO_KEY)).await).await;
    assert_eq!(status, 404);
    assert_eq!(v["error"]["code"], 404);
    let resp = client()
        .get(format!("{}/api/v1/chat/completions", server.origin()))
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 405);
}

#[tokio::test]
async fn generation_is_404_then_200() {
    let server = start(MockConfig {
        generation_404_ms: 400,
        ..fast()
    })
    .await;
    let (_, v) = json_of(post(&server, "/chat/completions", &chat_body("x")).await).await;
    let id = v["id"].as_str().expect("id");
    let path = format!("/generation?id={id}");
    let (status, _) = json_of(get_as(&server, &path, Some(mock_openrouter::DEMO_KEY)).await).await;
    assert_eq!(status, 404);
    tokio::time::sleep(Duration::from_millis(450)).await;
    let (status, g) = json_of(get_as(&server, &path, Some(mock_openrouter::DEMO_KEY)).await).await;
    assert_eq!(status, 200, "{g}");
    assert_eq!(g["data"]["id"], id);
    assert_eq!(g["data"]["total_cost"], 0.014);
    assert_eq!(g["data"]["api_type"], "completions");
    assert_eq!(g["data"]["cancelled"], false);
    assert_eq!(g["data"]["streamed"], false);
    assert_eq!(g["data"]["origin"], "http://localhost:8080");
    let (status, _) = json_of(
        get_as(
            &server,
            "/generation?id=gen-0-nothing",
            Some(mock_openrouter::DEMO_KEY),
        )
        .await,
    )
    .await;
    assert_eq!(status, 404);
}
