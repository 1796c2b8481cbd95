//! Helpers around the prompt that the first Generate does not need: the
//! character count, `Clear prompt`, and ↑/↓ through recent prompts. They
//! load with the `later` part and sit over the prompt's label line, so
//! their arrival moves nothing.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::KeyboardEvent;

use crate::state::{Draft, HistoryStore, MAX_PROMPT_CHARS};

/// How far ↑ in the prompt goes back, and how many prompts the `Recent
/// prompts` list offers.
pub(super) const RECENT_PROMPTS: usize = 20;

fn prompt_field() -> Option<web_sys::HtmlTextAreaElement> {
    document()
        .query_selector("textarea[name=prompt]")
        .ok()
        .flatten()?
        .dyn_into()
        .ok()
}

#[component]
fn PromptTools() -> impl IntoView {
    let history = HistoryStore::expect();
    let prompt = Draft::expect().prompt();
    // ↑ in an empty prompt brings back the latest prompt, ↑ again older ones
    // (while the recalled text is unchanged), ↓ newer ones and then nothing.
    let recalled = StoredValue::new(None::<usize>);
    let recall = move |step: isize| -> bool {
        let current = prompt.get_untracked();
        let recent = history.recent_prompts(RECENT_PROMPTS);
        let at = match recalled.get_value() {
            Some(i) if recent.get(i) == Some(&current) => i as isize + step,
            _ if current.is_empty() && step > 0 => 0,
            _ => return false,
        };
        if at < 0 {
            recalled.set_value(None);
            prompt.set(String::new());
        } else if let Some(text) = recent.get(at as usize) {
            recalled.set_value(Some(at as usize));
            prompt.set(text.clone());
        }
        true
    };
    if let Some(field) = prompt_field() {
        let on_keydown = Closure::<dyn Fn(KeyboardEvent)>::new(move |ev: KeyboardEvent| {
            let plain = !(ev.ctrl_key() || ev.meta_key() || ev.alt_key() || ev.shift_key());
            let step = match ev.key().as_str() {
                "ArrowUp" => 1,
                "ArrowDown" => -1,
                _ => return,
            };
            if plain && recall(step) {
                ev.prevent_default();
            }
        });
        let _ =
            field.add_event_listener_with_callback("keydown", on_keydown.as_ref().unchecked_ref());
        // The prompt field lives as long as the page.
        on_keydown.forget();
    }
    let clear = move |_| {
        recalled.set_value(None);
        prompt.set(String::new());
        if let Some(field) = prompt_field() {
            let _ = field.focus();
        }
    };
    let t = crate::i18n::later();
    view! {
        <span class="prompt-tools__count">
            {move || format!("{}/{MAX_PROMPT_CHARS}", prompt.with(|p| p.chars().count()))}
        </span>
        <button
            type="button"
            class="button--small button--quiet"
            on:click=clear
            disabled=move || prompt.with(String::is_empty)
        >
            {t.studio_clear_prompt}
        </button>
    }
}

crate::lazy_part! {
    /// The prompt's helpers, in the `later` part.
    part later;
    pub fn prompt_tools_view() -> AnyView {
        view! { <PromptTools /> }.into_any()
    }
}
