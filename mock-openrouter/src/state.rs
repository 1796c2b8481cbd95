//! Shared mutable state of one mock server. One mutex: every critical section is short and
//! never held across an await.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

use serde_json::Value;

use crate::DEMO_KEY;
use crate::config::{KeySpec, MockConfig};
use crate::faults::Fault;
use crate::record::RecordedRequest;

pub struct KeyState {
    pub label: String,
    pub limit: Option<f64>,
    pub usage: f64,
    pub management: bool,
    pub user_id: String,
}

pub struct OAuthCode {
    pub challenge: Option<String>,
    /// `S256` or `plain`; `None` when no challenge was given.
    pub method: Option<String>,
    pub created_ms: u64,
}

pub struct Generation {
    pub completed_ms: u64,
    pub data: Value,
}

pub struct Inner {
    pub config: MockConfig,
    pub faults: VecDeque<Fault>,
    pub records: Vec<RecordedRequest>,
    pub next_seq: u64,
    pub keys: HashMap<String, KeyState>,
    pub codes: HashMap<String, OAuthCode>,
    pub generations: HashMap<String, Generation>,
    /// Images served under `/files/<name>` (mime, bytes), for `image_urls`.
    pub files: HashMap<String, (&'static str, Vec<u8>)>,
}

pub struct Shared {
    inner: Mutex<Inner>,
    pub start_config: MockConfig,
}

fn key_state(spec: &KeySpec) -> KeyState {
    KeyState {
        label: spec.label.clone(),
        limit: spec.limit,
        usage: spec.usage,
        management: spec.management,
        user_id: crate::errors::MOCK_USER_ID.to_string(),
    }
}

fn demo_key() -> KeyState {
    KeyState {
        label: "Mock demo key".into(),
        limit: None,
        usage: 0.0,
        management: false,
        user_id: crate::errors::MOCK_USER_ID.to_string(),
    }
}

impl Shared {
    pub fn new(config: MockConfig) -> Shared {
        let mut inner = Inner {
            config: config.clone(),
            faults: VecDeque::new(),
            records: Vec::new(),
            next_seq: 1,
            keys: HashMap::new(),
            codes: HashMap::new(),
            generations: HashMap::new(),
            files: HashMap::new(),
        };
        inner.keys.insert(DEMO_KEY.into(), demo_key());
        for spec in &config.keys {
            inner.keys.insert(spec.key.clone(), key_state(spec));
        }
        Shared {
            inner: Mutex::new(inner),
            start_config: config,
        }
    }

    /// A poisoned lock only means a panic elsewhere; the data is still usable for a mock.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn config(&self) -> MockConfig {
        self.lock().config.clone()
    }

    /// Replaces the configuration. Keys that are new or whose spec changed are (re)installed
    /// with their spec values; unchanged keys keep their usage, so changing e.g. `delay_ms`
    /// mid-test does not refund anything.
    pub fn set_config(&self, config: MockConfig) {
        let mut inner = self.lock();
        for spec in &config.keys {
            if !inner.config.keys.contains(spec) {
                inner.keys.insert(spec.key.clone(), key_state(spec));
            }
        }
        inner.config = config;
    }

    pub fn reset(&self) {
        let fresh = Shared::new(self.start_config.clone());
        let fresh = fresh.inner.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut inner = self.lock();
        // Keep numbering monotonic so late updates from in-flight requests never hit new records.
        let next_seq = inner.next_seq;
        *inner = fresh;
        inner.next_seq = next_seq;
    }

    pub fn push_fault(&self, fault: Fault) {
        self.lock().faults.push_back(fault);
    }

    pub fn take_fault(&self) -> Option<Fault> {
        self.lock().faults.pop_front()
    }

    pub fn update_record(&self, seq: u64, f: impl FnOnce(&mut RecordedRequest)) {
        let mut inner = self.lock();
        if let Some(r) = inner.records.iter_mut().rev().find(|r| r.seq == seq) {
            f(r);
        }
    }
}
