//! Marks on the page's performance timeline, read by `cargo xtask bench`.
//! A leaf module: any layer may mark a moment.

/// Marks a moment (`performance.mark(name)`); silently nothing where the
/// browser has no Performance API.
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}
