use leptos::prelude::*;

use crate::generation::MAX_REFERENCES;
use crate::state::Draft;

/// Pick up to four reference images (edit or combine), shown as small previews.
#[component]
pub fn ReferencePicker() -> impl IntoView {
    let draft = Draft::expect();
    let input = NodeRef::<leptos::html::Input>::new();
    let on_change = move |_| {
        let Some(element) = input.get_untracked() else {
            return;
        };
        let Some(files) = element.files() else { return };
        let picked: Vec<web_sys::File> = (0..files.length()).filter_map(|i| files.get(i)).collect();
        element.set_value("");
        draft.add_files(picked);
    };
    view! {
        <div class="references">
            <label class="field">
                <span class="field__label">"Reference images"</span>
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
                {move || {
                    format!(
                        "Optional: up to {MAX_REFERENCES} images to edit or combine ({} chosen).",
                        draft.reference_count(),
                    )
                }}
            </p>
            <ul class="references__list">
                <For
                    each=move || draft.references()
                    key=|r| r.id
                    children=move |r| {
                        let id = r.id;
                        view! {
                            <li class="references__item">
                                <img src=r.preview_url.clone() alt=format!("Reference: {}", r.record.name) />
                                <button
                                    type="button"
                                    aria-label=format!("Remove reference {}", r.record.name)
                                    on:click=move |_| draft.remove_reference(id)
                                >
                                    "Remove"
                                </button>
                            </li>
                        }
                    }
                />
            </ul>
        </div>
    }
}
