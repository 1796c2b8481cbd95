//! `Keyboard shortcuts`: `?` anywhere outside a text field (or the button
//! in Settings) opens the list. It loads with the `later` part; the first
//! Generate does not need it.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlDialogElement;

const DIALOG_ID: &str = "shortcuts";

fn dialog() -> Option<HtmlDialogElement> {
    document().get_element_by_id(DIALOG_ID)?.dyn_into().ok()
}

/// Opens the `Keyboard shortcuts` dialog (modal: Esc and `Close` end it).
pub fn show_shortcuts() {
    if let Some(dialog) = dialog().filter(|d| !d.open()) {
        let _ = dialog.show_modal();
    }
}

/// True while a key goes into a field (a `?` there is just text).
fn typing_into_field(ev: &web_sys::KeyboardEvent) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| {
            el.matches("input,textarea,select,[contenteditable]")
                .unwrap_or(false)
        })
}

#[component]
pub fn ShortcutsDialog() -> impl IntoView {
    let handle = window_event_listener(leptos::ev::keydown, |ev| {
        let plain = !(ev.ctrl_key() || ev.meta_key() || ev.alt_key());
        if ev.key() == "?" && plain && !ev.default_prevented() && !typing_into_field(&ev) {
            ev.prevent_default();
            show_shortcuts();
        }
    });
    on_cleanup(move || handle.remove());
    let t = crate::i18n::later();
    // Every key the app answers to, as the dialog lists it.
    let shortcuts = [
        ("?", t.panels_shortcut_help),
        (t.panels_keys_ctrl_enter, t.panels_shortcut_generate),
        ("\u{2191} / \u{2193}", t.panels_shortcut_recent),
        (t.panels_keys_ctrl_v, t.panels_shortcut_paste),
        (t.panels_keys_delete, t.panels_shortcut_delete),
        ("\u{2190} / \u{2192}", t.panels_shortcut_browse),
        ("Esc", t.panels_shortcut_escape),
        ("Tab", t.panels_shortcut_tab),
    ];
    let rows = shortcuts
        .into_iter()
        .map(|(keys, what)| view! { <dt><kbd>{keys}</kbd></dt><dd>{what}</dd> })
        .collect_view();
    view! {
        <dialog id=DIALOG_ID class="shortcuts" aria-labelledby="shortcuts-title">
            <h2 id="shortcuts-title" class="shortcuts__title">{t.panels_keyboard_shortcuts}</h2>
            <dl class="shortcuts__list">{rows}</dl>
            <button type="button" on:click=|_| dialog().map(|d| d.close()).unwrap_or_default()>
                {t.panels_close}
            </button>
        </dialog>
    }
}
