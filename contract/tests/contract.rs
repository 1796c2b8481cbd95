//! Our schemas (contract/schemas/*.json): they are valid JSON Schema 2020-12 and compile, every
//! fixture (hand-written from the project's API notes) validates, and broken bodies are refused
//! with the violation at its place.

mod support;

use contract::{
    Contract, OPERATIONS, Operation, SCHEMA_BASE, parse_sse_events, validate_error_body,
    validate_request_body, validate_response_body, validate_sse_body,
};
use serde_json::{Value, json};
use support::{Body, fixture};

fn c() -> &'static Contract {
    Contract::load()
}

#[track_caller]
fn ok(r: Result<(), String>) {
    if let Err(e) = r {
        panic!("expected valid, got:\n{e}");
    }
}

#[track_caller]
fn fails(r: Result<(), String>, needle: &str) -> String {
    match r {
        Ok(()) => panic!("expected a violation mentioning {needle:?}, got Ok"),
        Err(e) => {
            assert!(
                e.contains(needle),
                "violation should mention {needle:?}:\n{e}"
            );
            e
        }
    }
}

// ---------- the schemas themselves ----------

#[test]
fn every_schema_is_valid_and_compiles() {
    let fresh = Contract::embedded().unwrap();
    let names: Vec<&str> = fresh.schema_names().collect();
    assert!(names.len() > 30, "{names:?}");
    for name in names {
        // Valid or not, what matters here is that each one compiles.
        if let Err(e) = fresh.validate(name, &Value::Null) {
            assert!(!e.contains("cannot compile"), "{name}: {e}");
        }
    }
    for (file, doc) in fresh.documents() {
        jsonschema::meta::validate(doc).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(doc["$id"], json!(format!("{SCHEMA_BASE}{file}")));
    }
}

#[test]
fn the_schemas_the_project_relies_on_exist() {
    for name in [
        "ChatRequest",
        "ChatUserMessage",
        "ChatContentImage",
        "ImageConfig",
        "ChatResult",
        "ChatAssistantImages",
        "ChatUsage",
        "ChatStreamChunk",
        "ChatStreamDelta",
        "ImageGenerationRequest",
        "ImageGenerationResponse",
        "ImageModelEndpointsResponse",
        "ImagePricingEntry",
        "ModelsListResponse",
        "KeyResponse",
        "AuthKeysRequest",
        "AuthKeysResponse",
        "GenerationResponse",
        "ErrorResponse",
        "ErrorData",
        "InBandError",
    ] {
        assert!(c().has_schema(name), "{name} missing");
    }
    assert!(!c().has_schema("NoSuchSchema"));
    for op in OPERATIONS {
        assert!(c().operation(op.path, op.method).is_ok(), "{op:?}");
    }
}

fn docs_with(file: &str, schema: Value) -> Vec<(String, Value)> {
    vec![(
        file.to_owned(),
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": format!("{SCHEMA_BASE}{file}"),
            "$defs": { "ErrorResponse": { "type": "object" }, "Thing": schema }
        }),
    )]
}

#[test]
fn broken_schema_documents_are_refused() {
    let ok = Contract::from_documents(docs_with("t.json", json!({ "type": "string" })), vec![]);
    assert!(ok.is_ok(), "{ok:?}");
    let refused = |docs: Vec<(String, Value)>, ops: Vec<Operation>, needle: &str| {
        let e = Contract::from_documents(docs, ops).unwrap_err();
        assert!(e.contains(needle), "expected {needle:?} in: {e}");
    };
    // A misspelt keyword would be ignored silently by JSON Schema.
    refused(
        docs_with("t.json", json!({ "type": "object", "requried": ["a"] })),
        vec![],
        "/$defs/Thing/requried",
    );
    // Not a valid 2020-12 schema.
    refused(
        docs_with("t.json", json!({ "type": "strng" })),
        vec![],
        "not a valid JSON Schema 2020-12",
    );
    // $id must match the file.
    let mut docs = docs_with("t.json", json!({}));
    docs[0].0 = "other.json".into();
    refused(docs, vec![], "$id must be");
    // A name defined twice.
    let mut docs = docs_with("t.json", json!({}));
    docs.extend(docs_with("u.json", json!({})));
    refused(docs, vec![], "defined in t.json and in u.json");
    // An operation naming a schema that does not exist.
    let op = Operation {
        method: "GET",
        path: "/things",
        request: None,
        ok: "Nothing",
        stream: None,
        errors: &[],
    };
    refused(
        docs_with("t.json", json!({})),
        vec![op],
        "names schema Nothing",
    );
    // A $ref to nothing is refused when the schema is used.
    let c = Contract::from_documents(
        docs_with("t.json", json!({ "$ref": "#/$defs/Missing" })),
        vec![],
    )
    .unwrap();
    let e = c.validate("Thing", &json!(1)).unwrap_err();
    assert!(e.contains("cannot compile"), "{e}");
}

// ---------- every fixture ----------

#[test]
fn every_fixture_validates() {
    let bodies = support::all_bodies();
    assert!(bodies.len() > 25, "{}", bodies.len());
    for (label, body) in bodies {
        let checked = match &body {
            Body::Request {
                method,
                path,
                value,
            } => validate_request_body(c(), path, method, value),
            Body::Response {
                method,
                path,
                status,
                value,
            } if *status >= 400 => validate_error_body(c(), path, method, *status, value),
            Body::Response {
                method,
                path,
                status,
                value,
            } => validate_response_body(c(), path, method, *status, value),
        };
        if let Err(e) = checked {
            panic!("fixture {label}:\n{e}");
        }
    }
}

#[test]
fn unknown_schema_is_an_error() {
    let e = fails(c().validate("NoSuchSchema", &json!({})), "unknown schema");
    assert!(e.contains("NoSuchSchema"));
}

#[test]
fn unknown_operation_or_status_is_an_error() {
    fails(
        validate_request_body(c(), "/no/such/path", "POST", &json!({})),
        "not in our contract",
    );
    fails(
        validate_request_body(c(), "/chat/completions", "DELETE", &json!({})),
        "not in our contract",
    );
    fails(
        validate_request_body(c(), "/key", "GET", &json!({})),
        "takes no JSON request body",
    );
    // POST /images declares no 503 response.
    fails(
        validate_error_body(c(), "/images", "POST", 503, &fixture("errors.json")["503"]),
        "declares no 503",
    );
    fails(
        validate_response_body(c(), "/key", "GET", 201, &json!({})),
        "declares no 201",
    );
    fails(
        validate_error_body(c(), "/chat/completions", "POST", 200, &json!({})),
        "not an error status",
    );
    // Only chat streams.
    fails(
        validate_response_body(c(), "/images", "POST", 200, &json!([{}])),
        "no text/event-stream",
    );
}

#[test]
fn concrete_paths_and_the_api_prefix_are_accepted() {
    let model = fixture("models_response.json")["data"][0].clone();
    ok(validate_response_body(
        c(),
        "/api/v1/model/black-forest-labs/flux.2-klein-4b",
        "get",
        200,
        &json!({ "data": model }),
    ));
    ok(validate_response_body(
        c(),
        "/images/models/black-forest-labs/flux.2-klein-4b/endpoints",
        "GET",
        200,
        &fixture("image_endpoints_response.json"),
    ));
    ok(validate_response_body(
        c(),
        "/generation?id=gen-1",
        "GET",
        200,
        &fixture("generation_response.json"),
    ));
}

// ---------- §1 chat requests ----------

#[test]
fn chat_request_text_to_image() {
    let body = fixture("chat_request_minimal.json");
    ok(c().validate("ChatRequest", &body));
    ok(validate_request_body(
        c(),
        "/chat/completions",
        "POST",
        &body,
    ));
    // The /api/v1 prefix as the client uses it is accepted too.
    ok(validate_request_body(
        c(),
        "/api/v1/chat/completions",
        "post",
        &body,
    ));
}

#[test]
fn chat_request_with_input_images() {
    let body = fixture("chat_request_edit.json");
    ok(validate_request_body(
        c(),
        "/chat/completions",
        "POST",
        &body,
    ));
    ok(c().validate("ChatContentImage", &body["messages"][0]["content"][1]));
}

#[test]
fn chat_request_without_messages_fails() {
    let mut body = fixture("chat_request_minimal.json");
    body.as_object_mut().unwrap().remove("messages");
    fails(
        validate_request_body(c(), "/chat/completions", "POST", &body),
        "\"messages\" is a required property",
    );
}

#[test]
fn chat_request_empty_messages_fails() {
    let mut body = fixture("chat_request_minimal.json");
    body["messages"] = json!([]);
    fails(c().validate("ChatRequest", &body), "/messages");
}

#[test]
fn chat_request_video_modality_fails() {
    let mut body = fixture("chat_request_minimal.json");
    body["modalities"] = json!(["video"]);
    fails(c().validate("ChatRequest", &body), "/modalities/0");
}

#[test]
fn chat_request_wrong_types_fail() {
    let mut body = fixture("chat_request_minimal.json");
    body["seed"] = json!("42");
    body["stream"] = json!("no");
    let e = fails(c().validate("ChatRequest", &body), "/seed");
    assert!(e.contains("/stream"), "every violation is listed:\n{e}");
    let mut body = fixture("chat_request_minimal.json");
    body["image_config"] = json!({ "aspect_ratio": true });
    fails(c().validate("ChatRequest", &body), "/image_config");
}

#[test]
fn chat_request_bad_image_part_fails() {
    let mut body = fixture("chat_request_edit.json");
    body["messages"][0]["content"][1] = json!({ "type": "image_url", "image_url": {} });
    // The violation is reported where it is (discriminator + anyOf branches rendered).
    fails(
        c().validate("ChatRequest", &body),
        "at /messages/0/content/1/image_url: \"url\" is a required property",
    );
    fails(
        c().validate("ChatContentImage", &body["messages"][0]["content"][1]),
        "\"url\" is a required property",
    );
}

#[test]
fn chat_request_discriminated_message_role() {
    let mut body = fixture("chat_request_minimal.json");
    body["messages"][0]["role"] = json!("usr");
    fails(c().validate("ChatRequest", &body), "at /messages/0/role");
    let mut body = fixture("chat_request_minimal.json");
    body["messages"][0].as_object_mut().unwrap().remove("role");
    fails(
        c().validate("ChatRequest", &body),
        "\"role\" is a required property",
    );
    // An unknown content part type is caught at its `type`.
    let mut body = fixture("chat_request_edit.json");
    body["messages"][0]["content"][0]["type"] = json!("input_text");
    fails(
        c().validate("ChatRequest", &body),
        "/messages/0/content/0/type",
    );
}

// ---------- §2 chat results ----------

#[test]
fn chat_result_with_images() {
    let body = fixture("chat_result.json");
    ok(c().validate("ChatResult", &body));
    ok(validate_response_body(
        c(),
        "/chat/completions",
        "POST",
        200,
        &body,
    ));
    ok(c().validate(
        "ChatAssistantImages",
        &body["choices"][0]["message"]["images"],
    ));
    ok(c().validate("ChatUsage", &body["usage"]));
}

#[test]
fn chat_result_with_choice_error() {
    let body = fixture("chat_result_choice_error.json");
    ok(validate_response_body(
        c(),
        "/chat/completions",
        "POST",
        200,
        &body,
    ));
    // The in-choice error is typed: a numeric message is caught.
    let mut bad = body.clone();
    bad["choices"][0]["error"]["message"] = json!(42);
    fails(c().validate("ChatResult", &bad), "/choices/0/error/message");
    let mut bad = body;
    bad["choices"][0]["error"]
        .as_object_mut()
        .unwrap()
        .remove("code");
    fails(c().validate("ChatResult", &bad), "/choices/0/error");
}

#[test]
fn chat_result_missing_choices_fails() {
    let mut body = fixture("chat_result.json");
    body.as_object_mut().unwrap().remove("choices");
    fails(
        validate_response_body(c(), "/chat/completions", "POST", 200, &body),
        "\"choices\" is a required property",
    );
}

#[test]
fn chat_result_bad_images_fail() {
    // Plain strings instead of objects (the bug of §11 #3).
    let mut body = fixture("chat_result.json");
    body["choices"][0]["message"]["images"] = json!(["data:image/png;base64,iVBORw0KGgo="]);
    fails(
        c().validate("ChatResult", &body),
        "/choices/0/message/images/0",
    );
    // A wrong `type` on an image entry (`type` is declared as "image_url").
    let mut body = fixture("chat_result.json");
    body["choices"][0]["message"]["images"][0]["type"] = json!("image");
    fails(
        c().validate("ChatResult", &body),
        "/choices/0/message/images/0/type",
    );
    // Missing image_url.url.
    let mut body = fixture("chat_result.json");
    body["choices"][0]["message"]["images"][0]["image_url"] = json!({});
    fails(
        c().validate("ChatResult", &body),
        "\"url\" is a required property",
    );
}

#[test]
fn chat_result_bad_fields_fail() {
    let mut body = fixture("chat_result.json");
    body["object"] = json!("chat.completion.chunk");
    body["created"] = json!("yesterday");
    body["choices"][0]["finish_reason"] = json!("done");
    body["usage"]["cost"] = json!("0.014");
    let e = fails(c().validate("ChatResult", &body), "/object");
    for at in ["/created", "/choices/0/finish_reason", "/usage/cost"] {
        assert!(e.contains(at), "{at} missing from:\n{e}");
    }
}

// ---------- §3 streaming ----------

fn sse_text(chunks: &[Value]) -> String {
    let mut s = String::from(": OPENROUTER PROCESSING\n\n");
    for ch in chunks {
        s.push_str("data: ");
        s.push_str(&serde_json::to_string(ch).unwrap());
        s.push_str("\n\n");
        s.push_str(": OPENROUTER PROCESSING\r\n\r\n");
    }
    s.push_str("data: [DONE]\n\n");
    s
}

#[test]
fn stream_chunks_with_images() {
    let chunks = fixture("chat_stream_chunks.json");
    for (i, ch) in chunks.as_array().unwrap().iter().enumerate() {
        if let Err(e) = c().validate("ChatStreamChunk", ch) {
            panic!("chunk {i}: {e}");
        }
    }
    ok(c().validate("ChatStreamDelta", &chunks[1]["choices"][0]["delta"]));
    // As already-parsed chunks, and as raw SSE text (comments and [DONE] skipped).
    ok(validate_response_body(
        c(),
        "/chat/completions",
        "POST",
        200,
        &chunks,
    ));
    let text = sse_text(chunks.as_array().unwrap());
    assert_eq!(parse_sse_events(&text).unwrap().len(), 4);
    ok(validate_response_body(
        c(),
        "/chat/completions",
        "POST",
        200,
        &Value::String(text.clone()),
    ));
    ok(validate_sse_body(
        c(),
        "/chat/completions",
        "POST",
        200,
        &text,
    ));
}

#[test]
fn stream_mid_stream_error_chunk() {
    let chunk = fixture("chat_stream_error_chunk.json");
    ok(c().validate("ChatStreamChunk", &chunk));
    // The string code of the older doc example is accepted too.
    let mut s = chunk.clone();
    s["error"]["code"] = json!("server_error");
    ok(c().validate("ChatStreamChunk", &s));
    let mut chunks = fixture("chat_stream_chunks.json").as_array().unwrap()[..2].to_vec();
    chunks.push(chunk.clone());
    ok(validate_sse_body(
        c(),
        "/chat/completions",
        "POST",
        200,
        &sse_text(&chunks),
    ));
    // error.message must be a string.
    let mut bad = chunk.clone();
    bad["error"]["message"] = json!(429);
    fails(c().validate("ChatStreamChunk", &bad), "/error/message");
    let mut bad = chunk;
    bad["error"]["code"] = json!(4.5);
    fails(c().validate("ChatStreamChunk", &bad), "/error/code");
}

#[test]
fn stream_bad_chunks_fail() {
    let chunks = fixture("chat_stream_chunks.json");
    // images as strings inside the delta (`delta.images` is typed)
    let mut bad = chunks[1].clone();
    bad["choices"][0]["delta"]["images"] = json!("data:image/png;base64,iVBORw0KGgo=");
    fails(
        c().validate("ChatStreamChunk", &bad),
        "/choices/0/delta/images",
    );
    // wrong object type and missing finish_reason
    let mut bad2 = chunks[0].clone();
    bad2["object"] = json!("chat.completion");
    bad2["choices"][0]
        .as_object_mut()
        .unwrap()
        .remove("finish_reason");
    let text = sse_text(&[chunks[0].clone(), bad.clone(), bad2]);
    let e = fails(
        validate_sse_body(c(), "/chat/completions", "POST", 200, &text),
        "event 1",
    );
    assert!(e.contains("event 2"), "{e}");
    assert!(!e.contains("event 0"), "{e}");
    // Non-JSON data and a stream without any data events.
    fails(
        validate_sse_body(c(), "/chat/completions", "POST", 200, "data: {oops\n\n"),
        "not JSON",
    );
    fails(
        validate_sse_body(
            c(),
            "/chat/completions",
            "POST",
            200,
            ": OPENROUTER PROCESSING\n\n",
        ),
        "no data events",
    );
}

// ---------- §4 Image API ----------

#[test]
fn image_api_request_and_response() {
    let req = fixture("image_request.json");
    ok(c().validate("ImageGenerationRequest", &req));
    ok(validate_request_body(c(), "/images", "POST", &req));
    let resp = fixture("image_response.json");
    ok(c().validate("ImageGenerationResponse", &resp));
    ok(validate_response_body(c(), "/images", "POST", 200, &resp));
    // No `id`, and `media_type` may be missing (PNG without it, per the July skill).
    let mut no_media = resp.clone();
    no_media["data"][0]
        .as_object_mut()
        .unwrap()
        .remove("media_type");
    ok(validate_response_body(
        c(),
        "/images",
        "POST",
        200,
        &no_media,
    ));
}

#[test]
fn image_api_bad_bodies_fail() {
    let mut req = fixture("image_request.json");
    req["prompt"] = json!("");
    req["output_format"] = json!("gif");
    let e = fails(
        validate_request_body(c(), "/images", "POST", &req),
        "/prompt",
    );
    assert!(e.contains("/output_format"), "{e}");
    let mut req = fixture("image_request.json");
    req.as_object_mut().unwrap().remove("model");
    fails(
        c().validate("ImageGenerationRequest", &req),
        "\"model\" is a required property",
    );
    let mut resp = fixture("image_response.json");
    resp["data"][0] = json!({ "url": "https://example.com/x.png" });
    fails(
        validate_response_body(c(), "/images", "POST", 200, &resp),
        "\"b64_json\" is a required property",
    );
    let mut resp = fixture("image_response.json");
    resp.as_object_mut().unwrap().remove("created");
    fails(
        c().validate("ImageGenerationResponse", &resp),
        "\"created\"",
    );
}

// ---------- §6 errors ----------

#[test]
fn error_bodies_for_chat() {
    let errors = fixture("errors.json");
    for (status, body) in errors.as_object().unwrap() {
        let status: u16 = status.parse().unwrap();
        if let Err(e) = validate_error_body(c(), "/chat/completions", "POST", status, body) {
            panic!("{status}: {e}");
        }
    }
}

#[test]
fn error_bodies_for_images() {
    let errors = fixture("errors.json");
    // POST /images declares 400 401 402 403 404 413 429 500 502 524 529 (no 408, no 503).
    for status in [400u16, 401, 402, 403, 404, 413, 429, 500, 502, 524, 529] {
        let body = &errors[status.to_string()];
        if let Err(e) = validate_error_body(c(), "/images", "POST", status, body) {
            panic!("{status}: {e}");
        }
    }
}

#[test]
fn error_schema_by_name() {
    let errors = fixture("errors.json");
    for (status, body) in errors.as_object().unwrap() {
        if let Err(e) = c().validate("ErrorData", &body["error"]) {
            panic!("{status}: {e}");
        }
        if let Err(e) = c().validate("ErrorResponse", body) {
            panic!("{status}: {e}");
        }
    }
    // A moderation message longer than OpenRouter's 100 characters is not theirs.
    let mut bad = errors["403"].clone();
    bad["error"]["metadata"]["flagged_input"] = json!("x".repeat(101));
    fails(
        c().validate("ErrorResponse", &bad),
        "/error/metadata/flagged_input",
    );
}

#[test]
fn availability_error_without_code() {
    let body = fixture("error_availability_no_code.json");
    ok(validate_error_body(
        c(),
        "/chat/completions",
        "POST",
        400,
        &body,
    ));
    // Without code *and* without availability it is not an OpenRouter error body.
    let mut bad = body.clone();
    bad["error"].as_object_mut().unwrap().remove("availability");
    fails(
        validate_error_body(c(), "/chat/completions", "POST", 400, &bad),
        "/error",
    );
    // availability.code is one of the documented values.
    let mut bad = body;
    bad["error"]["availability"]["code"] = json!("model_gone");
    fails(
        validate_error_body(c(), "/chat/completions", "POST", 400, &bad),
        "/error/availability/code",
    );
}

#[test]
fn bad_error_bodies_fail() {
    let errors = fixture("errors.json");
    let mut bad = errors["402"].clone();
    bad["error"]["message"] = json!(402);
    fails(
        validate_error_body(c(), "/chat/completions", "POST", 402, &bad),
        "/error/message",
    );
    let mut bad = errors["429"].clone();
    bad["error"]["code"] = json!("429");
    fails(
        validate_error_body(c(), "/chat/completions", "POST", 429, &bad),
        "/error/code",
    );
    fails(
        validate_error_body(
            c(),
            "/chat/completions",
            "POST",
            401,
            &json!({"message": "nope"}),
        ),
        "\"error\" is a required property",
    );
    fails(
        validate_error_body(
            c(),
            "/chat/completions",
            "POST",
            401,
            &json!({"error": {"code": 401}}),
        ),
        "\"message\" is a required property",
    );
    let mut bad = errors["402"].clone();
    bad["user_id"] = json!(12);
    fails(
        validate_error_body(c(), "/images", "POST", 402, &bad),
        "/user_id",
    );
    // The status must match error.code.
    fails(
        validate_error_body(c(), "/chat/completions", "POST", 500, &errors["502"]),
        "differs from the HTTP status 500",
    );
}

// ---------- §8 /auth/keys, §9 /key ----------

#[test]
fn auth_keys_exchange() {
    let req = fixture("auth_keys_request.json");
    ok(validate_request_body(c(), "/auth/keys", "POST", &req));
    let resp = fixture("auth_keys_response.json");
    ok(validate_response_body(
        c(),
        "/auth/keys",
        "POST",
        200,
        &resp,
    ));
    let mut with_user = resp.clone();
    with_user["user_id"] = json!("user_2yOPcMpKoQhcd4bVgSMlELRaIah");
    ok(validate_response_body(
        c(),
        "/auth/keys",
        "POST",
        200,
        &with_user,
    ));
    ok(validate_error_body(
        c(),
        "/auth/keys",
        "POST",
        403,
        &json!({"error": {"code": 403, "message": "Invalid code or code_verifier"}}),
    ));

    fails(
        validate_request_body(c(), "/auth/keys", "POST", &json!({"code_verifier": "v"})),
        "\"code\" is a required property",
    );
    let mut bad = req;
    bad["code_challenge_method"] = json!("S512");
    fails(
        validate_request_body(c(), "/auth/keys", "POST", &bad),
        "/code_challenge_method",
    );
    let mut bad = resp;
    bad.as_object_mut().unwrap().remove("key");
    fails(
        validate_response_body(c(), "/auth/keys", "POST", 200, &bad),
        "\"key\"",
    );
}

#[test]
fn key_info() {
    let body = fixture("key_response.json");
    ok(validate_response_body(c(), "/key", "GET", 200, &body));
    let mut bad = body.clone();
    bad["data"]["usage"] = json!("0.014");
    fails(
        validate_response_body(c(), "/key", "GET", 200, &bad),
        "/data/usage",
    );
    let mut bad = body;
    bad["data"]
        .as_object_mut()
        .unwrap()
        .remove("limit_remaining");
    fails(
        validate_response_body(c(), "/key", "GET", 200, &bad),
        "limit_remaining",
    );
}

// ---------- catalogue, generation records ----------

#[test]
fn models_list() {
    let body = fixture("models_response.json");
    ok(validate_response_body(c(), "/models", "GET", 200, &body));
    let mut bad = body.clone();
    bad["data"][0]["architecture"]["output_modalities"] = json!(["picture"]);
    fails(
        validate_response_body(c(), "/models", "GET", 200, &bad),
        "/data/0/architecture/output_modalities/0",
    );
    // Prices are strings.
    let mut bad = body.clone();
    bad["data"][0]["pricing"]["image_output"] = json!(0.00000342);
    fails(
        c().validate("ModelsListResponse", &bad),
        "/data/0/pricing/image_output",
    );
    let mut bad = body;
    bad["data"][0]
        .as_object_mut()
        .unwrap()
        .remove("top_provider");
    fails(c().validate("ModelsListResponse", &bad), "top_provider");
}

#[test]
fn image_model_endpoints_and_pricing() {
    let body = fixture("image_endpoints_response.json");
    let mut bad = body.clone();
    bad["endpoints"][0]["pricing"][0]["unit"] = json!("pixel");
    fails(
        c().validate("ImageModelEndpointsResponse", &bad),
        "/endpoints/0/pricing/0/unit",
    );
    let mut bad = body.clone();
    bad["endpoints"][0]["supported_parameters"]["input_references"] =
        json!({ "type": "range", "min": 0 });
    fails(
        c().validate("ImageModelEndpointsResponse", &bad),
        "/endpoints/0/supported_parameters/input_references",
    );
    let mut bad = body;
    bad["endpoints"][0]["pricing"][0]["cost_usd"] = json!("0.014");
    fails(
        c().validate("ImageModelEndpointsResponse", &bad),
        "/endpoints/0/pricing/0/cost_usd",
    );
    let models = fixture("image_models_response.json");
    ok(c().validate("ImageModelsListResponse", &models));
}

#[test]
fn generation_record() {
    let body = fixture("generation_response.json");
    ok(c().validate("GenerationResponse", &body));
    let mut bad = body.clone();
    bad["data"]["total_cost"] = json!("0.014");
    fails(c().validate("GenerationResponse", &bad), "/data/total_cost");
    let mut bad = body.clone();
    bad["data"]["api_type"] = json!("chat");
    fails(c().validate("GenerationResponse", &bad), "/data/api_type");
    let mut bad = body;
    bad["data"].as_object_mut().unwrap().remove("upstream_id");
    fails(c().validate("GenerationResponse", &bad), "upstream_id");
}

#[test]
fn credits() {
    let body = fixture("credits_response.json");
    ok(validate_response_body(c(), "/credits", "GET", 200, &body));
    fails(
        validate_response_body(c(), "/credits", "GET", 200, &json!({ "data": {} })),
        "total_credits",
    );
    ok(validate_error_body(
        c(),
        "/credits",
        "GET",
        403,
        &json!({"error": {"code": 403, "message": "Only management keys can perform this operation"}}),
    ));
}
