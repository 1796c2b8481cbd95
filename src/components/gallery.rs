use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api::image::ImageFormat;
use crate::components::lightbox::Lightbox;
use crate::generation::file_name;
use crate::state::{Alerts, Draft, HistoryStore};
use crate::storage::history::{HistoryQuery, ShownEntry};

/// Thumbnails rendered per step; more appear on "Show more", so the cost
/// follows what is on screen, not the size of the history.
const PAGE: usize = 48;

/// How many of the oldest images the "storage full" offer deletes at once.
const QUOTA_CLEANUP: usize = 10;

/// Every saved image, newest first, with search and per-image actions.
#[component]
pub fn Gallery() -> impl IntoView {
    let history = HistoryStore::expect();
    let (text, set_text) = signal(String::new());
    let (favorites_only, set_favorites_only) = signal(false);
    let (oldest_first, set_oldest_first) = signal(false);
    let (limit, set_limit) = signal(PAGE);
    let matching = Memo::new(move |_| {
        let query = HistoryQuery {
            text: text.get(),
            favorites_only: favorites_only.get(),
            oldest_first: oldest_first.get(),
        };
        history.entries.with(|entries| {
            query
                .apply(entries)
                .into_iter()
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let selected = RwSignal::new(None::<usize>);
    let open = Callback::new(move |id: String| {
        selected.set(matching.with(|m| m.iter().position(|s| s.entry.id == id)));
    });
    let visible = move || {
        matching.with(|m| {
            m.iter()
                .take(limit.get())
                .cloned()
                .collect::<Vec<ShownEntry>>()
        })
    };
    let total = move || history.entries.with(Vec::len);
    // The benchmark reads when the first thumbnails' list was rendered.
    Effect::new(move |marked: Option<bool>| {
        let marked = marked.unwrap_or(false);
        if !marked && total() > 0 {
            crate::api::client::performance_mark("kleinbild:gallery-paint");
            return true;
        }
        marked
    });
    let alerts = Alerts::expect();
    let (status, set_status) = signal(String::new());
    let (confirm_clear, set_confirm_clear) = signal(false);
    let file_input = NodeRef::<leptos::html::Input>::new();

    let export = move |_| {
        set_status.set("Preparing the export\u{2026}".into());
        leptos::task::spawn_local(async move {
            match history.export(|p| set_status.set(p)).await {
                Ok((zip, count, skipped)) => {
                    let date = js_sys::Date::new_0()
                        .to_iso_string()
                        .as_string()
                        .unwrap_or_default();
                    let name = format!(
                        "kleinbild-history-{}.zip",
                        date.get(..10).unwrap_or("export")
                    );
                    save_blob(&zip, &name);
                    set_status.set(export_summary(count, skipped, &name));
                }
                Err(message) => {
                    set_status.set(String::new());
                    alerts.show(message);
                }
            }
        });
    };
    let import = move |_| {
        let Some(file) = file_input
            .get_untracked()
            .and_then(|input| input.files())
            .and_then(|files| files.get(0))
        else {
            return;
        };
        // Let the same file be chosen again later.
        if let Some(input) = file_input.get_untracked() {
            input.set_value("");
        }
        set_status.set("Importing\u{2026}".into());
        leptos::task::spawn_local(async move {
            match history.import(&file, |p| set_status.set(p)).await {
                Ok(summary) => set_status.set(summary),
                Err(message) => {
                    set_status.set(String::new());
                    alerts.show(message);
                }
            }
        });
    };
    let clear = move |_| {
        set_confirm_clear.set(false);
        leptos::task::spawn_local(async move {
            match history.clear().await {
                Ok(()) => set_status.set("History cleared.".into()),
                Err(e) => alerts.show(format!(
                    "The history could not be cleared completely ({e}). Try again."
                )),
            }
        });
    };

    view! {
        <section class="gallery" aria-label="History">
            <div class="gallery__header">
                <h2 class="gallery__title">"History"</h2>
                <span class="gallery__count">
                    {move || match total() {
                        1 => "1 image".to_owned(),
                        n => format!("{n} images"),
                    }}
                </span>
            </div>
            <div class="gallery__file-actions">
                <button type="button" on:click=export disabled=move || total() == 0>
                    "Export history"
                </button>
                <button
                    type="button"
                    on:click=move |_| {
                        if let Some(input) = file_input.get_untracked() {
                            input.click();
                        }
                    }
                >
                    "Import history"
                </button>
                <input
                    node_ref=file_input
                    class="visually-hidden"
                    type="file"
                    accept=".zip,application/zip"
                    tabindex="-1"
                    aria-hidden="true"
                    on:change=import
                />
                {move || {
                    if confirm_clear.get() {
                        leptos::either::Either::Left(
                            view! {
                                <span class="gallery__confirm" role="group" aria-label="Confirm clearing the history">
                                    <button type="button" class="button--danger" on:click=clear>
                                        {move || format!("Delete all {} images", total())}
                                    </button>
                                    <button type="button" on:click=move |_| set_confirm_clear.set(false)>
                                        "Keep them"
                                    </button>
                                </span>
                            },
                        )
                    } else {
                        leptos::either::Either::Right(
                            view! {
                                <button
                                    type="button"
                                    class="button--quiet"
                                    disabled=move || total() == 0
                                    on:click=move |_| set_confirm_clear.set(true)
                                >
                                    "Clear history"
                                </button>
                            },
                        )
                    }
                }}
            </div>
            <p class="gallery__status" role="status">{move || status.get()}</p>
            {move || {
                history
                    .quota_full
                    .get()
                    .then(|| {
                        view! {
                            <div class="gallery__quota" role="group" aria-label="Storage full">
                                <p>
                                    "The browser's storage for this site is full, so new images cannot be kept. \
                                     Export your history to a file, then delete the oldest images to make room."
                                </p>
                                <button type="button" on:click=export>
                                    "Export history"
                                </button>
                                <button
                                    type="button"
                                    class="button--danger"
                                    on:click=move |_| {
                                        leptos::task::spawn_local(async move {
                                            match history.delete_oldest(QUOTA_CLEANUP).await {
                                                Ok(n) => set_status.set(format!("Deleted the {n} oldest images.")),
                                                Err(e) => alerts.show(format!("Could not delete old images ({e}).")),
                                            }
                                        });
                                    }
                                >
                                    {format!("Delete the {QUOTA_CLEANUP} oldest images")}
                                </button>
                            </div>
                        }
                    })
            }}
            {move || history.notice.get().map(|notice| view! { <p class="gallery__notice" role="status">{notice}</p> })}
            <div class="gallery__tools">
                <label class="field">
                    <span class="field__label">"Search history"</span>
                    <input
                        type="search"
                        prop:value=move || text.get()
                        on:input=move |ev| {
                            set_text.set(event_target_value(&ev));
                            set_limit.set(PAGE);
                        }
                    />
                </label>
                <label class="check">
                    <input
                        type="checkbox"
                        prop:checked=move || favorites_only.get()
                        on:change=move |ev| set_favorites_only.set(event_target_checked(&ev))
                    />
                    "Favorites only"
                </label>
                <label class="field">
                    <span class="field__label">"Order"</span>
                    <select on:change=move |ev| set_oldest_first.set(event_target_value(&ev) == "oldest")>
                        <option value="newest">"Newest first"</option>
                        <option value="oldest">"Oldest first"</option>
                    </select>
                </label>
            </div>
            {move || {
                history
                    .undo
                    .get()
                    .map(|deleted| {
                        view! {
                            <p class="gallery__undo" role="status">
                                {format!("Deleted \u{201c}{}\u{201d}.", short(&deleted.entry.prompt))}
                                <button type="button" on:click=move |_| history.undo_delete()>
                                    "Undo"
                                </button>
                            </p>
                        }
                    })
            }}
            <ul class="gallery__grid">
                <For
                    each=visible
                    key=|shown| (shown.entry.id.clone(), shown.entry.favorite, shown.image_missing)
                    children=move |shown| view! { <GalleryItem shown open report=set_status /> }
                />
            </ul>
            <Lightbox entries=matching selected />
            {move || {
                let remaining = matching.with(Vec::len).saturating_sub(limit.get());
                (remaining > 0)
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="gallery__more"
                                on:click=move |_| set_limit.update(|l| *l += PAGE)
                            >
                                {format!("Show more ({remaining})")}
                            </button>
                        }
                    })
            }}
        </section>
    }
}

/// One thumbnail with its actions.
#[component]
fn GalleryItem(
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
            if loaded == Some(true) || !history.ready.get() {
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
                    let format = ImageFormat::from_mime(&entry.mime).unwrap_or(ImageFormat::Png);
                    save_blob(&blob, &file_name(&entry.prompt, entry.seed, format));
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
        let alerts = Alerts::expect();
        move |_| {
            let entry = entry.clone();
            leptos::task::spawn_local(async move {
                let Some(blob) = history.blob(&entry.id, false).await else {
                    return;
                };
                let added = match crate::state::blob_bytes(&blob).await {
                    Ok(bytes) => draft.add_reference(&entry.download_name(), bytes, &blob),
                    Err(_) => Err("The image could not be read from storage.".into()),
                };
                if let Err(message) = added {
                    alerts.show(message);
                }
            });
        }
    };
    let copy_image = {
        let entry = entry.clone();
        move |_| {
            let entry = entry.clone();
            leptos::task::spawn_local(async move {
                report.set(super::clipboard::copy_image(history, &entry).await);
            });
        }
    };
    let copy_prompt = {
        let prompt = entry.prompt.clone();
        move |_| {
            let prompt = prompt.clone();
            leptos::task::spawn_local(async move {
                report.set(super::clipboard::copy_prompt(&prompt).await);
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

/// Saves a Blob under a file name through a temporary link.
fn save_blob(blob: &web_sys::Blob, name: &str) {
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    let link = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok());
    if let Some(link) = link {
        link.set_href(&url);
        link.set_download(name);
        link.click();
    }
    // Revoke after the click has handed the URL to the download.
    leptos::task::spawn_local(async move {
        gloo_timers::future::TimeoutFuture::new(10_000).await;
        let _ = web_sys::Url::revoke_object_url(&url);
    });
}

fn short(prompt: &str) -> String {
    let mut out: String = prompt.chars().take(40).collect();
    if prompt.chars().count() > 40 {
        out.push('\u{2026}');
    }
    out
}

/// "Exported 12 images to kleinbild-history-….zip." plus, when some stored
/// images could not be read, how many and what to do about them.
fn export_summary(count: usize, skipped: usize, name: &str) -> String {
    let mut text = format!("Exported {count} images to {name}.");
    if skipped > 0 {
        text.push_str(&format!(
            " {skipped} could not be read from storage and are not in the file; download them one by one from History."
        ));
    }
    text
}
