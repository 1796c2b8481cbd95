use leptos::prelude::*;

use super::header::{Panels, focus_when_opened};
use super::shortcuts::show_shortcuts;
use crate::generation::MAX_PARALLEL;
use crate::i18n::Lang;
use crate::state::{
    ConnectionProblem, SettingsStore, Studio, TIMEOUT_RANGE, ask_to_notify, browser_language,
    choose_language, chosen_language,
};

/// Connection settings, folded away by default.
#[component]
fn SettingsPanel() -> impl IntoView {
    let t = crate::i18n::later();
    let saved_text = crate::i18n::later().panels_saved;
    let settings = SettingsStore::expect();
    let initial = settings.get();
    let (draft, set_draft) = signal(initial.api_base);
    let (timeout_draft, set_timeout_draft) = signal(initial.timeout_seconds.to_string());
    let (idle_draft, set_idle_draft) = signal(initial.idle_timeout_seconds.to_string());
    let (message, set_message) = signal(String::new());
    let (invalid, set_invalid) = signal(false);

    let save = move || {
        let saved = settings.set_connection(
            &draft.get_untracked(),
            &timeout_draft.get_untracked(),
            &idle_draft.get_untracked(),
        );
        set_invalid.set(matches!(saved, Err(ConnectionProblem::Invalid(_))));
        match saved {
            Ok(base) => {
                set_draft.set(base);
                set_message.set(saved_text.into());
            }
            Err(ConnectionProblem::Invalid(problem) | ConnectionProblem::NotSaved(problem)) => {
                set_message.set(problem)
            }
        }
    };

    let (usage, set_usage) = signal(String::new());
    let panels = Panels::expect();
    let field = NodeRef::<leptos::html::Input>::new();
    focus_when_opened(panels.settings, field);
    // Measured when the panel opens, so the figure is current.
    Effect::new(move || {
        if panels.settings.get() {
            leptos::task::spawn_local(async move {
                set_usage.set(crate::state::storage_use().await);
            });
        }
    });

    view! {
        <section
            id="settings-panel"
            class="settings"
            aria-labelledby="settings-heading"
            hidden=move || !panels.settings.get()
        >
            <h2 id="settings-heading" class="settings__title">{t.panels_settings}</h2>
            // novalidate: the app's own messages are clearer than the browser's bubbles.
            <form
                class="settings__body"
                novalidate
                on:submit=move |ev| {
                    ev.prevent_default();
                    save();
                }
            >
                <label class="field">
                    <span class="field__label">{t.panels_api_base_url}</span>
                    <input
                        node_ref=field
                        type="url"
                        name="api-base"
                        spellcheck="false"
                        aria-invalid=move || invalid.get().to_string()
                        aria-describedby="api-base-message"
                        prop:value=move || draft.get()
                        on:input=move |ev| set_draft.set(event_target_value(&ev))
                    />
                </label>
                <label class="field">
                    <span class="field__label">{t.panels_request_timeout}</span>
                    <input
                        type="number"
                        name="timeout"
                        min=TIMEOUT_RANGE.start().to_string()
                        max=TIMEOUT_RANGE.end().to_string()
                        step="1"
                        inputmode="numeric"
                        prop:value=move || timeout_draft.get()
                        on:input=move |ev| set_timeout_draft.set(event_target_value(&ev))
                    />
                </label>
                <label class="field">
                    <span class="field__label">{t.panels_idle_timeout}</span>
                    <input
                        type="number"
                        name="idle-timeout"
                        min=TIMEOUT_RANGE.start().to_string()
                        max=TIMEOUT_RANGE.end().to_string()
                        step="1"
                        inputmode="numeric"
                        aria-describedby="idle-hint"
                        prop:value=move || idle_draft.get()
                        on:input=move |ev| set_idle_draft.set(event_target_value(&ev))
                    />
                </label>
                <p id="idle-hint" class="field__hint">
                    {t.panels_idle_hint}
                </p>
                <label class="check">
                    <input
                        type="checkbox"
                        name="stream"
                        prop:checked=move || settings.with(|s| s.stream)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            let saved = settings.update(|s| s.stream = on);
                            set_message.set(saved.map_or_else(|e| e, |()| saved_text.into()));
                        }
                    />
                    {t.panels_stream}
                </label>
                <label class="field">
                    <span class="field__label">{t.panels_transport}</span>
                    <select
                        name="transport"
                        aria-describedby="transport-hint"
                        on:change=move |ev| {
                            let images = event_target_value(&ev) == "images";
                            let saved = settings.update(|s| s.images_api = images);
                            set_message.set(saved.map_or_else(|e| e, |()| saved_text.into()));
                        }
                    >
                        <option value="chat" selected=move || settings.with(|s| !s.images_api)>
                            {t.panels_chat_completions}
                        </option>
                        <option value="images" selected=move || settings.with(|s| s.images_api)>
                            {t.panels_images_api}
                        </option>
                    </select>
                </label>
                <p id="transport-hint" class="field__hint">
                    {t.panels_transport_hint}
                </p>
                <label class="field">
                    <span class="field__label">{t.panels_parallel_requests}</span>
                    <input
                        type="number"
                        name="parallel-requests"
                        min="1"
                        max=MAX_PARALLEL
                        step="1"
                        inputmode="numeric"
                        aria-describedby="parallel-hint"
                        prop:value=move || settings.with(|s| s.parallel_requests).to_string()
                        on:change=move |ev| {
                            let saved = match event_target_value(&ev).trim().parse::<u32>() {
                                Ok(n) if (1..=MAX_PARALLEL).contains(&n) => {
                                    settings.update(|s| s.parallel_requests = n).map(|()| saved_text.to_owned())
                                }
                                _ => Ok(t.panels_parallel_invalid(&MAX_PARALLEL)),
                            };
                            set_message.set(saved.unwrap_or_else(|e| e));
                        }
                    />
                </label>
                <p id="parallel-hint" class="field__hint">
                    {t.panels_parallel_hint}
                </p>
                <label class="field">
                    <span class="field__label">{t.panels_spending_limit}</span>
                    <input
                        type="text"
                        name="spending-limit"
                        inputmode="decimal"
                        placeholder=t.panels_no_limit
                        aria-describedby="limit-hint"
                        prop:value=move || {
                            let mut text = String::new();
                            if let Some(usd) = settings.with(|s| s.spending_limit_usd) {
                                crate::json::write_number(&mut text, usd);
                            }
                            text
                        }
                        on:change=move |ev| set_message.set(settings.set_spending_limit(&event_target_value(&ev)))
                    />
                </label>
                <p id="limit-hint" class="field__hint">
                    {t.panels_limit_hint}
                </p>
                <label class="check">
                    <input
                        type="checkbox"
                        name="notify-when-done"
                        prop:checked=move || settings.with(|s| s.notify_when_done)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            leptos::task::spawn_local(async move {
                                // The browser asks once, only now that it was ticked.
                                let allowed = !on || ask_to_notify().await;
                                let saved = settings.update(|s| s.notify_when_done = on && allowed);
                                set_message.set(match saved {
                                    Err(e) => e,
                                    Ok(()) if allowed => saved_text.into(),
                                    Ok(()) => t.panels_notify_blocked.into(),
                                });
                            });
                        }
                    />
                    {t.panels_notify_when_done}
                </label>
                <LanguageChoice set_message />
                <div class="settings__actions">
                    <button type="submit">{t.panels_save_settings}</button>
                    <button
                        type="button"
                        class="button--quiet"
                        on:click=move |_| {
                            set_draft.set(crate::state::default_api_base().to_owned());
                            save();
                        }
                    >
                        {t.panels_reset_default}
                    </button>
                    <button type="button" class="button--quiet" aria-keyshortcuts="?" on:click=|_| show_shortcuts()>
                        {t.panels_keyboard_shortcuts}
                    </button>
                </div>
                <p class="settings__usage">{move || usage.get()}</p>
                <p id="api-base-message" class="settings__message" class:settings__message--error=move || invalid.get()>
                    {move || message.get()}
                </p>
            </form>
        </section>
    }
}

crate::lazy_part! {
    /// Settings, in the `later` part.
    part later;
    pub fn settings_view() -> AnyView {
        view! { <SettingsPanel /> }.into_any()
    }
}

/// `Language`: as the browser, or one of the languages. Each language is its
/// own build of the app, so a change opens that build's page at once; while
/// images are being made it waits for the next start (leaving now would
/// lose them).
#[component]
fn LanguageChoice(set_message: WriteSignal<String>) -> impl IntoView {
    let t = crate::i18n::later();
    let chosen = chosen_language();
    let on_change = move |ev: leptos::ev::Event| {
        let choice = Lang::from_code(&event_target_value(&ev));
        set_message.set(match choose_language(choice) {
            Err(problem) => problem,
            Ok(wanted) if wanted == crate::i18n::LANG => t.panels_saved.into(),
            Ok(wanted) if Studio::expect().is_running_untracked() => {
                t.settings_language_next_start(&wanted.name())
            }
            Ok(wanted) => {
                if let Some(window) = web_sys::window() {
                    let _ = window.location().assign(&wanted.path_from_here());
                }
                String::new()
            }
        });
    };
    view! {
        <label class="field">
            <span class="field__label">{t.settings_language}</span>
            <select name="language" on:change=on_change>
                <option value="" selected=chosen.is_none()>
                    {t.settings_language_automatic(&browser_language().name())}
                </option>
                {Lang::ALL
                    .map(|lang| {
                        view! {
                            <option value=lang.code() lang=lang.code() selected=chosen == Some(lang)>
                                {lang.name()}
                            </option>
                        }
                    })
                    .to_vec()}
            </select>
        </label>
    }
}
