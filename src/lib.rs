//! Kleinbild: a static, bring-your-own-key image studio for FLUX.2 [klein] 4B.
//!
//! Modules depend one way: `components → state → {api, storage} → generation`.
//! `json`, `lazy`, `order`, `perf` and `shell` are leaves any layer may use. See docs/architecture.md.

pub mod api;
mod app;
pub mod components;
pub mod generation;
pub mod i18n;
pub mod json;
pub mod lazy;
pub mod order;
pub mod perf;
pub mod shell;
pub mod state;
pub mod storage;

pub use app::App;
