use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::generation::MAX_REFERENCES;
use crate::state::Draft;

/// Up to four reference images (edit or combine): from the file picker, or
/// dropped or pasted anywhere on the page. Numbered in order (image 1 …
/// image 4), which prompts refer to; each can move earlier or later.
#[component]
pub fn ReferencePicker() -> impl IntoView {
    let draft = Draft::expect();
    let input = NodeRef::<leptos::html::Input>::new();
    let on_change = move |_| {
        let Some(element) = input.get_untracked() else {
            return;
        };
        let picked = files_of(element.files(), false);
        element.set_value("");
        draft.add_files(picked);
    };
    listen_for_dropped_and_pasted_images(draft);
    let t = crate::i18n::later();
    view! {
        <div class="references">
            <label class="field">
                <span class="field__label">{t.studio_reference_images}</span>
                <input
                    node_ref=input
                    type="file"
                    accept="image/png,image/jpeg,image/webp,image/gif"
                    multiple
                    aria-describedby="references-hint"
                    on:change=on_change
                />
            </label>
            <p id="references-hint" class="field__hint">
                {move || t.studio_references_hint(&MAX_REFERENCES, &draft.reference_count())}
            </p>
            <ol class="references__list">
                {move || {
                    let list = draft.references();
                    let last = list.len();
                    list.into_iter()
                        .enumerate()
                        .map(|(i, r)| {
                            let (id, n) = (r.id, i + 1);
                            view! {
                                <li class="references__item">
                                    <img src=r.preview_url alt=t.studio_reference_alt(&n, &r.record.name) />
                                    <span class="references__number">{t.studio_reference_number(&n)}</span>
                                    <span class="references__tools">
                                        <button
                                            type="button"
                                            aria-label=t.studio_reference_earlier(&n)
                                            disabled=n == 1
                                            on:click=move |_| draft.move_reference(id, true)
                                        >
                                            "\u{2190}"
                                        </button>
                                        <button
                                            type="button"
                                            aria-label=t.studio_reference_later(&n)
                                            disabled=n == last
                                            on:click=move |_| draft.move_reference(id, false)
                                        >
                                            "\u{2192}"
                                        </button>
                                        <button
                                            type="button"
                                            aria-label=t.studio_reference_remove(&n)
                                            on:click=move |_| draft.remove_reference(id)
                                        >
                                            "\u{d7}"
                                        </button>
                                    </span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ol>
        </div>
    }
}

/// The files of a file list; `images_only` skips anything that is not an image.
fn files_of(list: Option<web_sys::FileList>, images_only: bool) -> Vec<web_sys::File> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.get(i))
        .filter(|f| !images_only || f.type_().starts_with("image/"))
        .collect()
}

/// Files dropped anywhere on the page become references (a dropped non-image
/// is refused with a message); images pasted anywhere but into a text field
/// other than the prompt do too. Text pastes are left alone.
fn listen_for_dropped_and_pasted_images(draft: Draft) {
    let carries_files = |e: &web_sys::DragEvent| {
        e.data_transfer()
            .is_some_and(|d| d.types().includes(&"Files".into(), 0))
    };
    let _ = window_event_listener(leptos::ev::dragover, move |e| {
        if carries_files(&e) {
            e.prevent_default();
        }
    });
    let _ = window_event_listener(leptos::ev::drop, move |e| {
        if carries_files(&e) {
            e.prevent_default();
            draft.add_dropped(files_of(e.data_transfer().and_then(|d| d.files()), false));
        }
    });
    let _ = window_event_listener(leptos::ev::paste, move |e| {
        let other_field = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| {
                matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA")
                    && el.get_attribute("name").as_deref() != Some("prompt")
            });
        let images = files_of(e.clipboard_data().and_then(|d| d.files()), true);
        if other_field || images.is_empty() {
            return;
        }
        e.prevent_default();
        draft.add_files(images);
    });
}
