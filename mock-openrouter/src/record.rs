//! Request recording. Every API request (not `/__mock/*`) is recorded when it arrives; its
//! record is completed when the last body byte is handed to hyper, or marked aborted when the
//! handler or the body is dropped first (the client went away).

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use bytes::Bytes;
use http_body::{Frame, SizeHint};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::state::{Generation, Shared};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Pending,
    Completed,
    Aborted,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RecordedRequest {
    pub seq: u64,
    pub method: String,
    pub path: String,
    /// The raw query string, "" when there is none.
    pub query: String,
    /// Lowercase header names; repeated headers joined with ", ".
    pub headers: BTreeMap<String, String>,
    /// The body parsed as JSON, or null when empty or not JSON.
    pub body: Value,
    pub body_bytes: usize,
    /// Unix epoch ms.
    pub received_at_ms: u64,
    pub status: Option<u16>,
    pub outcome: Outcome,
    /// Unix epoch ms at which the last body chunk was handed to hyper.
    pub response_end_ms: Option<u64>,
}

/// Billing and `/generation` bookkeeping that happens only when a generation's response has
/// been sent completely (all-or-nothing billing; aborted generations are not charged).
pub struct GenerationCommit {
    /// Billed even if the connection is cut (the `drop_after_billing` fault).
    pub billed_when_cut: bool,
    pub key: String,
    pub cost: f64,
    pub id: String,
    /// The `/generation` data; `cancelled` is filled in at commit time.
    pub data: Value,
}

/// Response extensions must be `Clone`; the commit itself is taken exactly once.
#[derive(Clone)]
pub struct CommitExt(Arc<std::sync::Mutex<Option<GenerationCommit>>>);

impl CommitExt {
    pub fn new(commit: GenerationCommit) -> CommitExt {
        CommitExt(Arc::new(std::sync::Mutex::new(Some(commit))))
    }

    pub fn take(&self) -> Option<GenerationCommit> {
        self.0.lock().ok().and_then(|mut c| c.take())
    }
}

impl GenerationCommit {
    fn apply(self, shared: &Shared, completed: bool) {
        let completed = completed || self.billed_when_cut;
        let now = crate::now_ms();
        let mut inner = shared.lock();
        if completed && let Some(k) = inner.keys.get_mut(&self.key) {
            k.usage = crate::round6(k.usage + self.cost);
        }
        let mut data = self.data;
        data["cancelled"] = Value::Bool(!completed);
        if !completed {
            data["total_cost"] = 0.into();
            data["usage"] = 0.into();
        }
        inner.generations.insert(
            self.id,
            Generation {
                completed_ms: now,
                data,
            },
        );
    }
}

/// Marks the record aborted if the handler future is dropped before it produced a response.
pub struct PendingGuard {
    shared: Arc<Shared>,
    seq: u64,
    armed: bool,
}

impl PendingGuard {
    pub fn new(shared: Arc<Shared>, seq: u64) -> PendingGuard {
        PendingGuard {
            shared,
            seq,
            armed: true,
        }
    }

    pub fn disarm(&mut self) {
        self.armed = false;
    }
}

impl Drop for PendingGuard {
    fn drop(&mut self) {
        if self.armed {
            self.shared
                .update_record(self.seq, |r| r.outcome = Outcome::Aborted);
        }
    }
}

/// Wraps a response body to record when it ended, or that it never did.
pub struct TrackedBody {
    inner: Body,
    shared: Arc<Shared>,
    seq: u64,
    done: bool,
    commit: Option<GenerationCommit>,
}

impl TrackedBody {
    pub fn new(
        inner: Body,
        shared: Arc<Shared>,
        seq: u64,
        commit: Option<GenerationCommit>,
    ) -> TrackedBody {
        let mut body = TrackedBody {
            inner,
            shared,
            seq,
            done: false,
            commit,
        };
        // hyper never polls an empty body, so it is complete right away.
        if http_body::Body::is_end_stream(&body.inner) {
            body.finish(true);
        }
        body
    }

    fn finish(&mut self, completed: bool) {
        if self.done {
            return;
        }
        self.done = true;
        let now = crate::now_ms();
        self.shared.update_record(self.seq, |r| {
            if completed {
                r.outcome = Outcome::Completed;
                r.response_end_ms = Some(now);
            } else {
                r.outcome = Outcome::Aborted;
            }
        });
        if let Some(c) = self.commit.take() {
            c.apply(&self.shared, completed);
        }
    }
}

impl http_body::Body for TrackedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(None) => this.finish(true),
            Poll::Ready(Some(Ok(_))) if this.inner.is_end_stream() => this.finish(true),
            _ => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for TrackedBody {
    fn drop(&mut self) {
        self.finish(false);
    }
}
