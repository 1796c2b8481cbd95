//! The actions on one saved image, as compact icon buttons: under each
//! History thumbnail and, all of them, in the lightbox. Each keeps its name
//! as (visually hidden) text, so screen readers and tests find it by name,
//! and shows it as a tooltip.

use leptos::prelude::*;

use crate::components::download::save_blob;
use crate::state::clipboard::{copy_image, copy_prompt};
use crate::state::{Draft, HistoryEntry, HistoryStore};

/// 24 × 24 outline icons, drawn for this app.
const DOWNLOAD: &str = "M12 4v11m-5-5 5 5 5-5M5 20h14";
const COPY_IMAGE: &str = "M9 9h11v11H9zM5 15H4V4h11v1";
const COPY_PROMPT: &str = "M5 6h14M5 11h14M5 16h9";
const REUSE: &str = "M4 7h9m4 0h3M4 17h3m4 0h9M15 5v4M9 15v4";
const REFERENCE: &str = "M4 5h16v14H4zm0 10 4-4 4 4 3-3 5 5";
const FAVORITE: &str = "m12 3 2.7 5.6 6.1.9-4.4 4.3 1 6.1L12 17l-5.4 2.9 1-6.1-4.4-4.3 6.1-.9z";
const DELETE: &str = "M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13";

/// An icon button named `name` (its handler boxed: one copy of this code
/// serves every button).
fn icon_button(
    name: &'static str,
    icon: &'static str,
    class: &'static str,
    disabled: bool,
    on_click: Box<dyn FnMut(leptos::ev::MouseEvent)>,
) -> impl IntoView {
    view! {
        <button type="button" class=class title=name disabled=disabled on:click=on_click>
            <svg viewBox="0 0 24 24" aria-hidden="true"><path d=icon /></svg>
            <span class="visually-hidden">{name}</span>
        </button>
    }
}

/// Download, copy, reuse, reference, favorite and delete one saved image.
#[component]
pub fn EntryActions(
    entry: HistoryEntry,
    /// The stored image is gone: only the prompt and settings can be used.
    image_missing: bool,
    /// The status line for "Image copied." and the like.
    report: WriteSignal<String>,
    /// Called after an action that fills the form (Reuse settings, Use as reference).
    #[prop(optional)]
    filled_form: Option<Callback<()>>,
) -> impl IntoView {
    let history = HistoryStore::expect();
    let draft = Draft::expect();
    let t = crate::i18n::later();
    let filled = move || {
        if let Some(done) = filled_form {
            done.run(());
        }
    };
    let download = {
        let entry = entry.clone();
        move |_| {
            let entry = entry.clone();
            leptos::task::spawn_local(async move {
                if let Some(blob) = history.blob_for_download(&entry).await {
                    save_blob(&blob, &entry.download_name());
                }
            });
        }
    };
    let copy_the_image = {
        let entry = entry.clone();
        move |_| {
            let entry = entry.clone();
            leptos::task::spawn_local(async move {
                report.set(copy_image(history, &entry).await);
            });
        }
    };
    let copy_the_prompt = {
        let prompt = entry.prompt.clone();
        move |_| {
            let prompt = prompt.clone();
            leptos::task::spawn_local(async move {
                report.set(copy_prompt(&prompt).await);
            });
        }
    };
    let reuse = {
        let entry = entry.clone();
        move |_| {
            draft.reuse(&entry);
            filled();
        }
    };
    let use_as_reference = {
        let entry = entry.clone();
        move |_| {
            draft.use_as_reference(&entry);
            filled();
        }
    };
    let (favorite_id, delete_id) = (entry.id.clone(), entry.id.clone());
    view! {
        <div class="actions">
            {icon_button(t.gallery_download, DOWNLOAD, "", image_missing, Box::new(download))}
            {icon_button(t.gallery_copy_image, COPY_IMAGE, "", image_missing, Box::new(copy_the_image))}
            {icon_button(t.gallery_copy_prompt, COPY_PROMPT, "", false, Box::new(copy_the_prompt))}
            {icon_button(t.gallery_reuse_settings, REUSE, "", false, Box::new(reuse))}
            {icon_button(t.gallery_use_as_reference, REFERENCE, "", image_missing, Box::new(use_as_reference))}
            <button
                type="button"
                title=t.gallery_favorite
                aria-pressed=entry.favorite.to_string()
                on:click=move |_| history.toggle_favorite(&favorite_id)
            >
                <svg viewBox="0 0 24 24" aria-hidden="true"><path d=FAVORITE /></svg>
                <span class="visually-hidden">{t.gallery_favorite}</span>
            </button>
            {icon_button(t.gallery_delete, DELETE, "button--danger", false, Box::new(move |_| history.delete(&delete_id)))}
        </div>
    }
}
