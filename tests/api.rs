//! Native tests of the pure OpenRouter layer: request shape (checked against
//! OpenRouter's published OpenAPI description), response parsing, error mapping.
#![cfg(not(target_arch = "wasm32"))]

use kleinbild::api::chat_request;
use kleinbild::api::data_url::{image_from_base64, image_from_data_url};
use kleinbild::api::error::{ApiError, redact};
use kleinbild::api::response::parse_chat_response;
use kleinbild::generation::KLEIN_MODEL;
use kleinbild::generation::{GenerationRequest, OutputFormat};
use kleinbild::generation::{ImageData, ImageFormat};
use serde_json::{Value, json};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

fn request() -> GenerationRequest {
    GenerationRequest {
        model: "black-forest-labs/flux.2-klein-4b".into(),
        prompt: "A watercolor fox in a snowy forest".into(),
        aspect_ratio: "16:9".into(),
        size: None,
        output_format: OutputFormat::Png,
        seed: 42,
        references: Vec::new(),
    }
}

#[test]
fn chat_request_is_what_openrouter_expects() {
    let body =
        serde_json::from_str::<serde_json::Value>(&chat_request(&request(), false).to_json())
            .unwrap();
    assert_eq!(
        body,
        json!({
            "model": KLEIN_MODEL,
            "messages": [{"role": "user", "content": "A watercolor fox in a snowy forest"}],
            "modalities": ["image"],
            "image_config": {"aspect_ratio": "16:9"},
            "seed": 42,
            "stream": false
        })
    );
}

#[test]
fn references_become_image_parts_after_the_text() {
    let png = decoded(&fixture_image_url());
    let url = kleinbild::generation::to_data_url(&png);
    assert_eq!(
        url,
        fixture_image_url(),
        "a decoded image turns back into the same data URL"
    );
    let mut with_refs = request();
    with_refs.references = vec![url.clone(), url.clone()];
    let body =
        serde_json::from_str::<serde_json::Value>(&chat_request(&with_refs, false).to_json())
            .unwrap();
    assert_eq!(
        body["messages"][0]["content"],
        json!([
            {"type": "text", "text": "A watercolor fox in a snowy forest"},
            {"type": "image_url", "image_url": {"url": url}},
            {"type": "image_url", "image_url": {"url": url}}
        ])
    );
    let contract = contract::Contract::load();
    contract::validate_request_body(contract, "/chat/completions", "post", &body)
        .unwrap_or_else(|e| panic!("a request with references violates the schema:\n{e}"));
}

fn fixture_image_url() -> String {
    let value: Value = serde_json::from_str(&fixture("chat_success.json")).unwrap();
    value["choices"][0]["message"]["images"][0]["image_url"]["url"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn chat_request_validates_against_the_published_schema() {
    let contract = contract::Contract::load();
    let body =
        serde_json::from_str::<serde_json::Value>(&chat_request(&request(), false).to_json())
            .unwrap();
    contract::validate_request_body(contract, "/chat/completions", "post", &body)
        .unwrap_or_else(|e| panic!("ChatRequest violates the OpenAPI description:\n{e}"));
    // And the validator is not a rubber stamp: break the body and it must fail.
    let mut broken = body.clone();
    broken["modalities"] = json!(["video"]);
    assert!(
        contract::validate_request_body(contract, "/chat/completions", "post", &broken).is_err()
    );
}

#[test]
fn success_fixture_validates_and_parses() {
    let text = fixture("chat_success.json");
    let value: Value = serde_json::from_str(&text).unwrap();
    contract::validate_response_body(
        contract::Contract::load(),
        "/chat/completions",
        "post",
        200,
        &value,
    )
    .unwrap_or_else(|e| panic!("fixture is not a valid ChatResult: {e}"));
    let output = parse_chat_response(200, &text).unwrap();
    assert_eq!(output.images.len(), 1);
    let image = &output.images[0];
    assert_eq!(image.format, ImageFormat::Png);
    assert_eq!((image.width, image.height), (3, 2));
    let ImageData::DataUrl(url) = &image.data else {
        panic!("a data URL answer stays a data URL for the browser to decode");
    };
    assert_eq!(decoded(url).bytes.len() as u64, image.byte_len);
    assert!(decoded(url).bytes.starts_with(b"\x89PNG"));
    assert_eq!(output.cost_usd, Some(0.014));
    assert_eq!(
        output.generation_id.as_deref(),
        Some("gen-1756821634-QsRNWEcsHUOpb6vX3v2V")
    );
    assert_eq!(output.provider.as_deref(), Some("Black Forest Labs"));
}

#[test]
fn images_without_type_and_as_plain_strings_are_all_kept() {
    let output = parse_chat_response(200, &fixture("chat_two_images_loose.json")).unwrap();
    assert_eq!(output.images.len(), 2);
}

#[test]
fn leading_whitespace_keepalive_is_tolerated() {
    let text = format!("\n\n   {}", fixture("chat_success.json"));
    assert!(parse_chat_response(200, &text).is_ok());
}

#[test]
fn errors_hidden_in_a_200_are_errors() {
    let choice = parse_chat_response(200, &fixture("chat_choice_error.json")).unwrap_err();
    assert_eq!(
        choice,
        ApiError::GenerationFailed {
            message: "Provider returned error".into()
        }
    );
    assert!(choice.user_message().contains("failed while generating"));

    let moderated = r#"{"error":{"code":403,"message":"flagged","metadata":{"reasons":["violence"]}},"choices":[]}"#;
    assert!(matches!(
        parse_chat_response(200, moderated).unwrap_err(),
        ApiError::Moderation { .. }
    ));

    let top_level = r#"{"error":{"code":"server_error","message":"boom"}}"#;
    let err = parse_chat_response(200, top_level).unwrap_err();
    assert!(matches!(err, ApiError::GenerationFailed { .. }), "{err:?}");

    let finish_only = r#"{"choices":[{"finish_reason":"error","message":{"images":[]}}]}"#;
    assert!(matches!(
        parse_chat_response(200, finish_only).unwrap_err(),
        ApiError::GenerationFailed { .. }
    ));
}

#[test]
fn a_200_without_a_usable_image_says_so() {
    let no_images = r#"{"id":"gen-1","choices":[{"finish_reason":"stop","message":{"role":"assistant","content":""}}]}"#;
    assert!(matches!(
        parse_chat_response(200, no_images).unwrap_err(),
        ApiError::NoImage { .. }
    ));

    let html = parse_chat_response(200, &fixture("chat_html_data_url.json")).unwrap_err();
    match html {
        ApiError::NoImage { detail } => assert!(detail.contains("text/html"), "{detail}"),
        other => panic!("expected NoImage, got {other:?}"),
    }
}

#[test]
fn malformed_and_truncated_bodies_are_reported_not_panicked() {
    let full = fixture("chat_success.json");
    for body in [
        "",
        "upstream said hello",
        "<html>oops</html>",
        &full[..full.len() / 2],
    ] {
        let err = parse_chat_response(200, body).unwrap_err();
        assert!(
            matches!(err, ApiError::Malformed { .. }),
            "{body:.40}: {err:?}"
        );
    }
}

#[test]
fn data_urls_are_checked_against_magic_numbers() {
    // A PNG body declared as JPEG is still a PNG; the declared type is not trusted.
    let png = fixture("chat_success.json");
    let value: Value = serde_json::from_str(&png).unwrap();
    let url = value["choices"][0]["message"]["images"][0]["image_url"]["url"]
        .as_str()
        .unwrap();
    let relabelled = url.replacen("image/png", "image/jpeg", 1);
    let image = image_from_data_url(relabelled).unwrap();
    assert_eq!(image.format, ImageFormat::Png);
    assert_eq!(
        image.data,
        ImageData::DataUrl(url.to_owned()),
        "shown with the type its bytes have"
    );

    let svg = "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=";
    let check = |url: &str| image_from_data_url(url.to_owned());
    // Found by `cargo xtask fuzz`: non-ASCII text where base64 belongs is
    // refused, never cut inside a character (a panic aborts the app).
    assert!(check("kleinbild-held:1:8:0:abc\u{e9}").is_err());
    assert!(check(&format!("data:image/png;base64,{}\u{e9}", "A".repeat(4095))).is_err());
    assert!(image_from_base64("kleinbild-held:1:8:0:abc\u{e9}").is_err());
    assert!(check(svg).is_err(), "SVG must never pass");
    assert!(check("https://example.com/a.png").is_err());
    assert!(check("data:image/png,rawdata").is_err());
    assert!(check("data:image/png;base64,%%%").is_err());
    assert!(check("data:image/png;base64,").is_err());
    // Damage anywhere in the base64 is found, not only in the header that is decoded.
    let (head, body) = url.split_once(',').unwrap();
    for at in [body.len() / 2, body.len() - 3] {
        let mut damaged = body.to_owned();
        damaged.replace_range(at..at + 1, "*");
        assert!(
            check(&format!("{head},{damaged}")).is_err(),
            "damage at {at}"
        );
    }
    assert!(
        check(&format!("{head},{}", &body[..body.len() - 1])).is_err(),
        "cut short"
    );
}

#[test]
fn base64_with_line_breaks_is_accepted_and_cleaned() {
    let url = fixture_image_url();
    let (head, body) = url.split_once(',').unwrap();
    let wrapped: String = body
        .as_bytes()
        .chunks(60)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\r\n");
    let image = image_from_data_url(format!("{head},{wrapped}")).unwrap();
    assert_eq!(image.data, ImageData::DataUrl(url.clone()));
    assert_eq!(image.byte_len, decoded(&url).bytes.len() as u64);
}

#[test]
fn a_jpeg_whose_size_comes_after_large_metadata_is_measured() {
    use base64::Engine as _;
    // SOI, a 60 KB APP1 segment (as EXIF/ICC can be), then SOF0 with 640×480.
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1, 0xEA, 0x62];
    jpeg.extend(std::iter::repeat_n(0x55, 0xEA62 - 2));
    jpeg.extend([0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0xE0, 0x02, 0x80, 0x03]);
    jpeg.extend([0u8; 12]);
    jpeg.extend([0xFF, 0xD9]);
    let b64 = base64::engine::general_purpose::STANDARD.encode(&jpeg);
    let image = image_from_base64(&b64).unwrap();
    assert_eq!(image.format, ImageFormat::Jpeg);
    assert_eq!((image.width, image.height), (640, 480));
    assert_eq!(image.byte_len, jpeg.len() as u64);
    assert_eq!(
        image.data,
        ImageData::DataUrl(format!("data:image/jpeg;base64,{b64}"))
    );
    // The same file without its frame header has no size: refused.
    let headless = base64::engine::general_purpose::STANDARD.encode(&jpeg[..jpeg.len() - 24]);
    assert!(image_from_base64(&headless).is_err());
}

/// The bytes a data URL holds, decoded here (the app leaves that to the browser).
fn decoded(url: &str) -> kleinbild::generation::DecodedImage {
    use base64::Engine as _;
    let (_, body) = url.split_once(',').unwrap();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    kleinbild::generation::verify_image(bytes).unwrap()
}

#[test]
fn pixel_sizes_come_from_the_headers() {
    use kleinbild::generation::verify_image;
    let gif = [b"GIF89a".as_slice(), &[0x40, 0x01, 0xF0, 0x00], &[0; 8]].concat();
    assert_eq!(
        verify_image(gif).map(|i| (i.width, i.height)),
        Ok((320, 240))
    );

    // JPEG: SOI, an APP0 segment, then SOF0 with height 768 and width 1344.
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00];
    jpeg.extend([0xFF, 0xC0, 0x00, 0x11, 0x08, 0x03, 0x00, 0x05, 0x40, 0x03]);
    jpeg.extend([0; 12]);
    assert_eq!(
        verify_image(jpeg).map(|i| (i.width, i.height)),
        Ok((1344, 768))
    );

    // WebP VP8X: canvas 1024×1024 stored as value minus one, 24-bit little endian.
    let mut webp = b"RIFF\0\0\0\0WEBPVP8X".to_vec();
    webp.extend([0; 8]);
    webp.extend([0xFF, 0x03, 0x00, 0xFF, 0x03, 0x00]);
    assert_eq!(
        verify_image(webp).map(|i| (i.width, i.height)),
        Ok((1024, 1024))
    );

    // A PNG signature with a damaged header is refused.
    assert!(verify_image(b"\x89PNG\r\n\x1a\n\0\0\0\rXXXX".to_vec()).is_err());
}

#[test]
fn every_error_status_maps_to_a_plain_message_with_a_next_step() {
    let bodies: Value = serde_json::from_str(&fixture("errors.json")).unwrap();
    let expect = [
        ("400", 400, "could not accept the request"),
        ("401", 401, "rejected the API key"),
        ("402", 402, "out of credits"),
        (
            "403",
            403,
            "blocked by moderation (reasons: violence, harassment)",
        ),
        ("403_guardrail", 403, "refused the request"),
        ("404", 404, "Images API"),
        ("408", 408, "timed out"),
        ("413", 413, "too large"),
        ("429", 429, "Wait 7 seconds"),
        ("500", 500, "down or overloaded (HTTP 500)"),
        ("502", 502, "down or overloaded (HTTP 502)"),
        ("503_no_code", 503, "down or overloaded (HTTP 503)"),
        ("524", 524, "timed out"),
        ("529", 529, "down or overloaded (HTTP 529)"),
    ];
    for (name, status, phrase) in expect {
        let body = bodies[name].to_string();
        let error = ApiError::from_http(status, &body);
        let message = error.user_message();
        assert!(
            message.contains(phrase),
            "{name}: {message:?} lacks {phrase:?}"
        );
        assert!(
            message.ends_with('.'),
            "{name}: message should end with the next step: {message}"
        );
        // Account problems are fixed on OpenRouter's site: the alert links there.
        let link = error.help_link().map(|(_, href)| href);
        let link = link.as_deref();
        let expected_link = match status {
            401 => Some("https://openrouter.ai/settings/keys"),
            402 => Some("https://openrouter.ai/settings/credits"),
            _ => None,
        };
        assert_eq!(link, expected_link, "{name}: help link");
    }
    let moderation = ApiError::from_http(403, &bodies["403"].to_string());
    assert!(moderation.user_message().contains("a very...scene"));
}

#[test]
fn a_linked_image_that_cannot_be_fetched_is_offered_as_a_link() {
    let url = "https://images.example.net/f/abc.png";
    let error = ApiError::LinkedImageUnreachable {
        url: url.into(),
        reason: "HTTP 404".into(),
    };
    let message = error.user_message();
    assert!(
        message.contains("images.example.net") && message.contains("HTTP 404"),
        "{message}"
    );
    assert_eq!(error.help_link(), Some(("Open the image", url.to_owned())));
    assert!(
        !kleinbild::api::retry::is_retryable(&error),
        "it was billed"
    );
}

#[test]
fn edge_pages_and_empty_bodies_are_not_mistaken_for_api_errors() {
    let html = "<!DOCTYPE html><html><body>502 Bad Gateway - cloudflare</body></html>";
    assert_eq!(
        ApiError::from_http(502, html),
        ApiError::EdgeError { status: 502 }
    );
    assert!(matches!(
        ApiError::from_http(503, ""),
        ApiError::ProviderDown { status: 503, .. }
    ));
    assert_eq!(
        ApiError::from_http(418, "teapot"),
        ApiError::EdgeError { status: 418 }
    );
}

#[test]
fn keys_never_survive_redaction() {
    let key = "sk-or-v1-0123456789abcdef0123456789abcdef";
    let text = format!("Bearer {key} failed; other sk-or-v1-ffffeeee1111 too");
    let clean = redact(&text, key);
    assert!(!clean.contains("sk-or-"), "{clean}");
    assert!(clean.contains("[key]"));
}

#[test]
fn linked_https_images_are_kept_for_download_and_other_urls_refused() {
    let body = |url: &str| {
        json!({"id": "gen-1", "choices": [{"message": {"role": "assistant", "content": "",
            "images": [{"type": "image_url", "image_url": {"url": url}}]}, "finish_reason": "stop"}]})
        .to_string()
    };
    let output = parse_chat_response(200, &body("https://cdn.example/img/1.png")).unwrap();
    assert_eq!(output.remote_urls, ["https://cdn.example/img/1.png"]);
    assert!(output.images.is_empty());
    let local = parse_chat_response(200, &body("http://127.0.0.1:8787/files/a.png")).unwrap();
    assert_eq!(local.remote_urls.len(), 1);
    for bad in [
        "http://cdn.example/1.png",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "https://cdn.example/a b.png",
    ] {
        assert!(
            matches!(
                parse_chat_response(200, &body(bad)),
                Err(ApiError::NoImage { .. })
            ),
            "{bad} accepted"
        );
    }
}

#[test]
fn images_the_browser_holds_are_checked_by_their_head() {
    use kleinbild::api::data_url::held_placeholder;
    let url = fixture_image_url();
    let (head, body) = url.split_once(',').unwrap();
    let padding = body.bytes().rev().take_while(|&b| b == b'=').count();
    let whole = decoded(&url);
    // A data URL held by the browser, and raw base64 (the Images API's `b64_json`).
    for (placeholder_head, what) in [(url.as_str(), "data URL"), (body, "raw base64")] {
        let placeholder = held_placeholder(7, body.len(), padding, placeholder_head);
        let image = image_from_data_url(placeholder).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(image.data, ImageData::Held(7), "{what}");
        assert_eq!(image.format, ImageFormat::Png);
        assert_eq!((image.width, image.height), (whole.width, whole.height));
        assert_eq!(image.byte_len, whole.bytes.len() as u64, "{what}");
    }
    // The Images API's answer with its `b64_json` held: the path the client takes.
    let held_raw = held_placeholder(9, body.len(), padding, body);
    let answer = format!(r#"{{"created":1,"data":[{{"b64_json":"{held_raw}"}}]}}"#);
    let output = kleinbild::api::response::parse_images_response(200, &answer)
        .unwrap_or_else(|e| panic!("held b64_json: {e:?}"));
    assert_eq!(output.images[0].data, ImageData::Held(9));
    assert_eq!(output.images[0].byte_len, whole.bytes.len() as u64);
    // The head alone decides: a cut head still gives the header of a PNG.
    let short = held_placeholder(1, body.len(), padding, &url[..head.len() + 1 + 45]);
    assert_eq!(image_from_data_url(short).unwrap().format, ImageFormat::Png);
    // What is refused: not an image, not base64, lengths that cannot be.
    let svg = held_placeholder(2, 200_000, 0, "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=");
    assert!(image_from_data_url(svg).is_err());
    let text = held_placeholder(3, 200_000, 0, "data:text/html;base64,PGh0bWw+");
    assert!(image_from_data_url(text).is_err());
    let odd = held_placeholder(4, body.len() + 1, padding, &url);
    assert!(
        image_from_data_url(odd).is_err(),
        "a base64 length not a multiple of 4"
    );
    let broken = format!("kleinbild-held:x:{}:{padding}:{url}", body.len());
    assert!(image_from_data_url(broken).is_err());
}

#[test]
fn an_odd_field_never_loses_the_image_but_a_body_that_is_no_object_is_malformed() {
    let url = fixture_image_url();
    let odd = json!({
        "id": 7,
        "provider": ["not", "text"],
        "usage": {"cost": "0.014"},
        "choices": [
            {"finish_reason": null, "message": {"images": [{"image_url": {"url": url}}]}},
            "not a choice"
        ]
    });
    let output = parse_chat_response(200, &odd.to_string()).unwrap();
    assert_eq!(output.images.len(), 1);
    assert_eq!(
        output.cost_usd, None,
        "a cost given as text is not a number"
    );
    assert_eq!(output.generation_id, None);
    assert_eq!(output.provider, None);

    for (body, kind) in [
        ("[1, 2]", "unexpected shape"),
        ("{\"choices\": [", "the body ended too early"),
        ("<html>", "not JSON"),
    ] {
        match parse_chat_response(200, body) {
            Err(ApiError::Malformed { detail }) => {
                assert!(detail.contains(kind), "{body}: {detail}")
            }
            other => panic!("{body}: {other:?}"),
        }
    }
}
