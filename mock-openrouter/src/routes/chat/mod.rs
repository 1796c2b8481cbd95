//! `POST /api/v1/chat/completions`: image generation through chat (§1–§3), JSON or SSE.
//! One file per concern; this one only wires them.

mod answer;
mod handler;
mod request;
mod stream;
mod text;

pub use handler::handle;
