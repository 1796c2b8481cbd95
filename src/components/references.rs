use leptos::prelude::*;

use crate::generation::MAX_REFERENCES;
use crate::state::{Alerts, Draft, blob_bytes};

/// Pick up to four reference images (edit or combine), shown as small previews.
#[component]
pub fn ReferencePicker() -> impl IntoView {
    let draft = Draft::expect();
    let alerts = Alerts::expect();
    let input = NodeRef::<leptos::html::Input>::new();
    let on_change = move |_| {
        let Some(element) = input.get_untracked() else {
            return;
        };
        let Some(files) = element.files() else { return };
        let picked: Vec<web_sys::File> = (0..files.length()).filter_map(|i| files.get(i)).collect();
        element.set_value("");
        leptos::task::spawn_local(async move {
            for file in picked {
                let name = file.name();
                let added = match blob_bytes(&file).await {
                    Ok(bytes) => draft.add_reference(&name, bytes, &file),
                    Err(_) => Err(format!("\u{201c}{name}\u{201d} could not be read.")),
                };
                if let Err(message) = added {
                    alerts.show(message);
                    break;
                }
            }
        });
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
                        draft.references.with(Vec::len),
                    )
                }}
            </p>
            <ul class="references__list">
                <For
                    each=move || draft.references.get()
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
