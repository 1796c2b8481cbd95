//! The single alert region's messages.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::api::client::explain;

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

    /// An API failure in plain words, with its details and a link to the fix
    /// (the key cut out of both).
    pub fn show_error(&self, error: &ApiError, key: &str) {
        let (alerts, error, key) = (*self, error.clone(), key.to_owned());
        leptos::task::spawn_local(async move {
            alerts.0.set(Some(match explain(error, key).await {
                Ok(explained) => Alert {
                    message: explained.message,
                    details: Some(explained.details),
                    link: explained.link,
                },
                Err(unavailable) => Alert {
                    message: unavailable.to_string(),
                    details: None,
                    link: None,
                },
            }));
        });
    }

    pub fn clear(&self) {
        self.0.set(None);
    }
}
