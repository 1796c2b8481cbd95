use leptos::prelude::*;

use super::header::{Panels, focus_when_opened};
use crate::state::{Alerts, KeyBadge, KeyStore, SettingsStore};

/// Paste, remember and forget the OpenRouter API key.
#[component]
fn KeyPanel() -> impl IntoView {
    let t = crate::i18n::later();
    let key = KeyStore::expect();
    let settings = SettingsStore::expect();
    let alerts = Alerts::expect();
    let (draft, set_draft) = signal(String::new());
    let (hint, set_hint) = signal(None::<&'static str>);
    let panels = Panels::expect();
    let field = NodeRef::<leptos::html::Input>::new();
    focus_when_opened(panels.key, field);
    // Once OpenRouter confirms a new key, the panel folds away: the header
    // says "Key ✓" from then on.
    Effect::new(move |before: Option<KeyBadge>| {
        let now = key.badge();
        if before == Some(KeyBadge::Checking) && matches!(now, KeyBadge::Works(_)) {
            panels.key.set(false);
        }
        now
    });

    let save = move || {
        let value = draft.get_untracked().trim().to_owned();
        if value.is_empty() {
            set_hint.set(Some(t.panels_paste_key_first));
            return;
        }
        set_hint.set(None);
        set_draft.set(String::new());
        key.use_key(value);
    };
    let forget = move |_| {
        set_hint.set(None);
        set_draft.set(String::new());
        key.forget();
    };

    view! {
        <section
            id="key-panel"
            class="key-panel"
            aria-labelledby="key-heading"
            hidden=move || !panels.key.get()
        >
            <h2 id="key-heading" class="visually-hidden">{t.panels_api_key}</h2>
            // A form, so Enter in the key field saves it.
            <form
                class="key-panel__row"
                on:submit=move |ev| {
                    ev.prevent_default();
                    save();
                }
            >
                <label class="field">
                    <span class="field__label">{t.panels_openrouter_api_key}</span>
                    <input
                        node_ref=field
                        type="password"
                        name="api-key"
                        autocomplete="off"
                        spellcheck="false"
                        placeholder="sk-or-v1-\u{2026}"
                        prop:value=move || draft.get()
                        on:input=move |ev| set_draft.set(event_target_value(&ev))
                    />
                </label>
                <button type="submit">{t.panels_save_key}</button>
            </form>
            <div class="key-panel__row">
                <label class="check">
                    <input
                        type="checkbox"
                        prop:checked=move || settings.with(|s| s.remember_key)
                        on:change=move |ev| key.remember(event_target_checked(&ev))
                    />
                    {t.panels_remember_device}
                </label>
                <button type="button" class="button--quiet" on:click=forget disabled=move || !key.is_set()>
                    {t.panels_forget_key}
                </button>
                <button
                    type="button"
                    on:click=move |_| {
                        crate::state::sign_in::start(&settings.with_untracked(|s| s.api_base.clone()), alerts)
                    }
                >
                    {t.panels_sign_in_openrouter}
                </button>
            </div>
            <p class="key-panel__status" aria-live="polite">
                {move || match (hint.get(), key.current()) {
                    (Some(hint), _) => hint.to_owned(),
                    (None, Some(k)) => t.panels_key_using(&key.status(), &masked(&k)).trim().to_owned(),
                    (None, None) if key.status().is_empty() => t.panels_no_key_yet.to_owned(),
                    (None, None) => key.status(),
                }}
            </p>
        </section>
    }
}

/// `sk-or-v1-…abcd`: enough to recognise the key, never enough to use it.
fn masked(key: &str) -> String {
    // Keys are ASCII; anything else is shown only by its length.
    if !key.is_ascii() || key.len() <= 13 {
        return crate::i18n::later().panels_key_length(&key.chars().count());
    }
    format!("{}\u{2026}{}", &key[..9], &key[key.len() - 4..])
}

crate::lazy_part! {
    /// The key panel and sign-in, in the `later` part (with Settings and the
    /// options: all three show from the start, so they travel together).
    part later;
    pub fn key_panel_view() -> AnyView {
        view! { <KeyPanel /> }.into_any()
    }
}
