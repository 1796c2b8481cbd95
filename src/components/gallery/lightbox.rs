use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;

use super::actions::EntryActions;
use crate::generation::format_usd;
use crate::state::{HistoryStore, ShownEntry};

/// The full image with its metadata, in a modal dialog: the page behind is
/// inert, so focus stays inside; ←/→ move through the list, Esc closes, and
/// focus returns to the thumbnail that opened it.
#[component]
pub fn Lightbox(
    /// The entries the arrows move through (the gallery's current list).
    entries: Memo<Vec<ShownEntry>>,
    /// Index into `entries` of the open image; `None` when closed.
    selected: RwSignal<Option<usize>>,
    /// Opens an entry by id (a lineage link), wherever it is in History.
    open: Callback<String>,
    /// Set to an entry's id to show only what was made from it.
    descendants_of: RwSignal<Option<String>>,
) -> impl IntoView {
    let history = HistoryStore::expect();
    let t = crate::i18n::later();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let (image_url, set_image_url) = signal(None::<String>);
    let opened_from = StoredValue::new(None::<String>);
    let (copied, set_copied) = signal(String::new());

    let current = move || {
        selected
            .get()
            .and_then(|i| entries.with(|e| e.get(i).cloned()))
    };
    // Open/close the native dialog and load the full image for the current entry.
    Effect::new(move |_| {
        let Some(dialog) = dialog.get() else { return };
        let shown = current();
        if let Some(old) = image_url.get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&old);
            set_image_url.set(None);
        }
        set_copied.set(String::new());
        match shown {
            Some(shown) => {
                if !dialog.open() {
                    opened_from.set_value(Some(shown.entry.id.clone()));
                    let _ = dialog.show_modal();
                }
                leptos::task::spawn_local(async move {
                    if let Some(blob) = history.blob(&shown.entry.id, false).await {
                        set_image_url.set(web_sys::Url::create_object_url_with_blob(&blob).ok());
                    }
                });
            }
            None if dialog.open() => dialog.close(),
            None => {}
        }
    });
    let step = move |by: isize| {
        let count = entries.with(Vec::len) as isize;
        selected.update(|s| {
            if let Some(i) = s {
                *s = Some((*i as isize + by).clamp(0, (count - 1).max(0)) as usize);
            }
        });
    };
    let on_keydown = move |ev: KeyboardEvent| match ev.key().as_str() {
        "ArrowRight" => {
            ev.prevent_default();
            step(1);
        }
        "ArrowLeft" => {
            ev.prevent_default();
            step(-1);
        }
        _ => {}
    };
    let close = move || {
        if let Some(d) = dialog.get_untracked() {
            d.close();
        }
    };
    // Esc (the dialog's cancel) and the Close button both end here.
    let on_close = move |_| {
        selected.set(None);
        if let Some(id) = opened_from.get_value() {
            focus_thumbnail(&id);
        }
    };

    view! {
        <dialog class="lightbox" node_ref=dialog aria-label=t.gallery_image_details on:keydown=on_keydown on:close=on_close>
            {move || {
                current()
                    .map(|shown| {
                        let e = shown.entry;
                        let cost = e.cost_usd.map_or_else(|| t.gallery_cost_not_reported.to_owned(), format_usd);
                        let date = js_sys::Date::new(&e.created_ms.into())
                            .to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED)
                            .as_string()
                            .unwrap_or_default();
                        view! {
                            <figure class="lightbox__figure">
                                <img class="lightbox__image" alt=e.prompt.clone() src=move || image_url.get() />
                                <figcaption class="lightbox__meta">
                                    <p class="lightbox__prompt">{e.prompt.clone()}</p>
                                    <dl>
                                        <dt>{t.gallery_model}</dt> <dd>{e.model.clone()}</dd>
                                        <dt>{t.gallery_seed}</dt> <dd>{e.seed}</dd>
                                        <dt>{t.gallery_aspect_ratio}</dt> <dd>{e.aspect_ratio.clone()}</dd>
                                        <dt>{t.gallery_size}</dt> <dd>{format!("{}\u{d7}{} px", e.width, e.height)}</dd>
                                        <dt>{t.gallery_cost}</dt> <dd>{cost}</dd>
                                        <dt>{t.gallery_date}</dt> <dd>{date}</dd>
                                        <dt>{t.gallery_generation_id}</dt>
                                        <dd>{e.generation_id.clone().unwrap_or_else(|| "\u{2014}".into())}</dd>
                                    </dl>
                                    <Lineage entry=e.clone() open descendants_of close=Callback::new(move |()| close()) />
                                </figcaption>
                            </figure>
                        }
                    })
            }}
            <div class="lightbox__nav">
                <span class="lightbox__copied" role="status">{move || copied.get()}</span>
                {move || {
                    current()
                        .map(|shown| {
                            view! {
                                <EntryActions
                                    entry=shown.entry
                                    image_missing=shown.image_missing
                                    report=set_copied
                                    filled_form=Callback::new(move |()| close())
                                />
                            }
                        })
                }}
                <button type="button" on:click=move |_| step(-1) aria-keyshortcuts="ArrowLeft">
                    {t.gallery_previous}
                </button>
                <button type="button" on:click=move |_| step(1) aria-keyshortcuts="ArrowRight">
                    {t.gallery_next}
                </button>
                <button
                    type="button"
                    aria-keyshortcuts="Escape"
                    on:click=move |_| close()
                >
                    {t.gallery_close}
                </button>
            </div>
        </dialog>
    }
}

/// "Made from": the History images this one was made from (thumbnails that
/// open them), the chain back to the first image, and `Show descendants`.
/// Static markup with one click handler: cheaper in the wasm than a view per
/// link (prompts go in escaped, never as markup).
#[component]
fn Lineage(
    entry: crate::state::HistoryEntry,
    open: Callback<String>,
    descendants_of: RwSignal<Option<String>>,
    close: Callback<()>,
) -> impl IntoView {
    let history = HistoryStore::expect();
    let t = crate::i18n::later();
    let (markup, set_markup) = signal(String::new());
    let urls = StoredValue::new(Vec::<String>::new());
    let (made_from, chain, has_descendants) = history.entries().with_untracked(|all| {
        let made_from: Vec<crate::state::HistoryEntry> = entry
            .references
            .iter()
            .filter_map(|r| {
                let from = r.from.as_deref()?;
                all.iter()
                    .find(|s| s.entry.id == from)
                    .map(|s| s.entry.clone())
            })
            .collect();
        let chain: Vec<(String, String)> = crate::state::lineage(all, &entry.id)
            .into_iter()
            .map(|e| (e.id.clone(), super::short(&e.prompt)))
            .collect();
        (
            made_from,
            chain,
            !crate::state::descendants(all, &entry.id).is_empty(),
        )
    });
    let id = entry.id.clone();
    leptos::task::spawn_local(async move {
        let mut html = String::new();
        if !made_from.is_empty() {
            html.push_str(&format!(
                "<p class=\"lineage__title\">{}</p><ul class=\"lineage__sources\">",
                t.gallery_lineage_made_from
            ));
            for source in &made_from {
                let blob = history.blob(&source.id, true).await;
                let url = blob
                    .and_then(|b| web_sys::Url::create_object_url_with_blob(&b).ok())
                    .unwrap_or_default();
                html.push_str(&format!(
                    "<li><button type=\"button\" class=\"lineage__open\" data-open=\"{}\"><img class=\"lineage__thumb\" width=\"56\" height=\"56\" alt=\"{}\" src=\"{}\"></button></li>",
                    super::escaped(&source.id),
                    super::escaped(&source.prompt),
                    super::escaped(&url)
                ));
                urls.update_value(|u| u.push(url));
            }
            html.push_str("</ul>");
        }
        if chain.len() > 1 {
            html.push_str(&format!(
                "<p class=\"lineage__title\">{}</p><ol class=\"lineage__chain\">",
                t.gallery_lineage_back
            ));
            for (step, prompt) in &chain {
                html.push_str(&format!(
                    "<li><button type=\"button\" class=\"button--quiet button--small\" data-open=\"{}\">{}</button></li>",
                    super::escaped(step),
                    super::escaped(prompt)
                ));
            }
            html.push_str("</ol>");
        }
        if has_descendants {
            html.push_str(&format!(
                "<button type=\"button\" class=\"button--small\" data-descendants>{}</button>",
                t.gallery_lineage_descendants
            ));
        }
        set_markup.set(html);
    });
    on_cleanup(move || {
        for url in urls.try_update_value(std::mem::take).unwrap_or_default() {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    });
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(button) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("button").ok().flatten())
        else {
            return;
        };
        if let Some(to) = button.get_attribute("data-open") {
            open.run(to);
        } else if button.has_attribute("data-descendants") {
            descendants_of.set(Some(id.clone()));
            close.run(());
        }
    };
    view! { <div class="lineage" inner_html=move || markup.get() on:click=on_click></div> }
}

fn focus_thumbnail(id: &str) {
    let target = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| {
            d.query_selector(&format!("[data-history-id=\"{id}\"]"))
                .ok()
                .flatten()
        })
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(el) = target {
        let _ = el.focus();
    }
}
