//! `ApiError`: one variant per thing the user must be told, each with a plain
//! message that says what happened and what to do next.

use super::types::{ErrorBody, ErrorMetadata, ErrorObject};
use crate::generation::LinkedImageMissing;
use crate::json::Loose;

/// Where people add credits; shown with 402 errors.
pub const CREDITS_URL: &str = "https://openrouter.ai/settings/credits";
/// Where people create and revoke keys; shown with 401 errors.
pub const KEYS_URL: &str = "https://openrouter.ai/settings/keys";

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    #[error("cancelled")]
    Cancelled,
    #[error("no answer within {seconds} s")]
    Timeout { seconds: u32 },
    /// A streamed answer went silent (not even keep-alive comments).
    #[error("nothing received for {seconds} s")]
    IdleTimeout { seconds: u32 },
    /// The connection ended before the answer was complete; `generation_id`
    /// when OpenRouter had already named the generation (it may be billed).
    #[error("the stream ended before [DONE]")]
    Interrupted { generation_id: Option<String> },
    /// The request never got an answer the page could read: offline, DNS, CORS,
    /// or an edge error without CORS headers. Browsers do not tell these apart.
    #[error("network error: {detail}")]
    Network { detail: String },
    /// A network error while the browser knows it has no connection.
    #[error("offline")]
    Offline,
    #[error("invalid key: {message}")]
    InvalidKey { message: String },
    #[error("out of credits: {message}")]
    OutOfCredits { message: String },
    #[error("blocked by moderation")]
    Moderation {
        reasons: Vec<String>,
        flagged_input: Option<String>,
    },
    #[error("forbidden: {message}")]
    Forbidden { message: String },
    #[error("rate limited")]
    RateLimited { retry_after_seconds: Option<u32> },
    #[error("bad request: {message}")]
    BadRequest { message: String },
    #[error("not available: {message}")]
    NotAvailable { message: String },
    /// Chat Completions cannot serve this model/modality: the Image API can.
    #[error("wrong endpoint: {message}")]
    WrongEndpoint { message: String },
    #[error("the provider timed out (HTTP {status})")]
    ProviderTimeout { status: u16 },
    #[error("request too large")]
    TooLarge,
    #[error("provider error (HTTP {status}): {message}")]
    ProviderDown {
        status: u16,
        message: String,
        retry_after_seconds: Option<u32>,
    },
    /// A non-JSON error page, typically from the CDN in front of the API.
    #[error("HTTP {status} with a non-JSON body")]
    EdgeError { status: u16 },
    #[error("unexpected HTTP {status}: {message}")]
    UnexpectedStatus { status: u16, message: String },
    #[error("malformed answer: {detail}")]
    Malformed { detail: String },
    #[error("generation failed: {message}")]
    GenerationFailed { message: String },
    #[error("no image in the answer: {detail}")]
    NoImage { detail: String },
    /// The answer linked to its image, but the browser could not fetch it.
    #[error("linked image not downloaded from {url}: {reason}")]
    LinkedImageUnreachable { url: String, reason: String },
    /// The app's own client code could not be fetched (offline before it loaded).
    #[error("{0}")]
    PartUnavailable(crate::lazy::PartUnavailable),
}

impl From<LinkedImageMissing> for ApiError {
    fn from(missing: LinkedImageMissing) -> Self {
        ApiError::LinkedImageUnreachable {
            url: missing.url,
            reason: missing.reason,
        }
    }
}

impl ApiError {
    /// Maps a non-2xx answer (status + raw body) to the error the user sees.
    pub fn from_http(status: u16, body: &str) -> ApiError {
        match Loose::parse(body.trim())
            .ok()
            .as_ref()
            .and_then(ErrorBody::from_loose)
        {
            Some(parsed) => Self::from_error_object(status, &parsed.error),
            None if body.trim().is_empty() && (500..600).contains(&status) => {
                ApiError::ProviderDown {
                    status,
                    message: String::new(),
                    retry_after_seconds: None,
                }
            }
            None => ApiError::EdgeError { status },
        }
    }

    /// Maps an OpenRouter error object; `status` is the HTTP status, used when
    /// the object has no numeric `code` (availability errors have none).
    pub fn from_error_object(status: u16, error: &ErrorObject) -> ApiError {
        let code = error
            .code
            .filter(|c| (400..600).contains(c))
            .unwrap_or(status);
        let message = error.message.clone().unwrap_or_default();
        let retry_after_seconds = error
            .availability
            .as_ref()
            .and_then(|a| a.retry_after)
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(|s| s.ceil().min(86_400.0) as u32);
        let availability = error.availability.as_ref().and_then(|a| a.code.as_deref());
        if availability == Some("wrong_endpoint")
            || (code == 404 && message.contains("output modalities"))
        {
            return ApiError::WrongEndpoint { message };
        }
        match code {
            400 | 422 => ApiError::BadRequest { message },
            401 => ApiError::InvalidKey { message },
            402 => ApiError::OutOfCredits { message },
            // Moderation errors are 403s whose metadata lists `reasons`.
            403 => match &error.metadata {
                Some(ErrorMetadata {
                    reasons: Some(reasons),
                    flagged_input,
                    ..
                }) => ApiError::Moderation {
                    reasons: reasons.clone(),
                    flagged_input: flagged_input.clone(),
                },
                _ => ApiError::Forbidden { message },
            },
            404 => ApiError::NotAvailable { message },
            408 | 524 => ApiError::ProviderTimeout { status: code },
            413 => ApiError::TooLarge,
            429 => ApiError::RateLimited {
                retry_after_seconds,
            },
            500..=599 => ApiError::ProviderDown {
                status: code,
                message,
                retry_after_seconds,
            },
            _ => ApiError::UnexpectedStatus {
                status: code,
                message,
            },
        }
    }

    /// How long the server asked us to wait before trying again, if it said.
    pub fn retry_after_seconds(&self) -> Option<u32> {
        match self {
            ApiError::RateLimited {
                retry_after_seconds,
            }
            | ApiError::ProviderDown {
                retry_after_seconds,
                ..
            } => *retry_after_seconds,
            _ => None,
        }
    }

    /// Adds a `Retry-After` header's value (seconds, when the browser lets us
    /// read it) unless the body already said how long to wait.
    pub fn with_retry_after_header(mut self, header: Option<&str>) -> ApiError {
        let from_header = header
            .and_then(|h| h.trim().parse::<u32>().ok())
            .map(|s| s.min(86_400));
        if let ApiError::RateLimited {
            retry_after_seconds,
        }
        | ApiError::ProviderDown {
            retry_after_seconds,
            ..
        } = &mut self
        {
            *retry_after_seconds = retry_after_seconds.or(from_header);
        }
        self
    }

    /// The sentence shown in the alert: what happened, then what to do.
    pub fn user_message(&self) -> String {
        match self {
            ApiError::Cancelled => "Generation cancelled. Nothing was saved; press Generate to try again.".into(),
            ApiError::Timeout { seconds } => format!(
                "OpenRouter did not answer within {seconds} seconds, so the request was stopped. Try again; if it keeps happening, try later."
            ),
            ApiError::IdleTimeout { seconds } => format!(
                "OpenRouter stopped sending anything for {seconds} seconds, so the generation was stopped. Try again; if it keeps happening, raise the idle timeout in Settings."
            ),
            ApiError::Interrupted { generation_id: None } => "The connection closed before the image was complete, so the generation was interrupted. Nothing was saved; try again.".into(),
            ApiError::Interrupted { generation_id: Some(id) } => format!(
                "The connection closed before the image was complete, so the generation was interrupted. OpenRouter had already accepted it ({id}), so it may be billed: Kleinbild is asking OpenRouter what it cost. Nothing was saved; try again."
            ),
            ApiError::Offline => "No connection: this device is offline, so nothing was sent. Your prompt and settings are kept; press Generate again once you are back online.".into(),
            ApiError::Network { .. } => "Could not reach the API (network error, offline, or blocked by the browser's CORS rules). Check your connection and the API base URL in Settings, then try again.".into(),
            ApiError::InvalidKey { .. } => "OpenRouter rejected the API key (invalid, revoked or expired). Check the key, paste a new one, or sign in again.".into(),
            ApiError::OutOfCredits { .. } => String::from(
                "Your OpenRouter account or this key is out of credits. Add credits on OpenRouter (link below) or raise the key's limit, then try again."
            ),
            ApiError::Moderation {
                reasons,
                flagged_input,
            } => {
                let mut text = String::from("The prompt was blocked by moderation");
                if !reasons.is_empty() {
                    text.push_str(&format!(" (reasons: {})", reasons.join(", ")));
                }
                if let Some(flagged) = flagged_input.as_deref().filter(|f| !f.is_empty()) {
                    text.push_str(&format!("; flagged text: \u{201c}{flagged}\u{201d}"));
                }
                text.push_str(". Rephrase the prompt and try again.");
                text
            }
            ApiError::Forbidden { message } => format!(
                "OpenRouter refused the request{}. Check the key's permissions and guardrails, or rephrase the prompt.",
                quoted(message)
            ),
            ApiError::RateLimited {
                retry_after_seconds,
            } => match retry_after_seconds {
                Some(s) => format!("Rate limited: too many requests right now. Wait {s} seconds, then try again."),
                None => "Rate limited: too many requests right now. Wait a little, then try again.".into(),
            },
            ApiError::BadRequest { message } => format!(
                "OpenRouter could not accept the request{}. Check the prompt and settings, then try again.",
                quoted(message)
            ),
            ApiError::NotAvailable { message } => format!(
                "The model is not available for this request{}. Try again later or check the model settings.",
                quoted(message)
            ),
            ApiError::WrongEndpoint { message } => format!(
                "This model cannot make images through the Chat Completions API{}. Choose \u{201c}Images API\u{201d} as the transport in Settings, then try again.",
                quoted(message)
            ),
            ApiError::ProviderTimeout { .. } => "The image provider took too long and the request timed out. Try again in a moment.".into(),
            ApiError::TooLarge => "The request is too large for OpenRouter (too much data). Use fewer or smaller reference images, then try again.".into(),
            ApiError::ProviderDown { status, .. } => format!(
                "The image provider is down or overloaded (HTTP {status}). Nothing was charged; try again in a minute."
            ),
            ApiError::EdgeError { status } => format!(
                "The API answered with an error page instead of data (HTTP {status}); the service is probably having trouble. Try again in a minute."
            ),
            ApiError::UnexpectedStatus { status, .. } => format!(
                "The API answered with an unexpected error (HTTP {status}). Try again; if it persists, check the API base URL in Settings."
            ),
            ApiError::Malformed { .. } => "The API's answer was damaged or incomplete, so no image could be read. Try again.".into(),
            ApiError::GenerationFailed { message } => format!(
                "The provider failed while generating the image{}. Nothing was saved; try again.",
                quoted(message)
            ),
            ApiError::NoImage { detail } => format!(
                "The API answered but sent no usable image ({detail}). Try again, perhaps with a different prompt."
            ),
            ApiError::LinkedImageUnreachable { url, reason } => format!(
                "The image was made, but Kleinbild could not download it from {} ({reason}). Open it with the link below and save it from there soon: such links can expire.",
                url.split('/').nth(2).unwrap_or_default()
            ),
            ApiError::PartUnavailable(_) => "Kleinbild could not load the code that sends requests: the connection is down, or the app was updated. Nothing was sent and nothing was charged. Check your connection, then try again (or reload the page).".into(),
        }
    }

    /// A page that helps with the next step, as (link text, address).
    pub fn help_link(&self) -> Option<(&'static str, String)> {
        match self {
            ApiError::OutOfCredits { .. } => {
                Some(("Add credits on OpenRouter", CREDITS_URL.into()))
            }
            ApiError::InvalidKey { .. } => {
                Some(("Manage your keys on OpenRouter", KEYS_URL.into()))
            }
            ApiError::LinkedImageUnreachable { url, .. } => Some(("Open the image", url.clone())),
            _ => None,
        }
    }

    /// Technical details for the disclosure under the message.
    pub fn details(&self) -> String {
        self.to_string()
    }
}

fn quoted(message: &str) -> String {
    let message = message.trim();
    if message.is_empty() {
        String::new()
    } else {
        format!(": \u{201c}{message}\u{201d}")
    }
}

/// Removes every occurrence of `secret` (and anything shaped like an OpenRouter
/// key) from text that may be shown or copied, so a key never leaks into an
/// error report even if a server echoes it.
pub fn redact(text: &str, secret: &str) -> String {
    let mut out = if secret.len() >= 8 {
        text.replace(secret, "[key]")
    } else {
        text.to_owned()
    };
    while let Some(start) = out.find("sk-or-") {
        let end = out[start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .map_or(out.len(), |n| start + n);
        out.replace_range(start..end, "[key]");
    }
    out
}
