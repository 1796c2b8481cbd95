//! One History thumbnail with its actions.

use leptos::prelude::*;

use super::actions::EntryActions;
use crate::state::{HistoryStore, ShownEntry};

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
            <EntryActions entry=entry.clone() image_missing=shown.image_missing report />
        </li>
    }
}
