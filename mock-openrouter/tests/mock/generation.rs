use mock_openrouter::{ImageMime, KeySpec, MockConfig, Outcome};
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn chat_success_shape_and_png() {
    let server = start(fast()).await;
    let resp = post(&server, "/chat/completions", &chat_body("a watercolor fox")).await;
    let header_id = resp
        .headers()
        .get("x-generation-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .expect("X-Generation-Id");
    let declared_len: usize = resp.headers()["content-length"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("number");
    let (status, v) = json_of(resp).await;
    assert_eq!(declared_len, serde_json::to_vec(&v).expect("json").len());
    let rec = &server.requests()[0];
    assert_eq!(rec.outcome, Outcome::Completed);
    assert_eq!(rec.status, Some(200));
    assert!(
        rec.response_end_ms
            .is_some_and(|end| end >= rec.received_at_ms)
    );
    assert_eq!(rec.body["model"], KLEIN);
    assert_eq!(status, 200);
    let id = v["id"].as_str().expect("id");
    assert_eq!(id, header_id);
    let parts: Vec<&str> = id.splitn(3, '-').collect();
    assert_eq!(parts[0], "gen");
    assert!(parts[1].parse::<u64>().is_ok(), "{id}");
    assert!(
        parts[2].len() == 20 && parts[2].chars().all(|c| c.is_ascii_alphanumeric()),
        "{id}"
    );
    assert_eq!(v["provider"], "Black Forest Labs");
    assert_eq!(v["model"], KLEIN);
    assert_eq!(v["object"], "chat.completion");
    assert!(v["created"].as_u64().is_some());
    assert!(v.get("system_fingerprint").is_some_and(|s| s.is_null()));
    let choice = &v["choices"][0];
    assert_eq!(choice["index"], 0);
    assert_eq!(choice["finish_reason"], "stop");
    assert_eq!(choice["native_finish_reason"], "stop");
    assert!(choice["logprobs"].is_null());
    let msg = &choice["message"];
    assert_eq!(msg["role"], "assistant");
    assert_eq!(msg["content"], "");
    assert_eq!(msg["images"][0]["type"], "image_url");
    let (mime, bytes) = decode_data_url(&chat_image_url(&v));
    assert_eq!(mime, "image/png");
    assert_eq!(png_size(&bytes), (1024, 1024));
    let usage = &v["usage"];
    assert_eq!(usage["cost"], 0.014);
    assert_eq!(usage["is_byok"], false);
    assert_eq!(usage["completion_tokens_details"]["image_tokens"], 4096);
    assert_eq!(usage["total_tokens"], 4096);
}

#[tokio::test]
async fn aspect_ratios_follow_the_table() {
    let server = start(fast()).await;
    for (ratio, w, h) in [
        ("16:9", 1344, 768),
        ("9:16", 768, 1344),
        ("21:9", 1536, 672),
        ("4:3", 1184, 864),
    ] {
        let mut body = chat_body("sizes");
        body["image_config"] = json!({ "aspect_ratio": ratio });
        let (status, v) = json_of(post(&server, "/chat/completions", &body).await).await;
        assert_eq!(status, 200, "{ratio}: {v}");
        let (_, bytes) = decode_data_url(&chat_image_url(&v));
        assert_eq!(png_size(&bytes), (w, h), "{ratio}");
    }
    let mut body = chat_body("sizes");
    body["image_config"] = json!({ "aspect_ratio": "7:3" });
    let (status, _) = json_of(post(&server, "/chat/completions", &body).await).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn images_are_deterministic() {
    let server = start(fast()).await;
    let image = |prompt: &str, seed: i64| {
        let mut body = chat_body(prompt);
        body["seed"] = json!(seed);
        let server = &server;
        async move {
            chat_image_url(
                &json_of(post(server, "/chat/completions", &body).await)
                    .await
                    .1,
            )
        }
    };
    let a = image("a fox", 42).await;
    let b = image("a fox", 42).await;
    let c = image("a fox", 43).await;
    let d = image("a cat", 42).await;
    assert_eq!(a, b, "same prompt and seed must give identical bytes");
    assert_ne!(a, c, "another seed must change the image");
    assert_ne!(a, d, "another prompt must change the image");
}

#[tokio::test]
async fn jpeg_option() {
    let server = start(MockConfig {
        image_mime: ImageMime::Jpeg,
        ..fast()
    })
    .await;
    let (_, v) = json_of(post(&server, "/chat/completions", &chat_body("jpeg")).await).await;
    let (mime, bytes) = decode_data_url(&chat_image_url(&v));
    assert_eq!(mime, "image/jpeg");
    assert_eq!(&bytes[..3], &[0xFF, 0xD8, 0xFF]);
}

#[tokio::test]
async fn large_images_are_multi_megabyte() {
    let server = start(MockConfig {
        large_images: true,
        ..fast()
    })
    .await;
    let (_, v) = json_of(post(&server, "/chat/completions", &chat_body("big")).await).await;
    let (_, bytes) = decode_data_url(&chat_image_url(&v));
    assert!(bytes.len() >= 2_500_000, "only {} bytes", bytes.len());
    assert_eq!(png_size(&bytes), (1024, 1024));
}

#[tokio::test]
async fn image_api_success_and_validation() {
    let server = start(fast()).await;
    let base = json!({ "model": KLEIN, "prompt": "a fox", "aspect_ratio": "16:9" });

    // Default format when output_format is omitted: jpeg.
    let (status, v) = json_of(post(&server, "/images", &base).await).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["data"][0]["media_type"], "image/jpeg");
    let jpeg = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        v["data"][0]["b64_json"].as_str().expect("b64_json"),
    )
    .expect("base64");
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    assert_eq!(v["usage"]["cost"], 0.014);
    assert!(v["usage"].get("completion_tokens_details").is_none());

    let mut png_req = base.clone();
    png_req["output_format"] = json!("png");
    let (status, v) = json_of(post(&server, "/images", &png_req).await).await;
    assert_eq!(status, 200);
    assert_eq!(v["data"][0]["media_type"], "image/png");
    let bytes = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        v["data"][0]["b64_json"].as_str().expect("b64_json"),
    )
    .expect("base64");
    assert_eq!(png_size(&bytes), (1344, 768));

    let mut sized = png_req.clone();
    sized["size"] = json!("1344x768");
    assert_eq!(post(&server, "/images", &sized).await.status(), 200);

    // Three successful Image API generations so far, each charged once.
    let (_, key) = json_of(get_as(&server, "/key", Some(mock_openrouter::DEMO_KEY)).await).await;
    assert_eq!(key["data"]["usage"], 0.042);

    let bad_cases = [
        json!({ "output_format": "webp" }),
        json!({ "n": 2 }),
        json!({ "size": "1024x1024" }),
        json!({ "prompt": "" }),
        json!({ "input_references": (0..5).map(|_| json!({"type":"image_url","image_url":{"url":"https://example.com/a.png"}})).collect::<Vec<_>>() }),
    ];
    for patch in bad_cases {
        let mut body = base.clone();
        for (k, val) in patch.as_object().expect("object") {
            body[k] = val.clone();
        }
        let (status, v) = json_of(post(&server, "/images", &body).await).await;
        assert_eq!(status, 400, "{patch} → {v}");
        assert_eq!(v["error"]["code"], 400);
    }
}

#[tokio::test]
async fn usage_is_charged_only_on_success() {
    let key = "sk-or-v1-limited";
    let server = start(MockConfig {
        keys: vec![KeySpec {
            key: key.into(),
            label: "limited".into(),
            limit: Some(0.03),
            ..KeySpec::default()
        }],
        ..fast()
    })
    .await;
    let usage = || async {
        let (_, v) = json_of(get_as(&server, "/key", Some(key)).await).await;
        (
            v["data"]["usage"].as_f64().expect("usage"),
            v["data"]["limit_remaining"].as_f64(),
        )
    };
    assert_eq!(usage().await, (0.0, Some(0.03)));

    let ok = post_as(&server, "/chat/completions", Some(key), &chat_body("one")).await;
    assert_eq!(ok.status(), 200);
    ok.bytes().await.expect("body");
    assert_eq!(usage().await, (0.014, Some(0.016)));

    server.push_fault(mock_openrouter::Fault::Status { status: 500 });
    let failed = post_as(&server, "/chat/completions", Some(key), &chat_body("two")).await;
    assert_eq!(failed.status(), 500);
    assert_eq!(
        usage().await,
        (0.014, Some(0.016)),
        "errors are not charged"
    );

    // An aborted generation is not charged either.
    server.set_config(MockConfig {
        delay_ms: 3000,
        ..server.config()
    });
    let aborted = client()
        .post(format!("{}/chat/completions", server.base_url()))
        .bearer_auth(key)
        .json(&chat_body("three"))
        .timeout(std::time::Duration::from_millis(200))
        .send()
        .await;
    assert!(aborted.is_err());
    wait_for("abort recorded", || {
        server
            .requests()
            .iter()
            .any(|r| r.outcome == Outcome::Aborted)
    })
    .await;
    server.set_config(MockConfig {
        delay_ms: 0,
        ..server.config()
    });
    assert_eq!(
        usage().await,
        (0.014, Some(0.016)),
        "aborts are not charged"
    );

    let ok = post_as(&server, "/chat/completions", Some(key), &chat_body("four")).await;
    assert_eq!(ok.status(), 200);
    ok.bytes().await.expect("body");
    assert_eq!(usage().await.0, 0.028);

    // 0.002 left: the next one needs 0.014.
    let (status, v) =
        json_of(post_as(&server, "/chat/completions", Some(key), &chat_body("five")).await).await;
    assert_eq!(status, 402);
    assert!(
        v["error"]["message"]
            .as_str()
            .expect("message")
            .contains("requires more credits")
    );
    assert!(v["error"]["metadata"]["provider_name"].is_null());
    assert!(v["user_id"].is_string());
    assert_eq!(usage().await.0, 0.028);
}

#[tokio::test]
async fn size_tiers_and_billing_options() {
    let server = start(fast()).await;
    let mut body = chat_body("big tier");
    body["image_config"] = json!({ "aspect_ratio": "1:1", "image_size": "2K" });
    let (status, v) = json_of(post(&server, "/chat/completions", &body).await).await;
    assert_eq!(status, 200);
    let (_, bytes) = decode_data_url(&chat_image_url(&v));
    assert_eq!(png_size(&bytes), (2048, 2048));
    assert_eq!(v["usage"]["cost"], 0.017, "4 MP: 0.014 + 3 × 0.001");

    server.set_config(MockConfig {
        megapixel: mock_openrouter::MegapixelUnit::Mega,
        content_null: true,
        ..fast()
    });
    let (_, v) = json_of(post(&server, "/chat/completions", &chat_body("mega")).await).await;
    assert_eq!(
        v["usage"]["cost"], 0.015,
        "1024² is 1.05 MP when 1 MP = 10^6"
    );
    assert!(v["choices"][0]["message"]["content"].is_null());
}

#[tokio::test]
async fn image_api_options_and_faults() {
    let server = start(MockConfig {
        images_omit_png_media_type: true,
        images_generation_id_header: true,
        images_reject_n_gt_1: false,
        ..fast()
    })
    .await;
    let body = json!({ "model": KLEIN, "prompt": "opts", "output_format": "png", "n": 2 });
    let resp = post(&server, "/images", &body).await;
    assert!(resp.headers().contains_key("x-generation-id"));
    let (status, v) = json_of(resp).await;
    assert_eq!(status, 200);
    assert!(v["data"][0].get("media_type").is_none());

    server.push_fault(mock_openrouter::Fault::NoImage);
    let (_, v) = json_of(post(&server, "/images", &body).await).await;
    assert_eq!(v["data"], json!([]));

    server.push_fault(mock_openrouter::Fault::NonImageDataUrl);
    let (_, v) = json_of(post(&server, "/images", &body).await).await;
    assert_eq!(v["data"][0]["b64_json"], b64(b"<script>alert(1)</script>"));

    server.push_fault(mock_openrouter::Fault::ChoiceError);
    let (status, v) = json_of(post(&server, "/images", &body).await).await;
    assert_eq!(status, 502, "a failed generation is a 502 on the Image API");
    assert_eq!(v["error"]["message"], "Provider returned error");

    server.push_fault(mock_openrouter::Fault::TruncatedBody);
    let text = post(&server, "/images", &body)
        .await
        .text()
        .await
        .expect("framed");
    assert!(serde_json::from_str::<serde_json::Value>(&text).is_err());

    server.push_fault(mock_openrouter::Fault::DropBeforeDone);
    assert!(post(&server, "/images", &body).await.bytes().await.is_err());

    // Only the first request succeeded normally.
    let (_, key) = json_of(get_as(&server, "/key", Some(mock_openrouter::DEMO_KEY)).await).await;
    assert_eq!(key["data"]["usage"], 0.014);
}
