//! Share links: `Copy share link` puts the form's settings into a link to the
//! app (in its `#` fragment, which no server sees); opening such a link fills
//! the form and sends nothing. The format is `generation::share`.

use leptos::prelude::*;

use super::{Alerts, Draft};
use crate::generation::SharedSettings;

/// Copies a link to this page with the form's settings; says what it did.
pub async fn copy_share_link(draft: Draft) -> String {
    let shared = match draft.shared_settings() {
        Ok(shared) => shared,
        Err(message) => return message,
    };
    let link = format!("{}{}", crate::api::client::app_url(), shared.to_fragment());
    let copied = super::clipboard::copy_share_link(&link).await;
    match shared.references_left_out {
        0 => copied,
        n => crate::i18n::later().gallery_share_link_no_references(&copied, &n),
    }
}

/// Fills the form from a share link in the page's address, now and whenever
/// one is pasted into the address bar of the open app.
pub fn open_share_links() {
    let (draft, alerts) = (Draft::expect(), Alerts::expect());
    open_share_link(draft, alerts);
    let handle = window_event_listener(leptos::ev::hashchange, move |_| {
        open_share_link(draft, alerts)
    });
    // The app lives as long as the page.
    std::mem::forget(handle);
}

fn open_share_link(draft: Draft, alerts: Alerts) {
    let location = window().location();
    let fragment = location.hash().unwrap_or_default();
    let shared = SharedSettings::from_fragment(&fragment);
    if let Err(error) = &shared {
        match error.notice() {
            Some(notice) => alerts.show(notice),
            None => return,
        }
    }
    if let Ok(shared) = shared {
        draft.apply_shared(&shared);
        if shared.references_left_out > 0 {
            alerts.show(
                crate::i18n::later()
                    .gallery_share_link_opened_no_references(&shared.references_left_out),
            );
        }
    }
    // Out of the address, so a reload keeps the form as the person leaves it.
    let path = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
}
