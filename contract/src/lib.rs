//! Contract checks: validates JSON bodies against OpenRouter's published OpenAPI 3.1 description.
//!
//! The document is read at run time from `shared/reference/openrouter-openapi.yaml` beside the
//! project (or from `$OPENROUTER_OPENAPI`); it is never copied into this repository. The whole
//! OpenAPI document becomes one JSON Schema 2020-12 resource, so every local
//! `#/components/schemas/...` reference resolves inside it, and a validator is compiled for
//! `{"$ref": "<doc>#/<pointer>"}` on demand (cached per pointer).
//!
//! ```
//! use contract::{Contract, validate_error_body, validate_request_body, validate_response_body};
//! use serde_json::json;
//!
//! let c = Contract::load();
//! let body = json!({"model": "black-forest-labs/flux.2-klein-4b",
//!                   "messages": [{"role": "user", "content": "a fox"}], "modalities": ["image"]});
//! validate_request_body(c, "/chat/completions", "POST", &body).unwrap();
//! c.validate("ChatRequest", &body).unwrap();
//! let err = json!({"error": {"code": 401, "message": "No auth credentials found"}});
//! validate_error_body(c, "/api/v1/chat/completions", "POST", 401, &err).unwrap();
//! // An SSE body is passed as a JSON string (or as an array of parsed `data:` payloads):
//! let sse = ": OPENROUTER PROCESSING\n\ndata: {\"id\":\"g\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[]}\n\ndata: [DONE]\n\n";
//! validate_response_body(c, "/chat/completions", "POST", 200, &json!(sse)).unwrap();
//! ```
//!
//! Known gaps of the published document (listed in `shared/openrouter-api.md`, section
//! "OpenAPI spec", and §2/§3/§6) are patched in [`overlays`] before anything is compiled.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::{Draft, Registry, Validator};
use serde_json::{Value, json};

mod overlays;

/// Base URI under which the OpenAPI document is registered. Nothing is ever fetched from it:
/// jsonschema is built without its HTTP/file retrievers, and every reference in the document
/// is local.
const DOC_URI: &str = "https://openrouter.ai/openapi.json";

/// Environment variable that overrides the location of the OpenAPI YAML.
pub const OPENAPI_ENV: &str = "OPENROUTER_OPENAPI";

/// Default location: `<workspace root>/../shared/reference/openrouter-openapi.yaml`.
const DEFAULT_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/reference/openrouter-openapi.yaml"
);

/// Longest rendering of a single violation; messages can embed multi-MB base64 instances.
const MAX_MESSAGE: usize = 400;

/// The parsed OpenAPI document (with overlays) plus a cache of compiled validators.
pub struct Contract {
    path: PathBuf,
    doc: Value,
    registry: Registry<'static>,
    validators: Mutex<HashMap<String, Arc<Validator>>>,
}

impl std::fmt::Debug for Contract {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Contract")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// Where the OpenAPI document is read from: `$OPENROUTER_OPENAPI`, else the shared reference copy.
#[must_use]
pub fn openapi_path() -> PathBuf {
    match std::env::var_os(OPENAPI_ENV) {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from(DEFAULT_PATH),
    }
}

impl Contract {
    /// Loads and parses the OpenAPI document once (it is big) and returns the shared instance.
    ///
    /// # Panics
    /// If the document is missing or is not a parseable OpenAPI document; the message names the path.
    pub fn load() -> &'static Contract {
        static CONTRACT: OnceLock<Contract> = OnceLock::new();
        CONTRACT.get_or_init(|| {
            let path = openapi_path();
            Contract::from_path(&path).unwrap_or_else(|e| panic!("{e}"))
        })
    }

    /// Parses the document at `path` (no caching; prefer [`Contract::load`]).
    ///
    /// # Errors
    /// If the file can't be read or parsed, or has no `components.schemas`.
    pub fn from_path(path: &std::path::Path) -> Result<Contract, String> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "contract: cannot read OpenRouter OpenAPI document at {} ({e}); it is expected at \
                 ../shared/reference/openrouter-openapi.yaml relative to the workspace root, or \
                 set {OPENAPI_ENV}",
                path.display()
            )
        })?;
        let mut doc: Value = serde_yaml::from_str(&text).map_err(|e| {
            format!(
                "contract: cannot parse OpenAPI YAML at {}: {e}",
                path.display()
            )
        })?;
        if !doc
            .pointer("/components/schemas")
            .is_some_and(Value::is_object)
        {
            return Err(format!(
                "contract: {} has no components.schemas object",
                path.display()
            ));
        }
        overlays::apply(&mut doc).map_err(|e| format!("contract: {}: {e}", path.display()))?;
        let resource = Draft::Draft202012.create_resource(doc.clone());
        let registry = Registry::new()
            .draft(Draft::Draft202012)
            .add(DOC_URI, resource)
            .and_then(jsonschema::RegistryBuilder::prepare)
            .map_err(|e| format!("contract: cannot index {}: {e}", path.display()))?;
        Ok(Contract {
            path: path.to_path_buf(),
            doc,
            registry,
            validators: Mutex::new(HashMap::new()),
        })
    }

    /// The path the document was read from.
    #[must_use]
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// The OpenAPI document as JSON, with the overlays applied.
    #[must_use]
    pub fn document(&self) -> &Value {
        &self.doc
    }

    /// Names of schemas that exist under `components/schemas`.
    #[must_use]
    pub fn has_schema(&self, name: &str) -> bool {
        self.doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .is_some_and(|m| m.contains_key(name))
    }

    /// Validates `value` against `components/schemas/<schema_name>` (with the overlays).
    ///
    /// # Errors
    /// Every violation, one per line, with its JSON pointer; or an unknown schema name.
    pub fn validate(&self, schema_name: &str, value: &Value) -> Result<(), String> {
        if !self.has_schema(schema_name) {
            return Err(format!(
                "unknown schema {schema_name:?}: not in components/schemas of {}",
                self.path.display()
            ));
        }
        let pointer = format!("/components/schemas/{}", escape_pointer(schema_name));
        self.validate_pointer(&pointer, value)
            .map_err(|e| format!("{schema_name}: {e}"))
    }

    /// Validates `value` against the schema at `pointer` (a JSON pointer into the document,
    /// e.g. `/paths/~1key/get/responses/200/content/application~1json/schema`).
    ///
    /// # Errors
    /// Every violation, one per line, with its JSON pointer; or a pointer to nothing.
    pub fn validate_pointer(&self, pointer: &str, value: &Value) -> Result<(), String> {
        if self.doc.pointer(pointer).is_none() {
            return Err(format!("no schema at #{pointer}"));
        }
        let validator = self.validator(pointer)?;
        let errors: Vec<String> = validator
            .iter_errors(value)
            .map(|e| render(&e, 1))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{} violation(s) of #{pointer}:\n{}",
                errors.len(),
                errors.join("\n")
            ))
        }
    }

    fn validator(&self, pointer: &str) -> Result<Arc<Validator>, String> {
        let mut cache = self
            .validators
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(v) = cache.get(pointer) {
            return Ok(Arc::clone(v));
        }
        let schema = json!({ "$ref": format!("{DOC_URI}#{}", encode_fragment(pointer)) });
        let validator = jsonschema::draft202012::options()
            .with_registry(&self.registry)
            .build(&schema)
            .map_err(|e| format!("cannot compile schema #{pointer}: {e}"))?;
        let validator = Arc::new(validator);
        cache.insert(pointer.to_owned(), Arc::clone(&validator));
        Ok(validator)
    }

    /// JSON pointer of the `paths` entry for `path` + `method` (e.g. `/images`, `post`).
    fn operation_pointer(&self, path: &str, method: &str) -> Result<String, String> {
        let path = path.strip_prefix("/api/v1").unwrap_or(path);
        let path = path.split('?').next().unwrap_or(path);
        let method = method.to_ascii_lowercase();
        let Some(item) = self.doc.pointer("/paths").and_then(|p| p.get(path)) else {
            return Err(format!("path {path:?} is not in the OpenAPI document"));
        };
        if item.get(&method).is_none() {
            return Err(format!(
                "{} {path} is not in the OpenAPI document",
                method.to_ascii_uppercase()
            ));
        }
        Ok(format!("/paths/{}/{method}", escape_pointer(path)))
    }

    /// JSON pointer of `responses/<status>` (falling back to `responses/default`).
    fn response_pointer(&self, path: &str, method: &str, status: u16) -> Result<String, String> {
        let op = self.operation_pointer(path, method)?;
        let responses = self
            .doc
            .pointer(&format!("{op}/responses"))
            .and_then(Value::as_object)
            .ok_or_else(|| format!("{method} {path} declares no responses"))?;
        let key = status.to_string();
        if responses.contains_key(&key) {
            return Ok(format!("{op}/responses/{key}"));
        }
        if responses.contains_key("default") {
            return Ok(format!("{op}/responses/default"));
        }
        let declared: Vec<&str> = responses.keys().map(String::as_str).collect();
        Err(format!(
            "{} {path} declares no {status} response (declared: {})",
            method.to_ascii_uppercase(),
            declared.join(", ")
        ))
    }
}

/// Validates an error response body for `status` on `path` + `method`: the schema is the one the
/// document declares for that status (e.g. `BadRequestResponse`, whose `error` is a
/// `BadRequestResponseErrorData`). Also checks that `error.code`, when it is a number, equals the
/// HTTP status (OpenRouter's rule for request-level errors).
///
/// # Errors
/// Violations with JSON pointers, an undeclared status, or a non-error status.
pub fn validate_error_body(
    contract: &Contract,
    path: &str,
    method: &str,
    status: u16,
    body: &Value,
) -> Result<(), String> {
    if status < 400 {
        return Err(format!(
            "status {status} is not an error status; use validate_response_body"
        ));
    }
    let mut problems = Vec::new();
    if let Err(e) = validate_response_body(contract, path, method, status, body) {
        problems.push(e);
    }
    if let Some(code) = body.pointer("/error/code").and_then(Value::as_i64)
        && code != i64::from(status)
    {
        problems.push(format!(
            "  at /error/code: {code} differs from the HTTP status {status}"
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// Validates a response body for `path` + `method` + `status` against the document's
/// `responses` entry.
///
/// * A JSON object (or any non-string, non-array value) is checked against the `application/json` schema.
/// * A JSON **string** is taken as a raw `text/event-stream` body: each `data:` event (other
///   than `[DONE]`) is parsed and checked against the `text/event-stream` schema (for chat,
///   `ChatStreamingResponse` = `{data: ChatStreamChunk}`, with overlays); `:` comments are skipped.
/// * A JSON **array** is taken as the already-parsed `data:` payloads of such a stream.
///
/// # Errors
/// Violations with JSON pointers, or an operation/status the document doesn't declare.
pub fn validate_response_body(
    contract: &Contract,
    path: &str,
    method: &str,
    status: u16,
    body: &Value,
) -> Result<(), String> {
    let resp = contract.response_pointer(path, method, status)?;
    let label = format!("{} {path} {status}", method.to_ascii_uppercase());
    match body {
        Value::String(text) => validate_sse(contract, &resp, &label, text),
        Value::Array(chunks) => validate_chunks(contract, &resp, &label, chunks),
        _ => {
            let pointer = format!("{resp}/content/application~1json/schema");
            if contract.doc.pointer(&pointer).is_none() {
                return Err(format!("{label} declares no application/json schema"));
            }
            contract
                .validate_pointer(&pointer, body)
                .map_err(|e| format!("{label}: {e}"))
        }
    }
}

/// Validates a raw `text/event-stream` body (see [`validate_response_body`]).
///
/// # Errors
/// Unparseable `data:` payloads or schema violations, each with its event index.
pub fn validate_sse_body(
    contract: &Contract,
    path: &str,
    method: &str,
    status: u16,
    sse: &str,
) -> Result<(), String> {
    let resp = contract.response_pointer(path, method, status)?;
    let label = format!("{} {path} {status}", method.to_ascii_uppercase());
    validate_sse(contract, &resp, &label, sse)
}

/// Splits an SSE body into the JSON payloads of its `data:` events (`[DONE]` and comments dropped).
///
/// # Errors
/// A `data:` payload that is not JSON.
pub fn parse_sse_events(sse: &str) -> Result<Vec<Value>, String> {
    let mut events = Vec::new();
    let mut data: Vec<&str> = Vec::new();
    let mut flush = |data: &mut Vec<&str>| -> Result<(), String> {
        if data.is_empty() {
            return Ok(());
        }
        let payload = data.join("\n");
        data.clear();
        if payload.trim() == "[DONE]" {
            return Ok(());
        }
        let value = serde_json::from_str(&payload).map_err(|e| {
            format!(
                "event {}: data is not JSON ({e}): {}",
                events.len(),
                truncate(&payload)
            )
        })?;
        events.push(value);
        Ok(())
    };
    for line in sse.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            flush(&mut data)?;
        } else if line.starts_with(':') {
            // keep-alive comment such as `: OPENROUTER PROCESSING`
        } else if let Some(rest) = line.strip_prefix("data:") {
            data.push(rest.strip_prefix(' ').unwrap_or(rest));
        }
        // other fields (event:, id:, retry:) carry nothing to validate
    }
    flush(&mut data)?;
    Ok(events)
}

fn validate_sse(contract: &Contract, resp: &str, label: &str, text: &str) -> Result<(), String> {
    let chunks = parse_sse_events(text).map_err(|e| format!("{label}: {e}"))?;
    if chunks.is_empty() {
        return Err(format!("{label}: the event stream has no data events"));
    }
    validate_chunks(contract, resp, label, &chunks)
}

fn validate_chunks(
    contract: &Contract,
    resp: &str,
    label: &str,
    chunks: &[Value],
) -> Result<(), String> {
    let pointer = format!("{resp}/content/text~1event-stream/schema");
    if contract.doc.pointer(&pointer).is_none() {
        return Err(format!("{label} declares no text/event-stream schema"));
    }
    // The speakeasy convention: the stream schema is `{data: <chunk schema>}`.
    let mut problems = Vec::new();
    for (i, chunk) in chunks.iter().enumerate() {
        let wrapped = json!({ "data": chunk });
        if let Err(e) = contract.validate_pointer(&pointer, &wrapped) {
            problems.push(format!("event {i}: {e}"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{label} (stream): {}", problems.join("\n")))
    }
}

/// Validates a request body for `path` + `method` against its `requestBody` JSON schema.
///
/// # Errors
/// Violations with JSON pointers, or an operation without a JSON request body.
pub fn validate_request_body(
    contract: &Contract,
    path: &str,
    method: &str,
    body: &Value,
) -> Result<(), String> {
    let op = contract.operation_pointer(path, method)?;
    let label = format!("{} {path} request", method.to_ascii_uppercase());
    let pointer = format!("{op}/requestBody/content/application~1json/schema");
    if contract.doc.pointer(&pointer).is_none() {
        return Err(format!(
            "{label}: no application/json request body declared"
        ));
    }
    contract
        .validate_pointer(&pointer, body)
        .map_err(|e| format!("{label}: {e}"))
}

/// Escapes one JSON-pointer reference token (`~` → `~0`, `/` → `~1`).
fn escape_pointer(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Percent-encodes what a URI fragment can't hold verbatim (`{`, `}`, spaces, …).
fn encode_fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for b in pointer.bytes() {
        if b.is_ascii_alphanumeric() || b"/~-._!$&'()*+,;=:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One violation as `  at <pointer>: <message>`. For a failed `anyOf`/`oneOf` the message names
/// no property, so each branch's own violations follow, indented (two levels at most).
fn render(e: &jsonschema::ValidationError<'_>, depth: usize) -> String {
    use jsonschema::error::ValidationErrorKind as K;
    let at = e.instance_path().to_string();
    let at = if at.is_empty() { "/".to_owned() } else { at };
    let indent = "  ".repeat(depth);
    let (label, context) = match e.kind() {
        K::AnyOf { context } => ("anyOf", Some(context)),
        K::OneOfNotValid { context } => ("oneOf", Some(context)),
        _ => ("", None::<&Vec<Vec<jsonschema::ValidationError<'static>>>>),
    };
    let Some(context) = context else {
        return format!("{indent}at {at}: {}", truncate(&e.to_string()));
    };
    let mut out = format!("{indent}at {at}: matches none of the {label} alternatives");
    for (i, branch) in context.iter().enumerate() {
        out.push_str(&format!("\n{indent}  alternative {i}:"));
        if depth >= 3 {
            out.push_str(&format!(" {} violation(s)", branch.len()));
            continue;
        }
        for inner in branch {
            out.push('\n');
            out.push_str(&render(inner, depth + 2));
        }
    }
    out
}

fn truncate(s: &str) -> String {
    if s.len() <= MAX_MESSAGE {
        return s.to_owned();
    }
    let mut end = MAX_MESSAGE;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &s[..end], s.len())
}
