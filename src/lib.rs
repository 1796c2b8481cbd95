//! Kleinbild: a static, bring-your-own-key image studio for FLUX.2 [klein] 4B.

pub mod api;
mod app;
pub mod components;
pub mod generation;
pub mod state;
pub mod storage;

pub use app::App;
