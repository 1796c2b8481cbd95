//! Showing a part of the app that loads when needed.

use std::future::Future;

use leptos::prelude::*;
use send_wrapper::SendWrapper;

use crate::lazy::PartUnavailable;

/// The view a part returns, in place once the part has arrived (nothing
/// before: the caller's container keeps the space). Fetching starts after the
/// first paint, so it never delays the studio. If the part cannot be fetched,
/// says so with a way to try again.
pub fn lazy_view(
    load: impl Fn() -> std::pin::Pin<Box<dyn Future<Output = Result<AnyView, PartUnavailable>>>>
    + Send
    + Sync
    + 'static,
) -> impl IntoView {
    lazy_view_or(load, || None)
}

/// [`lazy_view`], with `placeholder` shown until the part's view is in.
pub fn lazy_view_or(
    load: impl Fn() -> std::pin::Pin<Box<dyn Future<Output = Result<AnyView, PartUnavailable>>>>
    + Send
    + Sync
    + 'static,
    placeholder: impl Fn() -> Option<AnyView> + Send + Sync + 'static,
) -> impl IntoView {
    let arrived = RwSignal::new(false);
    let placeholder = move || (!arrived.get()).then(&placeholder).flatten();
    (placeholder, lazy_body(load, arrived))
}

fn lazy_body(
    load: impl Fn() -> std::pin::Pin<Box<dyn Future<Output = Result<AnyView, PartUnavailable>>>>
    + Send
    + Sync
    + 'static,
    arrived: RwSignal<bool>,
) -> impl IntoView {
    let t = crate::i18n::core();
    let attempt = RwSignal::new(0u32);
    let painted = RwSignal::new(false);
    crate::perf::after_first_paint(move || painted.set(true));
    move || {
        if !painted.get() {
            return None;
        }
        attempt.track();
        let pending = SendWrapper::new(load());
        Some(Suspend::new(async move {
            let outcome = pending.await;
            arrived.set(true);
            match outcome {
                Ok(view) => view,
                Err(problem) => view! {
                    <p class="part-error" role="alert">
                        {problem.to_string()}
                        " "
                        <button type="button" on:click=move |_| attempt.update(|n| *n += 1)>
                            {t.panels_try_again}
                        </button>
                    </p>
                }
                .into_any(),
            }
        }))
    }
}
