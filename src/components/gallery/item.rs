//! One History thumbnail with its actions.

use leptos::prelude::*;

use super::download::save_blob;
use crate::state::clipboard::{copy_image, copy_prompt};
use crate::state::{Draft, HistoryStore, ShownEntry};

/// One thumbnail with its actions.
#[component]
pub fn GalleryItem(
    /// The history entry to show.
    shown: ShownEntry,
    /// Opens the entry (by id) in the lightbox.
    open: Callback<String>,
    /// The gallery's status line, for "Image copied." and the like.
    report: WriteSignal<String>,
) -> impl IntoView {
    let history = HistoryStore::expect();
    let draft = Draft::expect();
    let entry = shown.entry;
    let (thumb, set_thumb) = signal(None::<String>);
    if !shown.image_missing {
        let id = entry.id.clone();
        // Read the thumbnail once the database is open (right after a reload
        // the gallery paints from the index before IndexedDB is ready).
        Effect::new(move |loaded: Option<bool>| {
            if loaded == Some(true) || !history.is_ready() {
                return loaded.unwrap_or(false);
            }
            let id = id.clone();
            leptos::task::spawn_local(async move {
                if let Some(blob) = history.blob(&id, true).await {
                    set_thumb.set(web_sys::Url::create_object_url_with_blob(&blob).ok());
                }
            });
            true
        });
    }
    // Object URLs pin memory until revoked: release it when the item goes away.
    on_cleanup(move || {
        if let Some(url) = thumb.get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    });

    let id = entry.id.clone();
    let download = {
        let entry = entry.clone();
        move |_| {
            let entry = entry.clone();
            leptos::task::spawn_local(async move {
                if let Some(blob) = history.blob(&entry.id, false).await {
                    save_blob(&blob, &entry.download_name());
                }
            });
        }
    };
    let reuse = {
        let entry = entry.clone();
        move |_| draft.reuse(&entry)
    };
    let use_as_reference = {
        let entry = entry.clone();
        move |_| draft.use_as_reference(&entry)
    };
    let copy_image = {
        let entry = entry.clone();
        move |_| {
            let entry = entry.clone();
            leptos::task::spawn_local(async move {
                report.set(copy_image(history, &entry).await);
            });
        }
    };
    let copy_prompt = {
        let prompt = entry.prompt.clone();
        move |_| {
            let prompt = prompt.clone();
            leptos::task::spawn_local(async move {
                report.set(copy_prompt(&prompt).await);
            });
        }
    };
    let favorite_id = id.clone();
    let delete_id = id.clone();
    let favorite = entry.favorite;
    view! {
        <li class="gallery__item">
            {if shown.image_missing {
                leptos::either::Either::Left(
                    view! { <div class="gallery__missing" role="img" aria-label=entry.prompt.clone()>"Image missing"</div> },
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
            <div class="gallery__actions">
                <button type="button" on:click=download disabled=shown.image_missing>
                    "Download"
                </button>
                <button type="button" on:click=copy_image disabled=shown.image_missing>
                    "Copy image"
                </button>
                <button type="button" on:click=copy_prompt>
                    "Copy prompt"
                </button>
                <button type="button" on:click=reuse>
                    "Reuse settings"
                </button>
                <button type="button" on:click=use_as_reference disabled=shown.image_missing>
                    "Use as reference"
                </button>
                <button
                    type="button"
                    aria-pressed=favorite.to_string()
                    on:click=move |_| history.toggle_favorite(&favorite_id)
                >
                    "Favorite"
                </button>
                <button type="button" class="button--danger" on:click=move |_| history.delete(&delete_id)>
                    "Delete"
                </button>
            </div>
        </li>
    }
}
