use leptos::prelude::*;

use crate::state::SettingsStore;
use crate::storage::validate_api_base;

/// Connection settings, folded away by default.
#[component]
pub fn SettingsPanel() -> impl IntoView {
    let settings = SettingsStore::expect();
    let (draft, set_draft) = signal(settings.get().api_base);
    let (message, set_message) = signal(String::new());
    let (invalid, set_invalid) = signal(false);

    let save = move || match validate_api_base(&draft.get_untracked()) {
        Ok(base) => {
            set_draft.set(base.clone());
            set_invalid.set(false);
            match settings.update(|s| s.api_base = base) {
                Ok(()) => set_message.set("Saved.".into()),
                Err(e) => set_message.set(e),
            }
        }
        Err(problem) => {
            set_invalid.set(true);
            set_message.set(format!(
                "Not saved: that API base URL is not valid. {problem}"
            ));
        }
    };

    view! {
        <details class="settings">
            <summary>"Settings"</summary>
            <form
                class="settings__body"
                on:submit=move |ev| {
                    ev.prevent_default();
                    save();
                }
            >
                <label class="field">
                    <span class="field__label">"API base URL"</span>
                    <input
                        type="url"
                        name="api-base"
                        spellcheck="false"
                        aria-invalid=move || invalid.get().to_string()
                        aria-describedby="api-base-message"
                        prop:value=move || draft.get()
                        on:input=move |ev| set_draft.set(event_target_value(&ev))
                    />
                </label>
                <div class="settings__actions">
                    <button type="submit">"Save settings"</button>
                    <button
                        type="button"
                        class="button--quiet"
                        on:click=move |_| {
                            set_draft.set(crate::state::default_api_base().to_owned());
                            save();
                        }
                    >
                        "Reset to default"
                    </button>
                </div>
                <p id="api-base-message" class="settings__message" class:settings__message--error=move || invalid.get()>
                    {move || message.get()}
                </p>
            </form>
        </details>
    }
}
