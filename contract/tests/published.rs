//! Our schemas against OpenRouter's published OpenAPI description.
//!
//! `our_schemas_agree_with_the_published_description` is the comparison; it runs whenever the
//! description can be found (`$OPENROUTER_OPENAPI`, `../shared/reference/`, or a download; see
//! `contract::published`) and otherwise says so and passes. The other tests prove the
//! comparison can fail: one always (with a small description written here), the rest with a
//! doctored copy of the real description when it is available.

mod support;

use contract::published::{self, Published};
use contract::{Contract, Operation, SCHEMA_BASE};
use serde_json::{Value, json};
use support::Body;

/// A line on the test's own stderr: unlike `println!`/`eprintln!`, which libtest captures and
/// shows only for failing tests, this shows in the output of a plain `cargo test`.
fn say(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// The description, or `None` after saying plainly why the comparison is skipped.
fn published_or_skip(test: &str) -> Option<&'static Published> {
    match published::load() {
        Ok(p) => {
            println!(
                "{test}: using the published description from {}",
                p.source()
            );
            Some(p)
        }
        Err(e) => {
            say(&format!("{test}: {e}; the comparison was skipped"));
            None
        }
    }
}

#[test]
fn our_schemas_agree_with_the_published_description() {
    let Some(theirs) = published_or_skip("our_schemas_agree_with_the_published_description") else {
        return;
    };
    let report = published::compare(Contract::load(), theirs.document());
    println!("compared:\n  {}", report.compared.join("\n  "));
    assert!(
        report.compared.len() > 20,
        "too little was compared: {:?}",
        report.compared
    );

    // Our fixtures are valid against the published description (with the overlays) too.
    let mut problems = report.problems;
    for (label, body) in support::all_bodies() {
        let checked = match &body {
            Body::Request {
                method,
                path,
                value,
            } => theirs.validate_request_body(path, method, value),
            Body::Response {
                method,
                path,
                status,
                value,
            } => theirs.validate_response_body(path, method, *status, value),
        };
        if let Err(e) = checked {
            problems.push(format!("fixture {label}: {e}"));
        }
    }
    assert!(
        problems.is_empty(),
        "our schemas disagree with the published description ({}):\n{}",
        theirs.source(),
        problems.join("\n")
    );
    say(&format!(
        "our schemas agree with the published description from {} ({} comparisons; every fixture valid against it)",
        theirs.source(),
        report.compared.len()
    ));
}

// ---------- the comparison can fail ----------

/// A small description, written here, of a made-up `POST /things`.
fn small_description() -> Value {
    json!({
        "openapi": "3.1.0",
        "paths": { "/things": { "post": {
            "requestBody": { "content": { "application/json": { "schema": {
                "type": "object",
                "properties": {
                    "model": { "type": "string" },
                    "prompt": { "type": "string", "minLength": 1 },
                    "size": { "type": "string", "enum": ["small", "medium"] },
                    "tags": { "type": "array", "items": { "type": "string" }, "maxItems": 4 }
                },
                "required": ["model", "prompt"]
            }}}},
            "responses": {
                "200": { "content": { "application/json": { "schema": {
                    "$ref": "#/components/schemas/Thing"
                }}}},
                "400": { "content": { "application/json": { "schema": {
                    "type": "object",
                    "properties": { "error": { "type": "object", "properties": {
                        "code": { "type": "integer" }, "message": { "type": "string" }
                    }, "required": ["code", "message"] } },
                    "required": ["error"]
                }}}}
            }
        }}},
        "components": { "schemas": { "Thing": {
            "type": "object",
            "properties": {
                "created": { "type": "string" },
                "url": { "type": ["string", "null"] },
                "kind": { "anyOf": [{ "type": "string", "enum": ["a", "b"] }, { "type": "null" }] }
            },
            "required": ["created", "url"]
        }}}
    })
}

/// Our side of `POST /things`: `fixed` agrees with [`small_description`], otherwise it differs
/// in nine places.
fn small_contract(fixed: bool) -> Contract {
    let request = if fixed {
        json!({
            "type": "object",
            "properties": {
                "model": { "type": "string" },
                "prompt": { "type": "string", "minLength": 2 },
                "size": { "type": "string", "enum": ["small"] },
                "tags": { "type": "array", "items": { "type": "string" }, "maxItems": 2 }
            },
            "required": ["model", "prompt"],
            "additionalProperties": false
        })
    } else {
        json!({
            "type": "object",
            "properties": {
                "model": { "type": "string" },
                "prompt": { "type": "string" },
                "size": { "type": "string", "enum": ["small", "large"] },
                "tags": { "type": "array", "items": { "type": "integer" } },
                "made_up": { "type": "boolean" }
            },
            "required": ["model"]
        })
    };
    let answer = if fixed {
        json!({
            "type": "object",
            "properties": {
                "created": { "type": "string" },
                "url": { "type": "string" },
                "kind": { "type": ["string", "null"], "enum": ["a", null] }
            },
            "required": ["created", "url"]
        })
    } else {
        json!({
            "type": "object",
            "properties": {
                "created": { "type": "integer" },
                "kind": { "type": ["string", "null"], "enum": ["a", "c", null] }
            },
            "required": ["created"]
        })
    };
    let mut defs = json!({
        "Request": request,
        "Answer": answer,
        "ErrorResponse": {
            "type": "object",
            "properties": { "error": { "type": "object", "properties": {
                "code": { "type": "integer" }, "message": { "type": "string" }
            }, "required": ["code", "message"] } },
            "required": ["error"]
        }
    });
    if !fixed {
        defs["Unused"] = json!({ "type": "string" });
    }
    let doc = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{SCHEMA_BASE}things.json"),
        "$defs": defs
    });
    let op = Operation {
        method: "POST",
        path: "/things",
        request: Some("Request"),
        ok: "Answer",
        stream: None,
        errors: if fixed { &[400] } else { &[400, 503] },
    };
    Contract::from_documents(vec![("things.json".into(), doc)], vec![op]).unwrap()
}

#[track_caller]
fn reported(problems: &[String], needles: &[&str]) {
    let all = problems.join("\n");
    for needle in needles {
        assert!(
            problems.iter().any(|p| p.contains(needle)),
            "expected a problem mentioning {needle:?}, got:\n{all}"
        );
    }
}

#[test]
fn the_comparison_reports_each_kind_of_disagreement() {
    let theirs = small_description();
    let report = published::compare(&small_contract(true), &theirs);
    assert!(report.is_ok(), "{:#?}", report.problems);
    assert_eq!(report.compared.len(), 3, "{:?}", report.compared);

    let report = published::compare(&small_contract(false), &theirs);
    reported(
        &report.problems,
        &[
            "POST /things request (Request).made_up: this property is not declared",
            "POST /things request (Request): `prompt` is required by the published schema but not by ours",
            "POST /things request (Request).prompt: the published schema has minLength 1; ours states none",
            "POST /things request (Request).size: value \"large\" is not allowed",
            "POST /things request (Request).tags[]: type integer is not allowed by the published schema (string)",
            "POST /things request (Request).tags: the published schema has maxItems 4; ours states none",
            "POST /things 200 (Answer).created: type integer is not allowed",
            "POST /things 200 (Answer): `url` is required by the published schema but not by ours",
            "POST /things 200 (Answer).kind: value \"c\" is not allowed",
            "POST /things: we accept status 503; the published description declares no such answer",
            "our schema things.json#/$defs/Unused is not used by any operation",
        ],
    );
    assert_eq!(report.problems.len(), 12, "{:#?}", report.problems);

    // An operation the description lacks, and a closed published schema.
    let mut theirs = small_description();
    theirs["components"]["schemas"]["Thing"]["additionalProperties"] = json!(false);
    let post = theirs["paths"]["/things"]
        .as_object_mut()
        .unwrap()
        .remove("post")
        .unwrap();
    theirs["paths"]["/things"]["get"] = post;
    let report = published::compare(&small_contract(true), &theirs);
    reported(
        &report.problems,
        &["POST /things: not in the published description"],
    );
    let get = theirs["paths"]["/things"]
        .as_object_mut()
        .unwrap()
        .remove("get")
        .unwrap();
    theirs["paths"]["/things"]["post"] = get;
    let report = published::compare(&small_contract(true), &theirs);
    reported(
        &report.problems,
        &[
            "POST /things 200 (Answer): the published schema allows no other properties; ours is open",
        ],
    );
}

#[test]
fn the_comparison_fails_on_a_doctored_published_description() {
    let Some(real) = published_or_skip("the_comparison_fails_on_a_doctored_published_description")
    else {
        return;
    };
    // Start from the description as found (the overlays are applied again by from_document;
    // they only add what is missing).
    let mut doc = real.document().clone();
    let s = &mut doc["components"]["schemas"];
    s["ChatRequest"]["properties"]
        .as_object_mut()
        .unwrap()
        .remove("seed");
    s["ChatRequest"]["required"]
        .as_array_mut()
        .unwrap()
        .push(json!("temperature"));
    s["ChatRequest"]["properties"]["modalities"]["items"]["enum"] = json!(["text", "audio"]);
    s["ImageGenerationResponse"]["properties"]["data"]["items"]["properties"]["b64_json"]["type"] =
        json!("integer");
    s["ChatFinishReasonEnum"]["enum"] =
        json!(["tool_calls", "stop", "length", "content_filter", null]);
    doc["paths"]["/images"]["post"]["responses"]
        .as_object_mut()
        .unwrap()
        .remove("529");
    doc["paths"].as_object_mut().unwrap().remove("/key");
    let doctored = Published::from_document(doc, "a doctored copy").unwrap();
    let report = published::compare(Contract::load(), doctored.document());
    reported(
        &report.problems,
        &[
            "POST /chat/completions request (ChatRequest).seed: this property is not declared",
            "POST /chat/completions request (ChatRequest): `temperature` is required by the published schema but not by ours",
            "POST /chat/completions request (ChatRequest).modalities[]: value \"image\" is not allowed",
            "POST /images 200 (ImageGenerationResponse).data[].b64_json: type string is not allowed",
            "POST /chat/completions 200 (ChatResult).choices[].finish_reason: value \"error\" is not allowed",
            "POST /images: we accept status 529",
            "GET /key: not in the published description",
        ],
    );
    // A fixture that the doctored description rejects is reported by the validator too.
    let e = doctored
        .validate_response_body(
            "/images",
            "POST",
            200,
            &support::fixture("image_response.json"),
        )
        .unwrap_err();
    assert!(e.contains("/data/0/b64_json"), "{e}");
}

#[test]
fn the_comparison_fails_on_a_made_up_property_of_ours() {
    let Some(real) = published_or_skip("the_comparison_fails_on_a_made_up_property_of_ours") else {
        return;
    };
    let mut documents: Vec<(String, Value)> = Contract::load()
        .documents()
        .map(|(f, d)| (f.to_owned(), d.clone()))
        .collect();
    let chat = &mut documents
        .iter_mut()
        .find(|(f, _)| f == "chat.json")
        .unwrap()
        .1;
    chat["$defs"]["ChatRequest"]["properties"]["made_up"] = json!({ "type": "string" });
    chat["$defs"]["ChatStreamDelta"]["properties"]["role"]["enum"] = json!(["assistant", "robot"]);
    chat["$defs"]["ChatResult"]["required"] = json!(["id", "choices"]);
    let ours = Contract::from_documents(documents, contract::OPERATIONS.to_vec()).unwrap();
    let report = published::compare(&ours, real.document());
    reported(
        &report.problems,
        &[
            "POST /chat/completions request (ChatRequest).made_up: this property is not declared",
            "(ChatStreamChunk).choices[].delta.role: value \"robot\" is not allowed",
            "POST /chat/completions 200 (ChatResult): `created` is required by the published schema but not by ours",
        ],
    );
}

#[test]
fn looking_for_the_description_honours_the_environment() {
    // Runs itself in a child process: the environment is read once per process.
    if std::env::var_os("CONTRACT_TEST_CHILD").is_some() {
        match published::locate() {
            published::Lookup::Found { source, .. } => println!("FOUND {source}"),
            published::Lookup::Missing { looked } => println!("MISSING {}", looked.join(" | ")),
        }
        return;
    }
    let run = |value: &str| {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "looking_for_the_description_honours_the_environment",
                "--exact",
                "--nocapture",
            ])
            .env("CONTRACT_TEST_CHILD", "1")
            .env(published::OPENAPI_ENV, value)
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let out = run("off");
    assert!(
        out.contains("MISSING $OPENROUTER_OPENAPI=off: not looked for"),
        "{out}"
    );
    let out = run("/nonexistent/openrouter-openapi.yaml");
    assert!(
        out.contains("MISSING /nonexistent/openrouter-openapi.yaml ($OPENROUTER_OPENAPI)"),
        "{out}"
    );
    let own = format!("{}/Cargo.toml", env!("CARGO_MANIFEST_DIR"));
    let out = run(&own);
    assert!(out.contains(&format!("FOUND {own}")), "{out}");
    // A file that is not a description is refused with its name.
    let e = Published::from_text("[package]\nname = \"x\"\n", "Cargo.toml").unwrap_err();
    assert!(e.contains("Cargo.toml"), "{e}");
}
