use leptos::prelude::*;

use crate::state::{Alerts, KeyStore, SettingsStore};
use crate::storage;

/// Paste, remember and forget the OpenRouter API key.
#[component]
pub fn KeyPanel() -> impl IntoView {
    let key = KeyStore::expect();
    let settings = SettingsStore::expect();
    let alerts = Alerts::expect();
    let (draft, set_draft) = signal(String::new());
    let status = key.status();

    let save = move || {
        let value = draft.get_untracked().trim().to_owned();
        if value.is_empty() {
            status.set("Paste a key first.".into());
            return;
        }
        set_draft.set(String::new());
        key.use_key(value, settings, alerts);
    };
    let on_remember = move |ev| {
        let checked = event_target_checked(&ev);
        let saved = settings.update(|s| s.remember_key = checked);
        if let Err(message) = saved {
            alerts.show(message);
        }
        match (checked, key.0.get_untracked()) {
            (true, Some(current)) => {
                if let Err(e) = storage::save_api_key(&current) {
                    alerts.show(format!("The key could not be remembered: {e}."));
                }
            }
            (false, _) => storage::forget_api_key(),
            _ => {}
        }
    };
    let forget = move |_| {
        key.0.set(None);
        storage::forget_api_key();
        set_draft.set(String::new());
        status.set("Key forgotten.".into());
    };

    view! {
        <section class="key-panel" aria-labelledby="key-heading">
            <h2 id="key-heading" class="visually-hidden">"API key"</h2>
            // A form, so Enter in the key field saves it.
            <form
                class="key-panel__row"
                on:submit=move |ev| {
                    ev.prevent_default();
                    save();
                }
            >
                <label class="field">
                    <span class="field__label">"OpenRouter API key"</span>
                    <input
                        type="password"
                        name="api-key"
                        autocomplete="off"
                        spellcheck="false"
                        placeholder="sk-or-v1-\u{2026}"
                        prop:value=move || draft.get()
                        on:input=move |ev| set_draft.set(event_target_value(&ev))
                    />
                </label>
                <button type="submit">"Save key"</button>
            </form>
            <div class="key-panel__row">
                <label class="check">
                    <input
                        type="checkbox"
                        prop:checked=move || settings.0.with(|s| s.remember_key)
                        on:change=on_remember
                    />
                    "Remember on this device"
                </label>
                <button type="button" class="button--quiet" on:click=forget disabled=move || key.0.with(Option::is_none)>
                    "Forget key"
                </button>
                <button
                    type="button"
                    on:click=move |_| {
                        crate::state::sign_in::start(&settings.0.with_untracked(|s| s.api_base.clone()), alerts)
                    }
                >
                    "Sign in with OpenRouter"
                </button>
            </div>
            <p class="key-panel__status" aria-live="polite">
                {move || match key.0.get() {
                    Some(k) => format!("{} Using {}.", status.get(), masked(&k)).trim().to_owned(),
                    None if status.get().is_empty() => "No key yet: paste your OpenRouter key above.".to_owned(),
                    None => status.get(),
                }}
            </p>
        </section>
    }
}

/// `sk-or-v1-…abcd`: enough to recognise the key, never enough to use it.
fn masked(key: &str) -> String {
    // Keys are ASCII; anything else is shown only by its length.
    if !key.is_ascii() || key.len() <= 13 {
        return format!("a {}-character key", key.chars().count());
    }
    format!("{}\u{2026}{}", &key[..9], &key[key.len() - 4..])
}
