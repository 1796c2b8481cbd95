//! The header's compact key and Settings buttons, and which of their panels
//! is open. The panels themselves stay in the controls column.

use leptos::prelude::*;

use crate::state::{KeyBadge, KeyStore};

/// Which of the header's panels are open.
#[derive(Clone, Copy)]
pub struct Panels {
    pub key: RwSignal<bool>,
    pub settings: RwSignal<bool>,
}

impl Panels {
    /// The key panel starts open only when there is no key yet.
    pub fn provide() {
        let key_set = KeyStore::expect().current_untracked().is_some();
        provide_context(Panels {
            key: RwSignal::new(!key_set),
            settings: RwSignal::new(false),
        });
    }

    pub fn expect() -> Self {
        expect_context()
    }
}

/// The header's buttons are static in `index.html` (drawn with the first
/// paint, disabled until now): this gives them their words and their clicks.
/// Plain DOM calls rather than a second mounted view keep the part small.
fn wire_header() {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    let key = KeyStore::expect();
    let panels = Panels::expect();
    let button = |id| document().get_element_by_id(id);
    let (Some(key_button), Some(settings_button)) =
        (button("key-button"), button("settings-button"))
    else {
        return;
    };
    // A remembered key: ask OpenRouter about it, so the header can say what is left.
    if key.current_untracked().is_some() && key.badge_untracked() == KeyBadge::NotChecked {
        key.check("");
    }
    for (button, open) in [
        (&key_button, panels.key),
        (&settings_button, panels.settings),
    ] {
        let _ = button.remove_attribute("disabled");
        let toggle = Closure::<dyn Fn()>::new(move || open.update(|open| *open = !*open));
        let _ = button.add_event_listener_with_callback("click", toggle.as_ref().unchecked_ref());
        // The buttons live as long as the page.
        toggle.forget();
        let button = button.clone();
        Effect::new(move || {
            let _ =
                button.set_attribute("aria-expanded", if open.get() { "true" } else { "false" });
        });
    }
    Effect::new(move || {
        let badge = key.badge();
        key_button.set_text_content(Some(&badge.text(key.is_set())));
        let _ = key_button.class_list().toggle_with_force(
            "topbar__button--attention",
            !key.is_set() || badge == KeyBadge::Invalid,
        );
    });
}

/// Moves focus into a panel once it opens, which also scrolls it into view.
pub(super) fn focus_when_opened(open: RwSignal<bool>, field: NodeRef<leptos::html::Input>) {
    Effect::new(move |was_open: Option<bool>| {
        let now = open.get();
        if now
            && was_open == Some(false)
            && let Some(field) = field.get_untracked()
        {
            let _ = field.focus();
        }
        now
    });
}

crate::lazy_part! {
    /// Wires the header's buttons, in the `later` part with the panels they
    /// open; listens for `?` (the keyboard shortcuts) and share links.
    part later;
    pub fn header_tools_view() -> AnyView {
        wire_header();
        crate::state::open_share_links();
        view! { <super::shortcuts::ShortcutsDialog /> }.into_any()
    }
}
