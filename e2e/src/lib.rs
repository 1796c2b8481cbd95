//! End-to-end harness for Kleinbild: the release build (`dist/`) served by a small static file
//! server (axum), headless Chromium driven through chromedriver (fantoccini), and a fresh
//! `mock-openrouter` per test.
//!
//! Tests find things the way a user does: controls by role and accessible name
//! ([`App::control`]), regions, dialogs and groups by their name (`aria-label` /
//! `aria-labelledby`), what a region announces by its live regions ([`App::live_text`]),
//! images by their alt text. Two things on the page have neither role nor name and are still
//! selected by CSS class, because a user recognises them only by where they are drawn:
//! the "N images" count beside the History heading (`.gallery__count`, in the `storage` test
//! and the bench) and the storage-usage line in Settings (`.settings__usage`, in the `storage`
//! test). Hidden form plumbing is reached by type, as a file chooser does
//! (`input[type=file]` in "Import history" and "Reference images").
//!
//! Every test gets its own static server (so its own origin, so its own localStorage), its own
//! chromedriver and browser session (fresh profile) and its own mock.
//!
//! Run (from the workspace root; the build in `dist/` must be current):
//!
//! ```text
//! CARGO_TARGET_DIR=/tmp/target-e2e cargo test -p e2e --no-fail-fast -- --test-threads=2
//! ```
//!
//! (about 4 minutes on 2 cores once built, `faults` and `storage` being most of it;
//! `--no-fail-fast` so one failing file does not hide the others.) `--test-threads=2` matters
//! on a 2-core machine: each test runs a whole Chromium, and more of them at once make Leptos'
//! timers and the mock's delays race the timeouts below.
//!
//! Environment: `DIST_DIR` (default `<workspace>/dist`), `CHROMEDRIVER` (default
//! `/usr/bin/chromedriver`), `CHROME_BIN` (optional; Debian's chromedriver finds chromium),
//! `E2E_HEADFUL=1` to watch the browser.
//!
//! Layout: [`server`] (the static file server), [`driver`] (chromedriver and browser sessions),
//! [`a11y`] (roles and accessible names), [`app`] (the app under test and its page helpers),
//! [`replay`] (asks the mock again, outside the browser), [`archive`] (history zips read and
//! written with the app's own code).

use std::time::Duration;

pub mod a11y;
pub mod app;
pub mod archive;
pub mod catalogue;
pub mod driver;
pub mod replay;
pub mod server;

pub use a11y::{Role, xpath_for};
pub use app::{App, CAPTURE_DOWNLOADS, run, run_on};
pub use archive::without_text_chunks;
pub use catalogue::catalogue;
pub use driver::Driver;
pub use mock_openrouter::{DEMO_KEY, Fault, MockConfig, MockServer, Outcome, RecordedRequest};
pub use replay::replay_image;
pub use server::{RequestHead, StaticServer, dist_dir};

/// Errors carry a readable message; tests print them as the failure.
pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Result<T = ()> = std::result::Result<T, Error>;

/// Returns early with a formatted error.
#[macro_export]
macro_rules! bail {
    ($($arg:tt)*) => { return Err(format!($($arg)*).into()) };
}

/// `assert!` that returns an error (so the browser session still gets closed).
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($arg:tt)*) => { if !$cond { $crate::bail!($($arg)*); } };
}

/// The model the app must ask for.
pub const KLEIN_MODEL: &str = "black-forest-labs/flux.2-klein-4b";

/// How long to wait for things a user would see "at once" (render after a click, a 300 ms mock
/// answer). Generous, because two Chromiums share two cores.
pub const UI_TIMEOUT: Duration = Duration::from_secs(10);

/// Phrase check helper for table-driven tests: case-insensitive `contains`.
/// A page script (for `Page.addScriptToEvaluateOnNewDocument`) that holds
/// every fetch whose URL contains `url_part` until `window.__release()`: the
/// page runs without that file until the test lets it go.
pub fn hold_fetch_script(url_part: &str) -> String {
    format!(
        "(() => {{
  const realFetch = window.fetch;
  let release;
  const held = new Promise(r => {{ release = r; }});
  window.__release = () => release();
  window.fetch = function (input, init) {{
    const url = String(input instanceof Request ? input.url : input);
    if (url.includes({url_part:?})) return held.then(() => realFetch.call(this, input, init));
    return realFetch.apply(this, arguments);
  }};
}})();"
    )
}

pub fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}
