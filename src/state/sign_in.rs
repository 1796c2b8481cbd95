//! The browser side of "Sign in with OpenRouter": a random verifier, its
//! SHA-256 challenge, the trip to OpenRouter's consent page, and on return the
//! exchange of the code for a key. The pure rules are in `api::oauth`.

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use super::{Alerts, KeyStore};
use crate::api::client::exchange_code;
use crate::api::oauth::{
    PENDING_KEY, PendingSignIn, base64url, code_from_query, query_without_code, sign_in_failure,
    sign_in_url,
};

/// Leaves for OpenRouter's consent page; the verifier waits in sessionStorage.
pub fn start(api_base: &str, alerts: Alerts) {
    let api_base = api_base.to_owned();
    leptos::task::spawn_local(async move {
        if let Err(problem) = redirect(&api_base).await {
            alerts.show(crate::i18n::later().panels_sign_in_not_started(&problem));
        }
    });
}

async fn redirect(api_base: &str) -> Result<(), String> {
    let t = crate::i18n::later();
    let window = web_sys::window().ok_or(t.panels_sign_in_no_window)?;
    let crypto = window.crypto().map_err(|_| t.panels_sign_in_no_crypto)?;
    let mut random = [0u8; 32];
    crypto
        .get_random_values_with_u8_array(&mut random)
        .map_err(|_| t.panels_sign_in_no_random)?;
    let verifier = base64url(&random);
    // SubtleCrypto exists only on https:// and localhost pages.
    let digest = crypto
        .subtle()
        .digest_with_str_and_u8_array("SHA-256", verifier.as_bytes())
        .map_err(|_| t.panels_sign_in_no_sha)?;
    let digest = JsFuture::from(digest)
        .await
        .map_err(|_| t.panels_sign_in_no_sha)?;
    let challenge = base64url(&js_sys::Uint8Array::new(&digest).to_vec());
    let pending = PendingSignIn {
        verifier,
        api_base: api_base.to_owned(),
    };
    window
        .session_storage()
        .ok()
        .flatten()
        .and_then(|s| s.set_item(PENDING_KEY, &pending.to_json()).ok())
        .ok_or(t.panels_sign_in_no_session)?;
    let location = window.location();
    let here = format!(
        "{}{}",
        location.origin().unwrap_or_default(),
        location.pathname().unwrap_or_default()
    );
    location
        .assign(&sign_in_url(api_base, &here, &challenge))
        .map_err(|_| t.panels_sign_in_refused.into())
}

/// Whether the page was opened with a sign-in code (`?code=`): a cheap check
/// at start-up, so the sign-in code runs only then.
pub fn returned_from_sign_in() -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|search| code_from_query(&search).is_some())
}

crate::lazy_part! {
    /// On start-up, when OpenRouter sent the user back with `?code=`: removes
    /// the code from the address bar and exchanges it for a key.
    part later;
    pub fn finish(key: KeyStore, alerts: Alerts) -> () {
        finish_now(key, alerts)
    }
}

fn finish_now(key: KeyStore, alerts: Alerts) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let search = location.search().unwrap_or_default();
    let Some(code) = code_from_query(&search) else {
        return;
    };
    // The code is single-use and must not stay in the address bar or history.
    let clean = format!(
        "{}{}{}",
        location.pathname().unwrap_or_default(),
        query_without_code(&search),
        location.hash().unwrap_or_default()
    );
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&clean));
    }
    let storage = window.session_storage().ok().flatten();
    let pending: Option<PendingSignIn> = storage
        .as_ref()
        .and_then(|s| s.get_item(PENDING_KEY).ok().flatten())
        .and_then(|raw| PendingSignIn::from_json(&raw));
    if let Some(storage) = &storage {
        let _ = storage.remove_item(PENDING_KEY);
    }
    let Some(pending) = pending else {
        // Opened with a code, but no sign-in was started in this tab.
        alerts.show(crate::i18n::later().panels_no_pending_sign_in.into());
        return;
    };
    key.set_status(crate::i18n::later().panels_signing_in.into());
    leptos::task::spawn_local(async move {
        match exchange_code(&pending.api_base, &code, &pending.verifier).await {
            Ok(new_key) => key.use_key(new_key),
            Err(error) => {
                key.set_status(String::new());
                alerts.show(sign_in_failure(&error));
            }
        }
    });
}
