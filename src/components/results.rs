use leptos::prelude::*;

use super::download::{save_blob, save_href};
use crate::generation::format_usd;
use crate::state::{HistoryStore, ShownImage};

/// One image on screen, with what it cost and its Download link.
#[component]
pub(super) fn ResultCard(
    /// The image to show.
    image: ShownImage,
) -> impl IntoView {
    let history = HistoryStore::expect();
    let t = crate::i18n::core();
    let cost = image.cost_usd.map_or_else(
        || t.studio_cost_not_reported.to_owned(),
        |c| t.studio_billed(&format_usd(c)),
    );
    let meta = t.studio_result_meta(
        &image.width,
        &image.height,
        &image.seed,
        &image.aspect_ratio,
        &cost,
    );
    // The `<img>` the studio loaded before the page changed: put on the
    // page as it is (a new one would parse a 4 MB `data:` URL again).
    let figure = NodeRef::<leptos::html::Figure>::new();
    let element = image.element.clone();
    figure.on_load(move |figure| {
        for (name, value) in [
            ("class", "result-card__image"),
            ("alt", &image.prompt),
            ("width", &image.width.to_string()),
            ("height", &image.height.to_string()),
        ] {
            let _ = element.set_attribute(name, value);
        }
        let _ = figure.prepend_with_node_1(&element);
        crate::perf::after_first_paint(move || reveal(&element));
    });
    view! {
        <figure node_ref=figure class="result-card">
            // The generation id (for looking the cost up on OpenRouter) as the caption's tooltip.
            <figcaption class="result-card__caption" title=image.generation_id>
                <span class="result-card__meta">{meta}</span>
                // A button, not a link of its own: a 4 MB `data:` URL in an
                // `href` costs a URL parse and a :visited check on every style
                // pass, before the image shows.
                <button
                    type="button"
                    class="button--small"
                    on:click=move |_| {
                        // Saved to History first, the download carries its settings.
                        let (src, name, id) = (image.src.clone(), image.file_name.clone(), image.id.clone());
                        leptos::task::spawn_local(async move {
                            let tagged = match history.saved_entry(&id).await {
                                Some(entry) => history.blob_for_download(&entry).await,
                                None => None,
                            };
                            match tagged {
                                Some(blob) => save_blob(&blob, &name),
                                None => save_href(&src, &name),
                            }
                        });
                    }
                >
                    {t.studio_download}
                </button>
            </figcaption>
        </figure>
    }
}

/// On a phone the result sits below the form: bring it into view once shown.
fn reveal(image: &web_sys::HtmlImageElement) {
    let options = web_sys::ScrollIntoViewOptions::new();
    options.set_block(web_sys::ScrollLogicalPosition::Nearest);
    image.scroll_into_view_with_scroll_into_view_options(&options);
}
