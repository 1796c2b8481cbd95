//! The History: every saved image, newest first, with search, per-image
//! actions, the lightbox and the history file actions.

mod actions;
mod compare;
mod file_actions;
mod item;
mod lightbox;

use leptos::prelude::*;

use self::compare::{CompareDialog, MAX_COMPARED};
use self::file_actions::FileActions;
use self::item::GalleryItem;
use self::lightbox::Lightbox;
use crate::state::{HistoryQuery, HistoryStore, ShownEntry};

use crate::state::GALLERY_PAGE as PAGE;

crate::lazy_part! {
    /// The History gallery, lightbox and file actions, in the `later` part
    /// (they show from the start, with the stored images they read).
    part later;
    pub fn gallery_view() -> AnyView {
        view! { <Gallery /> }.into_any()
    }
}

/// Every saved image, newest first, with search and per-image actions.
#[component]
fn Gallery() -> impl IntoView {
    let history = HistoryStore::expect();
    let t = crate::i18n::later();
    let (text, set_text) = signal(String::new());
    let (favorites_only, set_favorites_only) = signal(false);
    let (oldest_first, set_oldest_first) = signal(false);
    let (limit, set_limit) = signal(PAGE);
    // "Show descendants" in the lightbox: only what was made from this image.
    let descendants_of = RwSignal::new(None::<String>);
    let matching = Memo::new(move |_| {
        let query = HistoryQuery {
            text: text.get(),
            favorites_only: favorites_only.get(),
            oldest_first: oldest_first.get(),
            descendants_of: descendants_of.get(),
        };
        history.entries().with(|entries| {
            query
                .apply(entries)
                .into_iter()
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let selected = RwSignal::new(None::<usize>);
    let position =
        move |id: &str| matching.with_untracked(|m| m.iter().position(|s| s.entry.id == id));
    let open = Callback::new(move |id: String| {
        // An image outside the current filter (a lineage link): show them all.
        if position(&id).is_none() {
            set_text.set(String::new());
            set_favorites_only.set(false);
            descendants_of.set(None);
        }
        selected.set(position(&id));
    });
    let visible = move || {
        matching.with(|m| {
            m.iter()
                .take(limit.get())
                .cloned()
                .collect::<Vec<ShownEntry>>()
        })
    };
    let total = move || history.count();
    // The benchmark reads when the first thumbnails' list was rendered.
    Effect::new(move |marked: Option<bool>| {
        let marked = marked.unwrap_or(false);
        if !marked && total() > 0 {
            crate::perf::mark("kleinbild:gallery-paint");
            return true;
        }
        marked
    });
    let status = RwSignal::new(String::new());
    // Ids picked for Compare, in the order they were picked.
    let picked = RwSignal::new(Vec::<String>::new());
    let comparing = RwSignal::new(false);

    view! {
        <section class="gallery" aria-label=t.gallery_history>
            <div class="gallery__header">
                <h2 class="gallery__title">{t.gallery_history}</h2>
                <span class="gallery__count">
                    {move || match total() {
                        1 => t.gallery_count_one.to_owned(),
                        n => t.gallery_count_other(&n),
                    }}
                </span>
            </div>
            <FileActions status />
            {move || history.notice().map(|notice| view! { <p class="gallery__notice" role="status">{notice}</p> })}
            <div class="gallery__tools">
                <label class="field">
                    <span class="field__label">{t.gallery_search}</span>
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
                    {t.gallery_favorites_only}
                </label>
                <label class="field">
                    <span class="field__label">{t.gallery_order}</span>
                    <select on:change=move |ev| set_oldest_first.set(event_target_value(&ev) == "oldest")>
                        <option value="newest">{t.gallery_newest_first}</option>
                        <option value="oldest">{t.gallery_oldest_first}</option>
                    </select>
                </label>
            </div>
            {move || {
                descendants_of
                    .get()
                    .map(|root| {
                        let about = history
                            .entry(&root)
                            .map_or_else(String::new, |e| short(&e.prompt));
                        let count = matching.with(Vec::len);
                        view! {
                            <p class="gallery__undo" role="status">
                                {t.gallery_made_from_count(&about, &count)}
                                <button type="button" on:click=move |_| descendants_of.set(None)>
                                    {t.gallery_show_all}
                                </button>
                            </p>
                        }
                    })
            }}
            {move || {
                history
                    .pending_delete()
                    .map(|deleted| {
                        view! {
                            <p class="gallery__undo" role="status">
                                {t.gallery_deleted(&short(&deleted.entry.prompt))}
                                <button type="button" on:click=move |_| history.undo_delete()>
                                    {t.gallery_undo}
                                </button>
                            </p>
                        }
                    })
            }}
            {move || {
                let count = picked.with(Vec::len);
                (count > 0)
                    .then(|| {
                        view! {
                            <div class="gallery__compare">
                                <span role="status">
                                    {match count {
                                        1 => t.gallery_selected_one.to_owned(),
                                        MAX_COMPARED => t.gallery_selected_most(&count),
                                        n => t.gallery_selected_other(&n),
                                    }}
                                </span>
                                <button type="button" disabled=count < 2 on:click=move |_| comparing.set(true)>
                                    {t.gallery_compare}
                                </button>
                                <button type="button" class="button--quiet" on:click=move |_| picked.set(Vec::new())>
                                    {t.gallery_clear_selection}
                                </button>
                            </div>
                        }
                    })
            }}
            <ul class="gallery__grid">
                <For
                    each=visible
                    key=|shown| (shown.entry.id.clone(), shown.entry.favorite, shown.image_missing)
                    children=move |shown| view! { <GalleryItem shown open picked report=status.write_only() /> }
                />
            </ul>
            <Lightbox entries=matching selected open descendants_of />
            <CompareDialog picked open=comparing />
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
                                {t.gallery_show_more(&remaining)}
                            </button>
                        }
                    })
            }}
        </section>
    }
}

/// The stored image (or its thumbnail) of entry `id` as an object URL, read
/// once the database is open (right after a reload the gallery paints from
/// the index first); released when the view that asked for it goes away.
fn image_url(id: String, thumbnail: bool) -> ReadSignal<Option<String>> {
    let history = HistoryStore::expect();
    // The first page's thumbnails may already be read (by the static page's script).
    let (url, set_url) = signal(
        thumbnail
            .then(|| crate::shell::take_thumbnail(&id))
            .flatten(),
    );
    Effect::new(move |loaded: Option<bool>| {
        if url.with_untracked(Option::is_some) {
            return true;
        }
        if loaded == Some(true) || !history.is_ready() {
            return loaded.unwrap_or(false);
        }
        let id = id.clone();
        leptos::task::spawn_local(async move {
            if let Some(blob) = history.blob(&id, thumbnail).await {
                set_url.set(web_sys::Url::create_object_url_with_blob(&blob).ok());
            }
        });
        true
    });
    // Object URLs pin memory until revoked.
    on_cleanup(move || {
        if let Some(url) = url.get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    });
    url
}

/// Text for HTML markup: `&`, `<`, `>` and quotes escaped (prompts and model
/// ids come from imported files too, so never as markup).
pub(super) fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub(super) fn short(prompt: &str) -> String {
    let mut out: String = prompt.chars().take(40).collect();
    if prompt.chars().count() > 40 {
        out.push('\u{2026}');
    }
    out
}
