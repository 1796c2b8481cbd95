use leptos::prelude::*;

use crate::api::image::verify_image;
use crate::generation::{MAX_REFERENCES, data_url};
use crate::state::{Alerts, Draft, Reference, blob_bytes};

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
                    Ok(bytes) => add_reference(draft, &name, bytes, &file),
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
                                <img src=r.preview_url.clone() alt=format!("Reference: {}", r.name) />
                                <button
                                    type="button"
                                    aria-label=format!("Remove reference {}", r.name)
                                    on:click=move |_| remove_reference(draft, id)
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

/// Adds a verified image as a reference; the message says why not otherwise.
pub fn add_reference(
    draft: Draft,
    name: &str,
    bytes: Vec<u8>,
    blob: &web_sys::Blob,
) -> Result<(), String> {
    if draft.references.with_untracked(Vec::len) >= MAX_REFERENCES {
        return Err(format!(
            "FLUX.2 [klein] takes at most {MAX_REFERENCES} reference images; remove one before adding \u{201c}{name}\u{201d}."
        ));
    }
    let image = verify_image(bytes).map_err(|e| {
        format!("\u{201c}{name}\u{201d} cannot be used as a reference: {e}. Use a PNG, JPEG, WebP or GIF image.")
    })?;
    let preview_url = web_sys::Url::create_object_url_with_blob(blob).unwrap_or_default();
    draft.references.update(|list| {
        let id = list.iter().map(|r| r.id).max().map_or(0, |m| m + 1);
        list.push(Reference {
            id,
            name: name.to_owned(),
            data_url: data_url(&image),
            preview_url,
        });
    });
    Ok(())
}

fn remove_reference(draft: Draft, id: u32) {
    draft.references.update(|list| {
        if let Some(at) = list.iter().position(|r| r.id == id) {
            let removed = list.remove(at);
            let _ = web_sys::Url::revoke_object_url(&removed.preview_url);
        }
    });
}
