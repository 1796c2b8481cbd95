//! A local mock of the OpenRouter HTTP API (chat-completions and Image API image generation,
//! models, key, generation, OAuth PKCE) for Kleinbild's tests, benchmarks and demo mode.
//! It follows `shared/openrouter-api.md`; behaviour marked UNCONFIRMED there is a
//! [`MockConfig`] option. Never talks to the network beyond its own loopback listener.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use mock_openrouter::{Fault, MockConfig, MockServer};
//! let server = MockServer::start(MockConfig::default(), "127.0.0.1:0".parse().unwrap()).await?;
//! server.push_fault(Fault::Status { status: 429 }); // the next generation gets the 429
//! let base = server.base_url(); // http://127.0.0.1:PORT/api/v1
//! # let _ = base; Ok(()) }
//! ```
//!
//! Control endpoints (CORS-enabled, never recorded): `GET /__mock/requests`,
//! `GET|POST /__mock/config` (POST = full replace, missing fields take defaults),
//! `POST /__mock/faults` (one [`Fault`] as JSON, e.g. `{"kind":"status","status":502}`),
//! `POST /__mock/reset`.
//!
//! An `X-Mock-Fault: <kind>[=<n>]` request header, or a magic prompt, triggers a fault for one
//! request. Magic prompts: `[mock:status=429]`, `[mock:html5xx=502]`,
//! `[mock:no_cors=500]`, `[mock:delay=1500]`, or `[mock:<kind>]` for `guardrail`, `hang`,
//! `choice_error`, `drop_before_done`, `drop_after_billing`, `truncated_body`, `no_image`,
//! `non_image_data_url`, `undecodable_image`,
//! `not_json`. Precedence: queued fault, then header, then prompt.

#![recursion_limit = "256"]
// Handlers return `Result<_, Response>` so an early error answer is one `?`-like match away;
// these are cold paths, boxing the response would only add noise.
#![allow(clippy::result_large_err)]

mod body;
mod config;
mod cors;
mod errors;
mod faults;
mod images;
mod record;
mod routes;
mod sse;
mod state;

use std::net::SocketAddr;
use std::sync::Arc;

pub use config::{CorsAllowHeaders, ImageMime, KeySpec, MegapixelUnit, MockConfig};
pub use faults::Fault;
pub use record::{Outcome, RecordedRequest};

use state::Shared;

/// Always valid, no spend limit.
pub const DEMO_KEY: &str = "sk-or-v1-mock-demo-key";

/// A running mock server. Dropping it stops the listener.
pub struct MockServer {
    shared: Arc<Shared>,
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl MockServer {
    /// Binds `addr` (use "127.0.0.1:0" for an ephemeral port) and serves in a tokio task.
    pub async fn start(config: MockConfig, addr: SocketAddr) -> std::io::Result<MockServer> {
        let shared = Arc::new(Shared::new(config));
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let app = routes::router(shared.clone());
        // No Nagle delay, as a production server: the last small segment of
        // an answer must not wait for the client's delayed ACK.
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                eprintln!("mock OpenRouter stopped: {e}");
            }
        });
        Ok(MockServer { shared, addr, task })
    }

    /// `http://127.0.0.1:PORT`
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT/api/v1`
    pub fn base_url(&self) -> String {
        format!("{}/api/v1", self.origin())
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Queues a fault for the next generation request (chat or images), FIFO.
    pub fn push_fault(&self, fault: Fault) {
        self.shared.push_fault(fault);
    }

    /// Replaces the configuration; keys that are new or changed are (re)installed from their spec.
    pub fn set_config(&self, config: MockConfig) {
        self.shared.set_config(config);
    }

    pub fn config(&self) -> MockConfig {
        self.shared.config()
    }

    /// API requests (not `/__mock/*`), oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().records.clone()
    }

    /// Clears faults, records, usage, OAuth codes and generations; restores the start config.
    pub fn reset(&self) {
        self.shared.reset();
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// USD amounts are kept to micro-dollars so sums stay exact-looking (0.014 + 0.014 = 0.028).
pub(crate) fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}
