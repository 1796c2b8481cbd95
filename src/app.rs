//! Page layout, context providers, and when the lazily loaded parts arrive.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::components::{
    AlertRegion, Panels, PromptForm, gallery_view, header_tools_view, jobs_view, key_panel_view,
    lazy_view, lazy_view_or, options_view, prefetch_panels, settings_view,
};
use crate::state::{Alerts, HistoryStore, provide_services};

#[component]
pub fn App() -> impl IntoView {
    let notice = provide_services();
    if let Some(notice) = notice {
        Alerts::expect().show(notice);
    }
    // Lets the benchmark see when the app runs (the shell marks
    // `kleinbild:ready` when its Generate can be pressed).
    Effect::new(|_| crate::perf::mark("kleinbild:app-ready"));
    Panels::provide();
    prefetch_parts_when_idle();
    // The header is static in index.html (drawn at once, never redrawn; the
    // key and Settings buttons are put into the room it keeps for them). The
    // parts that load after the studio come after it in the page (each in its
    // own slot), so their arrival moves nothing already shown. On wide
    // screens the controls column stays in view while results scroll.
    view! {
        <main class="studio">
            <div class="studio__controls">
                <PromptForm />
                <AlertRegion />
                <div class="slot">{lazy_view(|| Box::pin(key_panel_view()))}</div>
                <div class="slot">{lazy_view(|| Box::pin(options_view()))}</div>
                <div class="slot">{lazy_view(|| Box::pin(settings_view()))}</div>
                {lazy_view(|| Box::pin(header_tools_view()))}
            </div>
            <div class="studio__output">
                <div class="slot slot--results">
                    {lazy_view_or(|| Box::pin(jobs_view()), results_placeholder)}
                </div>
                <div class="slot">
                    {lazy_view_or(|| Box::pin(gallery_after_panels()), gallery_placeholder)}
                </div>
            </div>
        </main>
    }
}

/// Until the client part arrives: the empty result area, as the shell drew it
/// (the static shell in `index.html` says it in English).
fn results_placeholder() -> Option<AnyView> {
    let t = crate::i18n::core();
    let empty = format!("<p class=\"results__empty\">{}</p>", t.studio_results_empty);
    Some(
        view! { <section class="results" aria-label=t.studio_result inner_html=empty></section> }
            .into_any(),
    )
}

/// Until the `later` part arrives, a stored history keeps its place: the
/// heading and as many empty tiles as the first page will show. Plain markup
/// (the real gallery replaces it), so it costs the first load next to nothing.
fn gallery_placeholder() -> Option<AnyView> {
    let count = HistoryStore::expect().stored_count();
    let t = crate::i18n::core();
    (count > 0).then(|| {
        let counted = match count {
            1 => t.studio_image_count_one.to_owned(),
            n => t.studio_image_count_other(&n),
        };
        let markup = format!(
            "<div class=\"gallery__header\"><h2 class=\"gallery__title\">{}</h2>\
             <span class=\"gallery__count\">{counted}</span></div>\
             <ul class=\"gallery__grid\">{}</ul>",
            t.studio_history,
            "<li class=\"gallery__tile\"></li>".repeat(count.min(crate::state::GALLERY_PAGE))
        );
        view! { <section class="gallery" aria-label=t.studio_history aria-busy="true" inner_html=markup></section> }
            .into_any()
    })
}

/// The gallery, shown no earlier than the panels: on a phone it sits below
/// them, and must not be pushed down when they arrive.
async fn gallery_after_panels() -> Result<AnyView, crate::lazy::PartUnavailable> {
    let gallery = gallery_view().await;
    let _ = prefetch_panels().await;
    gallery
}

/// Fetches the parts a person is likely to need next (the request code
/// first) once the browser has nothing else to do after the first paint.
fn prefetch_parts_when_idle() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let prefetch = Closure::once_into_js(|| {
        leptos::task::spawn_local(async {
            let _ = crate::state::prefetch_client().await;
            let _ = crate::state::prefetch_history().await;
        });
    });
    // Safari has no requestIdleCallback: a short timeout does the same there.
    let idle = js_sys::Reflect::get(&window, &"requestIdleCallback".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    match idle {
        Some(request_idle) => {
            let _ = request_idle.call1(&window, &prefetch);
        }
        None => {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                prefetch.unchecked_ref(),
                200,
            );
        }
    }
}
