//! "Sign in with OpenRouter": OAuth with PKCE (S256), as OpenRouter's own
//! static demo does it. The browser parts (random bytes, SHA-256, redirects)
//! live in `state::sign_in`; everything here is pure.

use base64::Engine as _;

use super::ApiError;
use crate::json::{Loose, ObjectWriter};

/// sessionStorage key of the sign-in in progress: survives the round trip to
/// OpenRouter in this tab, and nothing longer.
pub const PENDING_KEY: &str = "kleinbild.oauth.v1";

/// What is kept while the user is away at OpenRouter's consent page.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingSignIn {
    pub verifier: String,
    /// The API the code must be exchanged at (the one the sign-in started with).
    pub api_base: String,
}

impl PendingSignIn {
    pub fn to_json(&self) -> String {
        ObjectWriter::default()
            .text("verifier", &self.verifier)
            .text("api_base", &self.api_base)
            .finish()
    }

    /// `None` for anything but what [`Self::to_json`] wrote.
    pub fn from_json(raw: &str) -> Option<Self> {
        let value = Loose::parse(raw).ok()?;
        let text = |key: &str| value.get(key).and_then(Loose::as_text).map(str::to_owned);
        Some(PendingSignIn {
            verifier: text("verifier")?,
            api_base: text("api_base")?,
        })
    }
}

/// base64url without padding, as PKCE wants it.
pub fn base64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The consent page that belongs to an API base: `https://openrouter.ai/api/v1`
/// → `https://openrouter.ai/auth` (the mock mirrors that layout).
pub fn auth_page(api_base: &str) -> String {
    let root = api_base.trim_end_matches('/');
    let root = root.strip_suffix("/api/v1").unwrap_or(root);
    format!("{root}/auth")
}

/// `{auth}?callback_url=…&code_challenge=…&code_challenge_method=S256`.
pub fn sign_in_url(api_base: &str, callback_url: &str, challenge: &str) -> String {
    format!(
        "{}?callback_url={}&code_challenge={}&code_challenge_method=S256",
        auth_page(api_base),
        percent_encode(callback_url),
        percent_encode(challenge)
    )
}

/// Encodes everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `code` parameter of a query string (`?a=1&code=…`), if it has a sane one.
/// Codes are short tokens; anything else is not ours to use.
pub fn code_from_query(search: &str) -> Option<String> {
    search
        .trim_start_matches('?')
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == "code")
        .map(|(_, value)| value.to_owned())
        .filter(|code| {
            (1..=512).contains(&code.len())
                && code
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
        })
}

/// The query string without its `code` parameter (`""` when nothing is left),
/// so the code never stays in the address bar or in history.
pub fn query_without_code(search: &str) -> String {
    let kept: Vec<&str> = search
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| !pair.is_empty() && pair.split('=').next() != Some("code"))
        .collect();
    if kept.is_empty() {
        String::new()
    } else {
        format!("?{}", kept.join("&"))
    }
}

/// The body of `POST /auth/keys`.
#[derive(Debug)]
pub struct KeyExchange<'a> {
    pub code: &'a str,
    pub code_verifier: &'a str,
    pub code_challenge_method: &'static str,
}

impl<'a> KeyExchange<'a> {
    /// The body as JSON text.
    pub fn to_json(&self) -> String {
        ObjectWriter::default()
            .text("code", self.code)
            .text("code_verifier", self.code_verifier)
            .text("code_challenge_method", self.code_challenge_method)
            .finish()
    }

    pub fn s256(code: &'a str, code_verifier: &'a str) -> Self {
        KeyExchange {
            code,
            code_verifier,
            code_challenge_method: "S256",
        }
    }
}

/// Reads the answer of `POST /auth/keys`: the new key.
pub fn parse_exchange(status: u16, body: &str) -> Result<String, ApiError> {
    if !(200..300).contains(&status) {
        return Err(ApiError::from_http(status, body));
    }
    Loose::parse(body.trim())
        .ok()
        .and_then(|answer| {
            answer
                .get("key")
                .and_then(Loose::as_text)
                .map(str::to_owned)
        })
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty())
        .ok_or_else(|| ApiError::Malformed {
            detail: crate::i18n::later().panels_sign_in_no_key.into(),
        })
}

/// What to tell the user when the exchange failed (shown by `state::sign_in`,
/// so its words are in `[core]`).
pub fn sign_in_failure(error: &ApiError) -> String {
    let t = crate::i18n::later();
    match error {
        ApiError::Forbidden { .. } | ApiError::InvalidKey { .. } => t.panels_sign_in_expired.into(),
        other => t.panels_sign_in_failed(&other.user_message()),
    }
}
