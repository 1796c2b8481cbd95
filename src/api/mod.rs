//! Talking to OpenRouter: request and answer shapes, the HTTP client, SSE,
//! errors the user can act on. Depends on `generation` (and the leaf `json`)
//! only; no Leptos types here.

pub mod account;
pub mod client;
pub mod curl;
pub mod data_url;
pub mod error;
pub mod models;
pub mod oauth;
pub mod request;
pub mod response;
pub mod retry;
pub mod sse;
pub mod stream;
pub mod types;

pub use error::ApiError;
pub use request::{chat_request, images_request};

/// OpenRouter's API root; requests go to `{base}/chat/completions` etc.
pub const DEFAULT_API_BASE: &str = "https://openrouter.ai/api/v1";

/// App name sent as `X-OpenRouter-Title` (attribution only).
pub const APP_TITLE: &str = "Kleinbild";
