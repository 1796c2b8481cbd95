//! The fixtures in `tests/fixtures/` and which body of which operation each one is, shared by
//! the tests of our schemas and the comparison with the published description. The bodies are
//! hand-written from the project's API notes.

use serde_json::Value;

/// What a fixture file holds.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A request body of (method, path).
    Request(&'static str, &'static str),
    /// A JSON answer of (method, path) with a status.
    Response(&'static str, &'static str, u16),
    /// The parsed `data:` chunks of a streamed 200 answer, as an array.
    Stream(&'static str, &'static str),
    /// One streamed chunk.
    Chunk(&'static str, &'static str),
    /// `{"<status>": <error body>, …}` for (method, path).
    Errors(&'static str, &'static str),
}

pub const FIXTURES: &[(&str, Kind)] = &[
    (
        "chat_request_minimal.json",
        Kind::Request("POST", "/chat/completions"),
    ),
    (
        "chat_request_edit.json",
        Kind::Request("POST", "/chat/completions"),
    ),
    (
        "chat_result.json",
        Kind::Response("POST", "/chat/completions", 200),
    ),
    (
        "chat_result_choice_error.json",
        Kind::Response("POST", "/chat/completions", 200),
    ),
    (
        "chat_stream_chunks.json",
        Kind::Stream("POST", "/chat/completions"),
    ),
    (
        "chat_stream_error_chunk.json",
        Kind::Chunk("POST", "/chat/completions"),
    ),
    ("errors.json", Kind::Errors("POST", "/chat/completions")),
    (
        "error_availability_no_code.json",
        Kind::Response("POST", "/chat/completions", 400),
    ),
    ("image_request.json", Kind::Request("POST", "/images")),
    (
        "image_response.json",
        Kind::Response("POST", "/images", 200),
    ),
    (
        "image_models_response.json",
        Kind::Response("GET", "/images/models", 200),
    ),
    (
        "image_endpoints_response.json",
        Kind::Response("GET", "/images/models/{author}/{slug}/endpoints", 200),
    ),
    (
        "models_response.json",
        Kind::Response("GET", "/models", 200),
    ),
    (
        "model_endpoints_response.json",
        Kind::Response("GET", "/models/{author}/{slug}/endpoints", 200),
    ),
    ("key_response.json", Kind::Response("GET", "/key", 200)),
    (
        "credits_response.json",
        Kind::Response("GET", "/credits", 200),
    ),
    (
        "auth_keys_request.json",
        Kind::Request("POST", "/auth/keys"),
    ),
    (
        "auth_keys_response.json",
        Kind::Response("POST", "/auth/keys", 200),
    ),
    (
        "generation_response.json",
        Kind::Response("GET", "/generation", 200),
    ),
];

pub fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// One body to check.
pub enum Body {
    Request {
        method: &'static str,
        path: &'static str,
        value: Value,
    },
    /// A JSON answer, or (as an array) the chunks of a stream.
    Response {
        method: &'static str,
        path: &'static str,
        status: u16,
        value: Value,
    },
}

/// Every body of every fixture, labelled; panics if a file in `tests/fixtures/` is not listed
/// in [`FIXTURES`] (or the other way round).
pub fn all_bodies() -> Vec<(String, Body)> {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = FIXTURES.iter().map(|(f, _)| (*f).to_owned()).collect();
    listed.sort();
    assert_eq!(on_disk, listed, "tests/fixtures/ and FIXTURES differ");

    let mut out = Vec::new();
    for &(file, kind) in FIXTURES {
        let value = fixture(file);
        match kind {
            Kind::Request(method, path) => out.push((
                file.to_owned(),
                Body::Request {
                    method,
                    path,
                    value,
                },
            )),
            Kind::Response(method, path, status) => out.push((
                file.to_owned(),
                Body::Response {
                    method,
                    path,
                    status,
                    value,
                },
            )),
            Kind::Stream(method, path) => {
                assert!(value.is_array(), "{file}: a stream fixture is an array");
                out.push((
                    file.to_owned(),
                    Body::Response {
                        method,
                        path,
                        status: 200,
                        value,
                    },
                ));
            }
            Kind::Chunk(method, path) => out.push((
                file.to_owned(),
                Body::Response {
                    method,
                    path,
                    status: 200,
                    value: Value::Array(vec![value]),
                },
            )),
            Kind::Errors(method, path) => {
                for (status, body) in value.as_object().expect("errors fixture is an object") {
                    out.push((
                        format!("{file} [{status}]"),
                        Body::Response {
                            method,
                            path,
                            status: status.parse().expect("status key"),
                            value: body.clone(),
                        },
                    ));
                }
            }
        }
    }
    out
}
