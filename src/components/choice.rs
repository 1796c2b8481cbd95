//! A labelled select that mirrors one setting. Every view closure costs wasm
//! bytes, so the selects with fixed choices share this one function.

use leptos::prelude::*;

use crate::state::{Alerts, Settings, SettingsStore};

/// `choices` are `(value, text)`; `read` gives the setting's value, `write`
/// stores a chosen one (plain functions: one copy of the code for every select).
pub fn setting_select(
    label: &'static str,
    name: &'static str,
    described_by: Option<&'static str>,
    choices: Vec<(String, String)>,
    read: fn(&Settings) -> String,
    write: fn(&mut Settings, &str),
) -> AnyView {
    let settings = SettingsStore::expect();
    let alerts = Alerts::expect();
    view! {
        <label class="field">
            <span class="field__label">{label}</span>
            // prop:value, and `selected` on the options: the options do not
            // exist yet when the select's value is first set, and once the
            // user has picked one the browser ignores `selected` changes.
            <select
                name=name
                aria-describedby=described_by
                prop:value=move || settings.with(read)
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    if let Err(message) = settings.update(|s| write(s, &value)) {
                        alerts.show(message);
                    }
                }
            >
                {choices
                    .into_iter()
                    .map(|(value, text)| {
                        let mine = value.clone();
                        view! {
                            <option value=value selected=move || settings.with(read) == mine>
                                {text}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
    .into_any()
}
