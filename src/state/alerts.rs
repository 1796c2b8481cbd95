//! The single alert region's messages.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::api::error::redact;

/// One message for the alert region.
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    pub message: String,
    pub details: Option<String>,
    /// A page for the next step: (link text, address).
    pub link: Option<(&'static str, String)>,
}

#[derive(Clone, Copy)]
pub struct Alerts(RwSignal<Option<Alert>>);

impl Alerts {
    pub(super) fn new() -> Self {
        Alerts(RwSignal::new(None))
    }

    pub fn expect() -> Self {
        super::Services::expect().alerts
    }

    /// The alert on screen (tracked).
    pub fn current(&self) -> Option<Alert> {
        self.0.get()
    }

    pub fn is_showing(&self) -> bool {
        self.0.with(Option::is_some)
    }

    pub fn show(&self, message: String) {
        self.0.set(Some(Alert {
            message,
            details: None,
            link: None,
        }));
    }

    /// An API failure in plain words, with its details and a link to the fix.
    /// Both texts quote what the server said, and a server may repeat the key.
    pub fn show_error(&self, error: &ApiError, key: &str) {
        self.0.set(Some(Alert {
            message: redact(&error.user_message(), key),
            details: Some(redact(&error.details(), key)),
            link: error.help_link(),
        }));
    }

    pub fn clear(&self) {
        self.0.set(None);
    }
}
