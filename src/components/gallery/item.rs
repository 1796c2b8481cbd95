//! One History thumbnail with its actions.

use leptos::prelude::*;

use super::actions::EntryActions;
use super::compare::MAX_COMPARED;
use crate::state::{HistoryStore, ShownEntry};

/// One thumbnail with its actions.
#[component]
pub fn GalleryItem(
    /// The history entry to show.
    shown: ShownEntry,
    /// Opens the entry (by id) in the lightbox.
    open: Callback<String>,
    /// The ids picked for Compare.
    picked: RwSignal<Vec<String>>,
    /// The gallery's status line, for "Image copied." and the like.
    report: WriteSignal<String>,
) -> impl IntoView {
    let history = HistoryStore::expect();
    let t = crate::i18n::later();
    let entry = shown.entry;
    let thumb = super::image_url(entry.id.clone(), true);

    // Delete on a focused image (or one of its buttons) deletes it; focus
    // moves to the image beside it, so the keyboard keeps its place.
    let delete_id = entry.id.clone();
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        let plain = !(ev.ctrl_key() || ev.meta_key() || ev.alt_key() || ev.shift_key());
        if plain && matches!(ev.key().as_str(), "Delete" | "Backspace") {
            ev.prevent_default();
            focus_neighbour(&ev);
            history.delete(&delete_id);
        }
    };
    let pick = (!shown.image_missing).then(|| {
        let id = entry.id.clone();
        let is_picked = {
            let id = id.clone();
            move || picked.with(|p| p.contains(&id))
        };
        let full = move || picked.with(Vec::len) >= MAX_COMPARED;
        view! {
            <label class="gallery__pick" title=t.gallery_select_for_compare>
                <input
                    type="checkbox"
                    prop:checked=is_picked.clone()
                    disabled=move || full() && !is_picked()
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        picked.update(|p| {
                            p.retain(|other| *other != id);
                            if on {
                                p.push(id.clone());
                            }
                        });
                    }
                />
                <span class="visually-hidden">{t.gallery_select_for_compare}</span>
            </label>
        }
    });

    view! {
        <li class="gallery__item" on:keydown=on_keydown>
            {pick}
            {if shown.image_missing {
                leptos::either::Either::Left(
                    view! { <div class="gallery__missing" role="img" aria-label=entry.prompt.clone()>{t.gallery_image_missing}</div> },
                )
            } else {
                let open_id = entry.id.clone();
                leptos::either::Either::Right(
                    view! {
                        <button
                            type="button"
                            class="gallery__open"
                            data-history-id=entry.id.clone()
                            on:click=move |_| open.run(open_id.clone())
                        >
                            <img
                                class="gallery__thumb"
                                alt=entry.prompt.clone()
                                src=move || thumb.get()
                                loading="lazy"
                                width=entry.width
                                height=entry.height
                            />
                        </button>
                    },
                )
            }}
            <EntryActions entry=entry.clone() image_missing=shown.image_missing report />
        </li>
    }
}

/// Focuses the first control of the item after the one `ev` happened in (or
/// the one before, for the last).
fn focus_neighbour(ev: &web_sys::KeyboardEvent) {
    use wasm_bindgen::JsCast;
    let Some(item) = ev
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return;
    };
    let neighbour = item
        .next_element_sibling()
        .or_else(|| item.previous_element_sibling());
    if let Some(control) = neighbour
        .and_then(|n| n.query_selector("button").ok().flatten())
        .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = control.focus();
    }
}
