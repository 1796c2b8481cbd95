//! Which of our schemas describes which request and answer of which endpoint.
//!
//! The error statuses listed per operation are the ones OpenRouter's published description
//! declares for it (a status it does not declare is refused, e.g. 503 on `POST /images`); every
//! error body is an [`ERROR_SCHEMA`].

/// Schema of every error body (any status ≥ 400).
pub const ERROR_SCHEMA: &str = "ErrorResponse";

/// One endpoint: method, path template and the schemas of its bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// Upper-case HTTP method.
    pub method: &'static str,
    /// Path under `/api/v1`, with `{author}`-style placeholders.
    pub path: &'static str,
    /// Schema of the JSON request body, if the operation takes one.
    pub request: Option<&'static str>,
    /// Schema of the HTTP 200 `application/json` answer.
    pub ok: &'static str,
    /// Schema of each `data:` event of an HTTP 200 `text/event-stream` answer, if it streams.
    pub stream: Option<&'static str>,
    /// Error statuses the operation may answer with (body: [`ERROR_SCHEMA`]).
    pub errors: &'static [u16],
}

/// Every operation Kleinbild or the mock uses.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        method: "POST",
        path: "/chat/completions",
        request: Some("ChatRequest"),
        ok: "ChatResult",
        stream: Some("ChatStreamChunk"),
        errors: &[
            400, 401, 402, 403, 404, 408, 413, 422, 429, 500, 502, 503, 524, 529,
        ],
    },
    Operation {
        method: "POST",
        path: "/images",
        request: Some("ImageGenerationRequest"),
        ok: "ImageGenerationResponse",
        stream: None,
        errors: &[400, 401, 402, 403, 404, 413, 429, 500, 502, 524, 529],
    },
    Operation {
        method: "GET",
        path: "/images/models",
        request: None,
        ok: "ImageModelsListResponse",
        stream: None,
        errors: &[500],
    },
    Operation {
        method: "GET",
        path: "/images/models/{author}/{slug}/endpoints",
        request: None,
        ok: "ImageModelEndpointsResponse",
        stream: None,
        errors: &[404, 500],
    },
    Operation {
        method: "GET",
        path: "/models",
        request: None,
        ok: "ModelsListResponse",
        stream: None,
        errors: &[400, 403, 500],
    },
    Operation {
        method: "GET",
        path: "/model/{author}/{slug}",
        request: None,
        ok: "ModelResponse",
        stream: None,
        errors: &[403, 404, 500],
    },
    Operation {
        method: "GET",
        path: "/models/{author}/{slug}/endpoints",
        request: None,
        ok: "ModelEndpointsResponse",
        stream: None,
        errors: &[403, 404, 500],
    },
    Operation {
        method: "GET",
        path: "/key",
        request: None,
        ok: "KeyResponse",
        stream: None,
        errors: &[401, 500],
    },
    Operation {
        method: "GET",
        path: "/credits",
        request: None,
        ok: "CreditsResponse",
        stream: None,
        errors: &[401, 403, 500],
    },
    Operation {
        method: "POST",
        path: "/auth/keys",
        request: Some("AuthKeysRequest"),
        ok: "AuthKeysResponse",
        stream: None,
        errors: &[400, 403, 500],
    },
    Operation {
        method: "GET",
        path: "/generation",
        request: None,
        ok: "GenerationResponse",
        stream: None,
        errors: &[401, 402, 404, 429, 500, 502, 524, 529],
    },
];

/// `/api/v1/chat/completions?x=1` → `/chat/completions`.
pub(crate) fn normalize(path: &str) -> &str {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let path = path.strip_prefix("/api/v1").unwrap_or(path);
    match path.strip_suffix('/') {
        Some(p) if !p.is_empty() => p,
        _ => path,
    }
}

/// Whether a concrete path (`/model/black-forest-labs/flux.2-klein-4b`) or the template itself
/// matches the template `/model/{author}/{slug}`.
pub(crate) fn matches(template: &str, path: &str) -> bool {
    if template == path {
        return true;
    }
    let mut t = template.split('/');
    let mut p = path.split('/');
    loop {
        match (t.next(), p.next()) {
            (None, None) => return true,
            (Some(ts), Some(ps)) => {
                let placeholder = ts.starts_with('{') && ts.ends_with('}');
                if !(ts == ps || placeholder && !ps.is_empty()) {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// The operation for `method` + `path` (either form accepted by [`matches`]).
pub(crate) fn find<'a>(
    operations: &'a [Operation],
    path: &str,
    method: &str,
) -> Result<&'a Operation, String> {
    let path = normalize(path);
    let method = method.to_ascii_uppercase();
    let on_path: Vec<&Operation> = operations
        .iter()
        .filter(|o| matches(o.path, path))
        .collect();
    if on_path.is_empty() {
        return Err(format!("path {path:?} is not in our contract"));
    }
    on_path
        .into_iter()
        .find(|o| o.method == method)
        .ok_or_else(|| format!("{method} {path} is not in our contract"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_templates() {
        assert_eq!(normalize("/api/v1/chat/completions"), "/chat/completions");
        assert_eq!(normalize("/generation?id=gen-1"), "/generation");
        assert!(matches(
            "/model/{author}/{slug}",
            "/model/black-forest-labs/flux.2-klein-4b"
        ));
        assert!(matches("/model/{author}/{slug}", "/model/{author}/{slug}"));
        assert!(!matches("/model/{author}/{slug}", "/models/a/b"));
        assert!(!matches("/model/{author}/{slug}", "/model/a"));
        assert!(!matches("/model/{author}/{slug}", "/model//b"));
        let op = find(
            OPERATIONS,
            "/api/v1/images/models/black-forest-labs/flux.2-klein-4b/endpoints",
            "get",
        )
        .unwrap();
        assert_eq!(op.ok, "ImageModelEndpointsResponse");
        assert!(find(OPERATIONS, "/images", "GET").is_err());
        assert!(find(OPERATIONS, "/nope", "GET").is_err());
    }

    #[test]
    fn one_operation_per_method_and_path() {
        for (i, a) in OPERATIONS.iter().enumerate() {
            for b in &OPERATIONS[i + 1..] {
                assert!(
                    !(a.method == b.method && (matches(a.path, b.path) || matches(b.path, a.path))),
                    "{} {} overlaps {}",
                    a.method,
                    a.path,
                    b.path
                );
            }
        }
    }
}
