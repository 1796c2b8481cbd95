//! `Copy as cURL`: the request a press of Generate would send, as one command
//! for a terminal. The key never appears: the command reads it from
//! `$OPENROUTER_API_KEY`. Reference images are left out (megabytes of base64
//! do not belong in a terminal); each has a placeholder to replace.

use super::APP_TITLE;
use super::request::{chat_request, images_request};
use crate::generation::GenerationRequest;

/// Where the request goes and how, as the client would decide it.
pub struct CurlTarget<'a> {
    pub api_base: &'a str,
    /// `Images API` chosen in Settings.
    pub images_api: bool,
    /// Streamed answers (Chat Completions only).
    pub stream: bool,
    /// The page's address, sent as `HTTP-Referer` like the app does.
    pub page_url: &'a str,
}

/// The placeholder for reference image `n` (from 1; "N" in the explanation).
pub fn reference_placeholder(n: &str) -> String {
    format!("<image {n}: a data: URL>")
}

/// The command; the same body and headers the client sends, the key as a variable.
pub fn curl_command(target: &CurlTarget, request: &GenerationRequest) -> String {
    let mut request = request.clone();
    for (i, reference) in request.references.iter_mut().enumerate() {
        *reference = reference_placeholder(&(i + 1).to_string());
    }
    let images = target.images_api || request.needs_images_api();
    let (path, body, stream) = if images {
        ("images", images_request(&request).to_json(), false)
    } else {
        (
            "chat/completions",
            chat_request(&request, target.stream).to_json(),
            target.stream,
        )
    };
    let mut command = format!(
        "curl -sS{} {} \\\n  -H \"Authorization: Bearer $OPENROUTER_API_KEY\" \\\n  -H 'Content-Type: application/json' \\\n",
        if stream { "N" } else { "" },
        shell_quote(&format!("{}/{path}", target.api_base)),
    );
    if !target.page_url.is_empty() {
        command.push_str(&format!(
            "  -H {} \\\n",
            shell_quote(&format!("HTTP-Referer: {}", target.page_url))
        ));
    }
    command.push_str(&format!(
        "  -H 'X-OpenRouter-Title: {APP_TITLE}' \\\n  -d {}",
        shell_quote(&body)
    ));
    command
}

/// POSIX shell single quotes: safe for any text (a `'` becomes `'\''`).
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}
