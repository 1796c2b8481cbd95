//! OpenRouter's published OpenAPI description, used only to check our schemas against it.
//!
//! The description is OpenRouter's and is never copied into this repository. [`locate`] looks
//! for it, in this order:
//!
//! 1. `$OPENROUTER_OPENAPI` (a path; `off` or `none` means: do not look anywhere);
//! 2. `../shared/reference/openrouter-openapi.yaml` relative to the workspace root;
//! 3. a download of [`PUBLISHED_URL`] with `curl` (unless `$OPENROUTER_OPENAPI_DOWNLOAD` is `0`).
//!
//! [`Published`] holds it with the overlays for its known gaps applied (`overlays.rs`; used for
//! nothing else), validates bodies against it (its `paths`, the way OpenRouter declares each
//! request and answer), and [`compare`] checks our schemas against it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::{Draft, Registry, Validator};
use serde_json::{Value, json};

mod compare;
mod overlays;

pub use compare::{Report, compare};

/// Where OpenRouter publishes the description (also as `openapi.json`); see the API reference
/// overview of its documentation.
pub const PUBLISHED_URL: &str = "https://openrouter.ai/openapi.yaml";

/// A path to the description; `off` or `none` to skip looking for it.
pub const OPENAPI_ENV: &str = "OPENROUTER_OPENAPI";

/// `0` to skip the download.
pub const DOWNLOAD_ENV: &str = "OPENROUTER_OPENAPI_DOWNLOAD";

/// Base URI under which the description is registered for validation. Nothing is fetched from
/// it: jsonschema is built without retrievers, and every reference in the document is local.
const DOC_URI: &str = "https://openrouter.ai/openapi.json";

/// `<workspace root>/../shared/reference/openrouter-openapi.yaml`.
#[must_use]
pub fn shared_path() -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    // contract/ → the workspace root → beside it
    let beside = crate_dir.ancestors().nth(2).unwrap_or(crate_dir);
    beside.join("shared/reference/openrouter-openapi.yaml")
}

/// The outcome of [`locate`].
#[derive(Debug)]
pub enum Lookup {
    /// The text of the description and where it came from.
    Found { source: String, text: String },
    /// Not available; one line per place looked at, saying why it was not used.
    Missing { looked: Vec<String> },
}

/// Finds the published description (see the module documentation). Never panics; a download
/// takes at most about 20 s.
#[must_use]
pub fn locate() -> Lookup {
    let mut looked = Vec::new();
    match std::env::var_os(OPENAPI_ENV) {
        Some(v) if v == "off" || v == "none" => {
            looked.push(format!(
                "${OPENAPI_ENV}={}: not looked for",
                v.to_string_lossy()
            ));
            return Lookup::Missing { looked };
        }
        Some(v) if !v.is_empty() => {
            let path = PathBuf::from(v);
            return match std::fs::read_to_string(&path) {
                Ok(text) => Lookup::Found {
                    source: format!("{} (${OPENAPI_ENV})", path.display()),
                    text,
                },
                Err(e) => {
                    looked.push(format!("{} (${OPENAPI_ENV}): {e}", path.display()));
                    Lookup::Missing { looked }
                }
            };
        }
        _ => looked.push(format!("${OPENAPI_ENV}: not set")),
    }
    let shared = shared_path();
    match std::fs::read_to_string(&shared) {
        Ok(text) => {
            return Lookup::Found {
                source: shared.display().to_string(),
                text,
            };
        }
        Err(e) => looked.push(format!("{}: {e}", shared.display())),
    }
    if std::env::var_os(DOWNLOAD_ENV).is_some_and(|v| v == "0") {
        looked.push(format!(
            "{PUBLISHED_URL}: not downloaded (${DOWNLOAD_ENV}=0)"
        ));
        return Lookup::Missing { looked };
    }
    match download(PUBLISHED_URL) {
        Ok(text) => Lookup::Found {
            source: PUBLISHED_URL.to_owned(),
            text,
        },
        Err(e) => {
            looked.push(format!("{PUBLISHED_URL}: {e}"));
            Lookup::Missing { looked }
        }
    }
}

/// `curl` the URL (no TLS crate in this workspace).
fn download(url: &str) -> Result<String, String> {
    let out = std::process::Command::new("curl")
        .args([
            "--silent",
            "--show-error",
            "--fail",
            "--location",
            "--connect-timeout",
            "5",
            "--max-time",
            "20",
            url,
        ])
        .output()
        .map_err(|e| format!("cannot run curl: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!("curl failed ({}): {}", out.status, err.trim()));
    }
    String::from_utf8(out.stdout).map_err(|_| "the download is not UTF-8".to_owned())
}

/// The description found by [`locate`], parsed once per process; `Err` lists where it was
/// looked for, or why it could not be used.
///
/// # Errors
/// Not available, or not a usable description (the message says which).
pub fn load() -> Result<&'static Published, String> {
    static PUBLISHED: OnceLock<Result<Published, String>> = OnceLock::new();
    PUBLISHED
        .get_or_init(|| match locate() {
            Lookup::Found { source, text } => Published::from_text(&text, &source),
            Lookup::Missing { looked } => Err(format!(
                "published OpenAPI description not available (looked in: {})",
                looked.join("; ")
            )),
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// The published description with the gap overlays applied, and validators over it.
pub struct Published {
    source: String,
    doc: Value,
    /// A copy of `doc` with discriminated `oneOf`s rewritten for readable violations.
    validation_doc: Value,
    registry: Registry<'static>,
    validators: Mutex<HashMap<String, Arc<Validator>>>,
}

impl std::fmt::Debug for Published {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Published")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl Published {
    /// Parses a description (YAML or JSON).
    ///
    /// # Errors
    /// Not parseable, not an OpenAPI document, or an overlay target is missing.
    pub fn from_text(text: &str, source: &str) -> Result<Published, String> {
        let doc: Value = if text.trim_start().starts_with('{') {
            serde_json::from_str(text).map_err(|e| format!("{source}: not JSON: {e}"))?
        } else {
            serde_yaml::from_str(text).map_err(|e| format!("{source}: not YAML: {e}"))?
        };
        Published::from_document(doc, source)
    }

    /// Takes a parsed description (e.g. a doctored copy in a test).
    ///
    /// # Errors
    /// Not an OpenAPI document with `paths` and `components.schemas`, or an overlay target
    /// is missing.
    pub fn from_document(mut doc: Value, source: &str) -> Result<Published, String> {
        for pointer in ["/paths", "/components/schemas"] {
            if !doc.pointer(pointer).is_some_and(Value::is_object) {
                return Err(format!("{source}: no {pointer} object"));
            }
        }
        overlays::apply(&mut doc).map_err(|e| format!("{source}: overlays: {e}"))?;
        let mut validation_doc = doc.clone();
        overlays::for_validation(&mut validation_doc);
        let resource = Draft::Draft202012.create_resource(validation_doc.clone());
        let registry = Registry::new()
            .draft(Draft::Draft202012)
            .add(DOC_URI, resource)
            .and_then(jsonschema::RegistryBuilder::prepare)
            .map_err(|e| format!("{source}: cannot index: {e}"))?;
        Ok(Published {
            source: source.to_owned(),
            doc,
            validation_doc,
            registry,
            validators: Mutex::new(HashMap::new()),
        })
    }

    /// Where the description came from.
    #[must_use]
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The description as JSON, with the gap overlays applied.
    #[must_use]
    pub fn document(&self) -> &Value {
        &self.doc
    }

    /// Validates `value` against the schema at `pointer` (a JSON pointer into the description,
    /// e.g. `/components/schemas/ChatRequest`).
    ///
    /// # Errors
    /// Every violation, one per line, with its JSON pointer; or a pointer to nothing.
    pub fn validate_pointer(&self, pointer: &str, value: &Value) -> Result<(), String> {
        if self.validation_doc.pointer(pointer).is_none() {
            return Err(format!("no schema at #{pointer}"));
        }
        let validator = self.validator(pointer)?;
        let errors: Vec<String> = validator
            .iter_errors(value)
            .map(|e| crate::render(&e, 1))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{} violation(s) of the published #{pointer}:\n{}",
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
            .map_err(|e| format!("cannot compile the published #{pointer}: {e}"))?;
        let validator = Arc::new(validator);
        cache.insert(pointer.to_owned(), Arc::clone(&validator));
        Ok(validator)
    }

    /// JSON pointer of the `paths` entry for `path` (a template such as `/model/{author}/{slug}`
    /// or a concrete path) + `method`.
    ///
    /// # Errors
    /// The description has no such operation.
    pub fn operation_pointer(&self, path: &str, method: &str) -> Result<String, String> {
        let path = crate::operations::normalize(path);
        let method = method.to_ascii_lowercase();
        let paths = self.doc.get("paths").and_then(Value::as_object);
        let template = paths.and_then(|p| {
            p.keys()
                .find(|t| t.as_str() == path)
                .or_else(|| p.keys().find(|t| crate::operations::matches(t, path)))
        });
        let Some(template) = template else {
            return Err(format!("path {path:?} is not in the published description"));
        };
        if self.doc["paths"][template].get(&method).is_none() {
            return Err(format!(
                "{} {path} is not in the published description",
                method.to_ascii_uppercase()
            ));
        }
        Ok(format!("/paths/{}/{method}", escape_pointer(template)))
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
            "{} {path} declares no {status} response in the published description (declared: {})",
            method.to_ascii_uppercase(),
            declared.join(", ")
        ))
    }

    /// Validates a request body against the operation's `requestBody` JSON schema.
    ///
    /// # Errors
    /// Violations with JSON pointers, or an operation without a JSON request body.
    pub fn validate_request_body(
        &self,
        path: &str,
        method: &str,
        body: &Value,
    ) -> Result<(), String> {
        let op = self.operation_pointer(path, method)?;
        let label = format!("{} {path} request", method.to_ascii_uppercase());
        let pointer = format!("{op}/requestBody/content/application~1json/schema");
        if self.doc.pointer(&pointer).is_none() {
            return Err(format!(
                "{label}: no application/json request body declared"
            ));
        }
        self.validate_pointer(&pointer, body)
            .map_err(|e| format!("{label}: {e}"))
    }

    /// Validates a response body against the operation's `responses` entry: a JSON value
    /// against `application/json`; a string (raw SSE) or an array (parsed `data:` payloads)
    /// against `text/event-stream`, whose schema is `{data: <chunk>}` (Speakeasy's convention).
    ///
    /// # Errors
    /// Violations with JSON pointers, or an operation/status the description doesn't declare.
    pub fn validate_response_body(
        &self,
        path: &str,
        method: &str,
        status: u16,
        body: &Value,
    ) -> Result<(), String> {
        let resp = self.response_pointer(path, method, status)?;
        let label = format!("{} {path} {status}", method.to_ascii_uppercase());
        let chunks = match body {
            Value::String(text) => {
                crate::parse_sse_events(text).map_err(|e| format!("{label}: {e}"))?
            }
            Value::Array(chunks) => chunks.clone(),
            _ => {
                let pointer = format!("{resp}/content/application~1json/schema");
                if self.doc.pointer(&pointer).is_none() {
                    return Err(format!("{label} declares no application/json schema"));
                }
                return self
                    .validate_pointer(&pointer, body)
                    .map_err(|e| format!("{label}: {e}"));
            }
        };
        let pointer = format!("{resp}/content/text~1event-stream/schema");
        if self.doc.pointer(&pointer).is_none() {
            return Err(format!("{label} declares no text/event-stream schema"));
        }
        let problems: Vec<String> = chunks
            .iter()
            .enumerate()
            .filter_map(|(i, chunk)| {
                self.validate_pointer(&pointer, &json!({ "data": chunk }))
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
