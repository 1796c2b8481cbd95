//! `ApiError`: one variant per thing the user must be told, each with a plain
//! message that says what happened and what to do next.

use super::types::{ErrorBody, ErrorMetadata, ErrorObject};
use crate::generation::LinkedImageMissing;
use crate::i18n;
use crate::json::Loose;

/// Where people add credits; shown with 402 errors.
pub const CREDITS_URL: &str = "https://openrouter.ai/settings/credits";
/// Where people create and revoke keys; shown with 401 errors.
pub const KEYS_URL: &str = "https://openrouter.ai/settings/keys";

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    #[error("{}", i18n::core().studio_detail_cancelled)]
    Cancelled,
    #[error("{}", i18n::core().studio_detail_timeout(.seconds))]
    Timeout { seconds: u32 },
    /// A streamed answer went silent (not even keep-alive comments).
    #[error("{}", i18n::core().studio_detail_idle_timeout(.seconds))]
    IdleTimeout { seconds: u32 },
    /// The connection ended before the answer was complete; `generation_id`
    /// when OpenRouter had already named the generation (it may be billed).
    #[error("{}", i18n::core().studio_detail_interrupted)]
    Interrupted { generation_id: Option<String> },
    /// The request never got an answer the page could read: offline, DNS, CORS,
    /// or an edge error without CORS headers. Browsers do not tell these apart.
    #[error("{}", i18n::core().studio_detail_network(.detail))]
    Network { detail: String },
    /// A network error while the browser knows it has no connection.
    #[error("{}", i18n::core().studio_detail_offline)]
    Offline,
    #[error("{}", i18n::core().studio_detail_invalid_key(.message))]
    InvalidKey { message: String },
    #[error("{}", i18n::core().studio_detail_out_of_credits(.message))]
    OutOfCredits { message: String },
    #[error("{}", i18n::core().studio_detail_moderation)]
    Moderation {
        reasons: Vec<String>,
        flagged_input: Option<String>,
    },
    #[error("{}", i18n::core().studio_detail_forbidden(.message))]
    Forbidden { message: String },
    #[error("{}", i18n::core().studio_detail_rate_limited)]
    RateLimited { retry_after_seconds: Option<u32> },
    #[error("{}", i18n::core().studio_detail_bad_request(.message))]
    BadRequest { message: String },
    #[error("{}", i18n::core().studio_detail_not_available(.message))]
    NotAvailable { message: String },
    /// Chat Completions cannot serve this model/modality: the Image API can.
    #[error("{}", i18n::core().studio_detail_wrong_endpoint(.message))]
    WrongEndpoint { message: String },
    #[error("{}", i18n::core().studio_detail_provider_timeout(.status))]
    ProviderTimeout { status: u16 },
    #[error("{}", i18n::core().studio_detail_too_large)]
    TooLarge,
    #[error("{}", i18n::core().studio_detail_provider_down(.status, .message))]
    ProviderDown {
        status: u16,
        message: String,
        retry_after_seconds: Option<u32>,
    },
    /// A non-JSON error page, typically from the CDN in front of the API.
    #[error("{}", i18n::core().studio_detail_edge_error(.status))]
    EdgeError { status: u16 },
    #[error("{}", i18n::core().studio_detail_unexpected_status(.status, .message))]
    UnexpectedStatus { status: u16, message: String },
    #[error("{}", i18n::core().studio_detail_malformed(.detail))]
    Malformed { detail: String },
    #[error("{}", i18n::core().studio_detail_generation_failed(.message))]
    GenerationFailed { message: String },
    #[error("{}", i18n::core().studio_detail_no_image(.detail))]
    NoImage { detail: String },
    /// The answer linked to its image, but the browser could not fetch it.
    #[error("{}", i18n::core().studio_detail_linked_unreachable(.url, .reason))]
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
        let t = i18n::later();
        match self {
            ApiError::Cancelled => t.studio_error_cancelled.into(),
            ApiError::Timeout { seconds } => t.studio_error_timeout(seconds),
            ApiError::IdleTimeout { seconds } => t.studio_error_idle_timeout(seconds),
            ApiError::Interrupted {
                generation_id: None,
            } => t.studio_error_interrupted.into(),
            ApiError::Interrupted {
                generation_id: Some(id),
            } => t.studio_error_interrupted_billed(id),
            ApiError::Offline => t.studio_error_offline.into(),
            ApiError::Network { .. } => t.studio_error_network.into(),
            ApiError::InvalidKey { .. } => t.studio_error_invalid_key.into(),
            ApiError::OutOfCredits { .. } => t.studio_error_out_of_credits.into(),
            ApiError::Moderation {
                reasons,
                flagged_input,
            } => {
                let mut details = String::new();
                if !reasons.is_empty() {
                    details.push(' ');
                    details.push_str(&t.studio_error_moderation_reasons(&reasons.join(", ")));
                }
                if let Some(flagged) = flagged_input.as_deref().filter(|f| !f.is_empty()) {
                    details.push_str(&t.studio_error_moderation_flagged(&flagged));
                }
                t.studio_error_moderation(&details)
            }
            ApiError::Forbidden { message } => t.studio_error_forbidden(&quoted(message)),
            ApiError::RateLimited {
                retry_after_seconds,
            } => match retry_after_seconds {
                Some(s) => t.studio_error_rate_limited_wait(s),
                None => t.studio_error_rate_limited.into(),
            },
            ApiError::BadRequest { message } => t.studio_error_bad_request(&quoted(message)),
            ApiError::NotAvailable { message } => t.studio_error_not_available(&quoted(message)),
            ApiError::WrongEndpoint { message } => t.studio_error_wrong_endpoint(&quoted(message)),
            ApiError::ProviderTimeout { .. } => t.studio_error_provider_timeout.into(),
            ApiError::TooLarge => t.studio_error_too_large.into(),
            ApiError::ProviderDown { status, .. } => t.studio_error_provider_down(status),
            ApiError::EdgeError { status } => t.studio_error_edge(status),
            ApiError::UnexpectedStatus { status, .. } => t.studio_error_unexpected_status(status),
            ApiError::Malformed { .. } => t.studio_error_malformed.into(),
            ApiError::GenerationFailed { message } => {
                t.studio_error_generation_failed(&quoted(message))
            }
            ApiError::NoImage { detail } => t.studio_error_no_image(detail),
            ApiError::LinkedImageUnreachable { url, reason } => t.studio_error_linked_unreachable(
                &url.split('/').nth(2).unwrap_or_default(),
                reason,
            ),
            ApiError::PartUnavailable(_) => t.studio_error_part_unavailable.into(),
        }
    }

    /// A page that helps with the next step, as (link text, address).
    pub fn help_link(&self) -> Option<(&'static str, String)> {
        let t = i18n::later();
        match self {
            ApiError::OutOfCredits { .. } => Some((t.studio_link_add_credits, CREDITS_URL.into())),
            ApiError::InvalidKey { .. } => Some((t.studio_link_manage_keys, KEYS_URL.into())),
            ApiError::LinkedImageUnreachable { url, .. } => {
                Some((t.studio_link_open_image, url.clone()))
            }
            _ => None,
        }
    }

    /// Technical details for the disclosure under the message.
    pub fn details(&self) -> String {
        self.to_string()
    }
}

/// What the server said, as `: “…”` after the sentence's first part (nothing
/// when it said nothing).
fn quoted(message: &str) -> String {
    let message = message.trim();
    if message.is_empty() {
        String::new()
    } else {
        i18n::later().studio_quoted(&message)
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
