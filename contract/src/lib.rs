//! Contract checks for Kleinbild's tests: validates the JSON bodies the app sends and the mock
//! answers against **our own JSON Schemas** (2020-12) of the OpenRouter API.
//!
//! The schemas live in `contract/schemas/*.json` and are embedded in this crate, so a clone of
//! the repository needs nothing beside it. They were written for this project from OpenRouter's
//! published OpenAPI description and the project's API notes, and describe only the requests
//! and answers Kleinbild and its mock use (see [`OPERATIONS`]): chat completions (JSON and SSE
//! chunks), the Image API, the error body, `/key`, `/credits`, `/models`, `/model/…`,
//! `/models/…/endpoints`, `/images/models`, `/images/models/…/endpoints`, `/auth/keys` and
//! `/generation`. Requests are closed (every field we may send is listed); answers are open.
//! Where we knowingly differ from the published description, the schema says so in a
//! `$comment` starting with `Deviation:` (or `Stricter:` where we only narrow it).
//!
//! The published description itself (OpenRouter's, never copied into this repository) is only
//! used by [`published`], which compares our schemas with it whenever it is available.
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

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::{Draft, Registry, Validator};
use serde_json::{Value, json};

mod operations;
pub mod published;

pub use operations::{ERROR_SCHEMA, OPERATIONS, Operation};

/// Base URI of our schema documents (each has `$id` = base + file name). `.invalid` can never
/// resolve, and nothing is fetched anyway: jsonschema is built without retrievers.
pub const SCHEMA_BASE: &str = "https://kleinbild.invalid/contract/";

/// Our schema documents (file name under `contract/schemas/`, text), embedded at build time.
pub const SCHEMA_FILES: &[(&str, &str)] = &[
    ("chat.json", include_str!("../schemas/chat.json")),
    ("images.json", include_str!("../schemas/images.json")),
    ("models.json", include_str!("../schemas/models.json")),
    ("account.json", include_str!("../schemas/account.json")),
    ("errors.json", include_str!("../schemas/errors.json")),
];

/// The only keywords our schemas may use: a misspelt keyword would otherwise be ignored
/// silently by JSON Schema.
const KEYWORDS: &[&str] = &[
    "$schema",
    "$id",
    "$defs",
    "$ref",
    "$comment",
    "title",
    "description",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "const",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "pattern",
    "anyOf",
    "oneOf",
    "allOf",
];

/// Longest rendering of a single violation; messages can embed multi-MB base64 instances.
const MAX_MESSAGE: usize = 400;

/// Our schemas, the operations they describe, and a cache of compiled validators.
pub struct Contract {
    documents: Vec<(String, Value)>,
    /// Schema name → index into `documents`.
    names: BTreeMap<String, usize>,
    operations: Vec<Operation>,
    registry: Registry<'static>,
    validators: Mutex<HashMap<String, Arc<Validator>>>,
}

impl std::fmt::Debug for Contract {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Contract")
            .field("schemas", &self.names.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Contract {
    /// Our embedded schemas, parsed and checked once, shared by the whole process.
    ///
    /// # Panics
    /// If an embedded schema is broken (not JSON, not a valid 2020-12 schema, an unknown keyword,
    /// a duplicate name); `cargo test -p contract` catches that first.
    pub fn load() -> &'static Contract {
        static CONTRACT: OnceLock<Contract> = OnceLock::new();
        CONTRACT.get_or_init(|| {
            Contract::embedded().unwrap_or_else(|e| panic!("contract: our schemas: {e}"))
        })
    }

    /// Parses the embedded schemas (no caching; prefer [`Contract::load`]).
    ///
    /// # Errors
    /// See [`Contract::from_documents`].
    pub fn embedded() -> Result<Contract, String> {
        let mut documents = Vec::new();
        for (name, text) in SCHEMA_FILES {
            let doc: Value = serde_json::from_str(text)
                .map_err(|e| format!("schemas/{name} is not JSON: {e}"))?;
            documents.push(((*name).to_owned(), doc));
        }
        Contract::from_documents(documents, OPERATIONS.to_vec())
    }

    /// Builds a contract from schema documents (`(file name, document)`, each with `$id` =
    /// [`SCHEMA_BASE`] + file name and its schemas under `$defs`) and the operations they
    /// describe. Used by [`Contract::embedded`], and by tests that feed a doctored copy.
    ///
    /// # Errors
    /// A document that is not a valid JSON Schema 2020-12, has a wrong `$id`, uses a keyword
    /// outside our small set, or defines a name twice; an operation naming a missing schema.
    pub fn from_documents(
        documents: Vec<(String, Value)>,
        operations: Vec<Operation>,
    ) -> Result<Contract, String> {
        let mut names: BTreeMap<String, usize> = BTreeMap::new();
        for (i, (file, doc)) in documents.iter().enumerate() {
            if doc.get("$schema") != Some(&json!("https://json-schema.org/draft/2020-12/schema")) {
                return Err(format!(
                    "schemas/{file}: $schema is not JSON Schema 2020-12"
                ));
            }
            if let Err(e) = jsonschema::meta::validate(doc) {
                return Err(format!(
                    "schemas/{file} is not a valid JSON Schema 2020-12: {e} (at {})",
                    e.instance_path()
                ));
            }
            let id = format!("{SCHEMA_BASE}{file}");
            if doc.get("$id").and_then(Value::as_str) != Some(id.as_str()) {
                return Err(format!("schemas/{file}: $id must be {id}"));
            }
            let mut unknown = Vec::new();
            lint(doc, "", &mut unknown);
            if !unknown.is_empty() {
                return Err(format!(
                    "schemas/{file}: keywords outside our set: {}",
                    unknown.join(", ")
                ));
            }
            let defs = doc
                .get("$defs")
                .and_then(Value::as_object)
                .ok_or_else(|| format!("schemas/{file} has no $defs"))?;
            for name in defs.keys() {
                if let Some(&other) = names.get(name) {
                    let other = &documents[other].0;
                    return Err(format!("schema {name} is defined in {other} and in {file}"));
                }
                names.insert(name.clone(), i);
            }
        }
        for op in &operations {
            for name in [op.request, Some(op.ok), op.stream, Some(ERROR_SCHEMA)]
                .into_iter()
                .flatten()
            {
                if !names.contains_key(name) {
                    return Err(format!(
                        "{} {} names schema {name}, which is not defined",
                        op.method, op.path
                    ));
                }
            }
        }
        let resources: Vec<(String, jsonschema::Resource)> = documents
            .iter()
            .map(|(file, doc)| {
                (
                    format!("{SCHEMA_BASE}{file}"),
                    Draft::Draft202012.create_resource(doc.clone()),
                )
            })
            .collect();
        let registry = Registry::new()
            .draft(Draft::Draft202012)
            .extend(resources)
            .and_then(jsonschema::RegistryBuilder::prepare)
            .map_err(|e| format!("cannot index our schemas: {e}"))?;
        Ok(Contract {
            documents,
            names,
            operations,
            registry,
            validators: Mutex::new(HashMap::new()),
        })
    }

    /// The schema documents, as `(file name, document)`.
    pub fn documents(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.documents.iter().map(|(f, d)| (f.as_str(), d))
    }

    /// The operations our schemas describe.
    #[must_use]
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// Every schema name (the keys of the documents' `$defs`).
    pub fn schema_names(&self) -> impl Iterator<Item = &str> {
        self.names.keys().map(String::as_str)
    }

    /// Whether `name` is one of our schemas.
    #[must_use]
    pub fn has_schema(&self, name: &str) -> bool {
        self.names.contains_key(name)
    }

    /// The file that defines `name`, and its definition.
    #[must_use]
    pub fn schema(&self, name: &str) -> Option<(&str, &Value)> {
        let (file, doc) = &self.documents[*self.names.get(name)?];
        Some((file.as_str(), doc.get("$defs")?.get(name)?))
    }

    /// Validates `value` against our schema `name` (e.g. `ChatRequest`).
    ///
    /// # Errors
    /// Every violation, one per line, with its JSON pointer; or an unknown schema name.
    pub fn validate(&self, name: &str, value: &Value) -> Result<(), String> {
        let Some((file, _)) = self.schema(name) else {
            return Err(format!(
                "unknown schema {name:?}: not one of ours ({})",
                self.schema_names().collect::<Vec<_>>().join(", ")
            ));
        };
        let validator = self.validator(name, file)?;
        let errors: Vec<String> = validator
            .iter_errors(value)
            .map(|e| render(&e, 1))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{name}: {} violation(s) of {file}#/$defs/{name}:\n{}",
                errors.len(),
                errors.join("\n")
            ))
        }
    }

    fn validator(&self, name: &str, file: &str) -> Result<Arc<Validator>, String> {
        let mut cache = self
            .validators
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(v) = cache.get(name) {
            return Ok(Arc::clone(v));
        }
        let schema = json!({ "$ref": format!("{SCHEMA_BASE}{file}#/$defs/{name}") });
        let validator = jsonschema::draft202012::options()
            .with_registry(&self.registry)
            .build(&schema)
            .map_err(|e| format!("cannot compile our schema {name}: {e}"))?;
        let validator = Arc::new(validator);
        cache.insert(name.to_owned(), Arc::clone(&validator));
        Ok(validator)
    }

    /// The operation for `method` + `path` (`/api/v1` prefix, query and concrete path segments
    /// such as `/model/black-forest-labs/flux.2-klein-4b` are accepted).
    ///
    /// # Errors
    /// A path or method our contract does not describe.
    pub fn operation(&self, path: &str, method: &str) -> Result<&Operation, String> {
        operations::find(&self.operations, path, method)
    }
}

/// Collects keywords outside [`KEYWORDS`] in a schema (and its subschemas).
fn lint(schema: &Value, at: &str, unknown: &mut Vec<String>) {
    let Some(obj) = schema.as_object() else {
        return;
    };
    for (key, value) in obj {
        let here = format!("{at}/{key}");
        if !KEYWORDS.contains(&key.as_str()) {
            unknown.push(here.clone());
        }
        match key.as_str() {
            "$defs" | "properties" => {
                for (name, sub) in value.as_object().into_iter().flatten() {
                    lint(sub, &format!("{here}/{name}"), unknown);
                }
            }
            "items" | "additionalProperties" => lint(value, &here, unknown),
            "anyOf" | "oneOf" | "allOf" => {
                for (i, sub) in value.as_array().into_iter().flatten().enumerate() {
                    lint(sub, &format!("{here}/{i}"), unknown);
                }
            }
            _ => {}
        }
    }
}

/// Validates a request body for `path` + `method` against our request schema.
///
/// # Errors
/// Violations with JSON pointers, or an operation without a JSON request body.
pub fn validate_request_body(
    contract: &Contract,
    path: &str,
    method: &str,
    body: &Value,
) -> Result<(), String> {
    let op = contract.operation(path, method)?;
    let label = format!("{} {} request", op.method, op.path);
    let Some(schema) = op.request else {
        return Err(format!("{label}: takes no JSON request body"));
    };
    contract
        .validate(schema, body)
        .map_err(|e| format!("{label}: {e}"))
}

/// Validates a response body for `path` + `method` + `status`.
///
/// * Status ≥ 400: the error body ([`ERROR_SCHEMA`]), for a status the operation declares.
/// * Status 200 and a JSON object (or any non-string, non-array value): the operation's JSON
///   answer schema.
/// * Status 200 and a JSON **string**: a raw `text/event-stream` body; each `data:` event (other
///   than `[DONE]`) is parsed and checked against the operation's chunk schema; `:` comments
///   are skipped.
/// * Status 200 and a JSON **array**: the already-parsed `data:` payloads of such a stream.
///
/// # Errors
/// Violations with JSON pointers, or an operation/status our contract does not declare.
pub fn validate_response_body(
    contract: &Contract,
    path: &str,
    method: &str,
    status: u16,
    body: &Value,
) -> Result<(), String> {
    let op = contract.operation(path, method)?;
    let label = format!("{} {} {status}", op.method, op.path);
    if status >= 400 {
        if !op.errors.contains(&status) {
            return Err(undeclared(op, status));
        }
        return contract
            .validate(ERROR_SCHEMA, body)
            .map_err(|e| format!("{label}: {e}"));
    }
    if status != 200 {
        return Err(undeclared(op, status));
    }
    match body {
        Value::String(text) => validate_sse(contract, op, &label, text),
        Value::Array(chunks) => validate_chunks(contract, op, &label, chunks),
        _ => contract
            .validate(op.ok, body)
            .map_err(|e| format!("{label}: {e}")),
    }
}

fn undeclared(op: &Operation, status: u16) -> String {
    let declared: Vec<String> = std::iter::once("200".to_owned())
        .chain(op.errors.iter().map(u16::to_string))
        .collect();
    format!(
        "{} {} declares no {status} response (declared: {})",
        op.method,
        op.path,
        declared.join(", ")
    )
}

/// Validates an error response body for `status` on `path` + `method` (see
/// [`validate_response_body`]), and that `error.code`, when it is a number, equals the HTTP
/// status (OpenRouter's rule for request-level errors).
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
    validate_response_body(
        contract,
        path,
        method,
        status,
        &Value::String(sse.to_owned()),
    )
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

fn validate_sse(
    contract: &Contract,
    op: &Operation,
    label: &str,
    text: &str,
) -> Result<(), String> {
    let chunks = parse_sse_events(text).map_err(|e| format!("{label}: {e}"))?;
    if chunks.is_empty() {
        return Err(format!("{label}: the event stream has no data events"));
    }
    validate_chunks(contract, op, label, &chunks)
}

fn validate_chunks(
    contract: &Contract,
    op: &Operation,
    label: &str,
    chunks: &[Value],
) -> Result<(), String> {
    let Some(schema) = op.stream else {
        return Err(format!("{label}: declares no text/event-stream answer"));
    };
    let problems: Vec<String> = chunks
        .iter()
        .enumerate()
        .filter_map(|(i, chunk)| {
            contract
                .validate(schema, chunk)
                .err()
                .map(|e| format!("event {i}: {e}"))
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{label} (stream): {}", problems.join("\n")))
    }
}

/// One violation as `  at <pointer>: <message>`. For a failed `anyOf`/`oneOf` the message names
/// no property, so each branch's own violations follow, indented (three levels of alternatives
/// at most: a message's content is an `anyOf` whose array items are a `oneOf`).
pub(crate) fn render(e: &jsonschema::ValidationError<'_>, depth: usize) -> String {
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
        if depth >= 5 {
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

pub(crate) fn truncate(s: &str) -> String {
    if s.len() <= MAX_MESSAGE {
        return s.to_owned();
    }
    let mut end = MAX_MESSAGE;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &s[..end], s.len())
}
