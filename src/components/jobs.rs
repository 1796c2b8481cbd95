//! The job queue on screen: the `Jobs` list (what each job is doing, its own
//! Cancel, and Cancel all) and the result tiles (each image as it arrives, a
//! placeholder while it is made, a failed image with its reason and Retry).
//! In the `client` part: nothing here is needed before the first Generate.

use leptos::prelude::*;

use super::results::ResultCard;
use crate::generation::{ImageState, Job, expected_size};
use crate::state::Studio;

crate::lazy_part! {
    /// The Jobs list and the result tiles.
    part later;
    pub fn jobs_view() -> AnyView {
        cancel_on_escape();
        view! {
            <JobList />
            <Tiles />
        }
        .into_any()
    }
}

/// Esc stops the newest running job, unless a dialog is open (Esc closes that).
fn cancel_on_escape() {
    let studio = Studio::expect();
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() != "Escape" || ev.default_prevented() {
            return;
        }
        let dialog_open = document()
            .query_selector("dialog[open]")
            .ok()
            .flatten()
            .is_some();
        if !dialog_open && studio.cancel_newest() {
            ev.prevent_default();
        }
    });
    on_cleanup(move || handle.remove());
}

/// `Date.now()`, ticking while jobs run, for the elapsed seconds.
fn ticking_now(studio: Studio) -> ReadSignal<f64> {
    let (now, set_now) = signal(js_sys::Date::now());
    let interval = gloo_timers::callback::Interval::new(250, move || {
        if studio.is_running_untracked() {
            set_now.set(js_sys::Date::now());
        }
    });
    let interval = StoredValue::new_local(Some(interval));
    on_cleanup(move || interval.update_value(|i| drop(i.take())));
    now
}

#[component]
fn JobList() -> impl IntoView {
    let studio = Studio::expect();
    let now = ticking_now(studio);
    let has_jobs = move || studio.with_jobs(|jobs| !jobs.is_empty());
    let newest_first =
        move || studio.with_jobs(|jobs| jobs.iter().rev().map(|j| j.id).collect::<Vec<u32>>());
    let t = crate::i18n::later();
    view! {
        <Show when=has_jobs>
            <section class="jobs" aria-label=t.studio_jobs aria-busy=move || studio.is_running().to_string()>
                <div class="jobs__header">
                    <h2 class="jobs__title">{t.studio_jobs}</h2>
                    <Show when=move || studio.is_running()>
                        <button type="button" class="button--small" on:click=move |_| studio.cancel_all()>
                            {t.studio_cancel_all}
                        </button>
                    </Show>
                </div>
                <ol class="jobs__list">
                    <For
                        each=newest_first
                        key=|id| *id
                        children=move |id| view! { <JobItem id=id now=now /> }
                    />
                </ol>
            </section>
        </Show>
    }
}

#[component]
fn JobItem(
    /// The job's id.
    id: u32,
    /// The ticking clock, for the elapsed seconds.
    now: ReadSignal<f64>,
) -> impl IntoView {
    let studio = Studio::expect();
    let job = move || studio.jobs().into_iter().find(|j| j.id == id);
    let prompt = job().map(|j| j.prompt).unwrap_or_default();
    let status = move || job().map(|j| j.status(now.get())).unwrap_or_default();
    let open = move || job().is_some_and(|j| j.is_open());
    let t = crate::i18n::later();
    view! {
        <li class="job" class:job--open=open>
            <span class="job__prompt" title=prompt.clone()>{prompt.clone()}</span>
            <span class="job__status" role="status">{status}</span>
            <Show when=open>
                <button type="button" class="button--small button--danger" on:click=move |_| studio.cancel(id)>
                    {t.studio_cancel}
                </button>
            </Show>
        </li>
    }
}

/// What one tile shows.
#[derive(Clone, PartialEq)]
enum Tile {
    Pending { aspect: String },
    Image { image_id: String },
    Failed { reason: String },
}

/// Every tile of the kept jobs, newest job first; the key changes with what
/// the tile shows, so an arriving image replaces its placeholder.
fn tiles(jobs: &[Job]) -> Vec<(String, u32, usize, Tile)> {
    jobs.iter()
        .rev()
        .flat_map(|job| {
            let batch = job.images.len() > 1;
            job.images.iter().enumerate().filter_map(move |(i, image)| {
                let tile = match &image.state {
                    ImageState::Queued | ImageState::Running { .. } => Tile::Pending {
                        aspect: expected_size(&job.aspect_ratio)
                            .map_or_else(|| "1 / 1".to_owned(), |(w, h)| format!("{w} / {h}")),
                    },
                    ImageState::Done { image_id } => Tile::Image {
                        image_id: image_id.clone(),
                    },
                    // One image alone fails in the alert, with its details.
                    ImageState::Failed { reason } if batch => Tile::Failed {
                        reason: reason.clone(),
                    },
                    _ => return None,
                };
                let kind = match tile {
                    Tile::Pending { .. } => "p",
                    Tile::Image { .. } => "i",
                    Tile::Failed { .. } => "f",
                };
                Some((format!("{}-{i}-{kind}", job.id), job.id, i, tile))
            })
        })
        .collect()
}

#[component]
fn Tiles() -> impl IntoView {
    let studio = Studio::expect();
    let (t, t_core) = (crate::i18n::later(), crate::i18n::core());
    view! {
        <section class="results" aria-label=t_core.studio_result>
            <Show when=move || studio.with_jobs(|jobs| tiles(jobs).is_empty())>
                <p class="results__empty">{t_core.studio_results_empty}</p>
            </Show>
            <For
                each=move || studio.with_jobs(tiles)
                key=|tile| tile.0.clone()
                children=move |(_, job_id, index, tile)| match tile {
                    Tile::Pending { aspect } => {
                        view! { <PendingTile aspect /> }.into_any()
                    }
                    Tile::Image { image_id } => {
                        studio
                            .result(&image_id)
                            .map(|image| view! { <ResultCard image /> })
                            .into_any()
                    }
                    Tile::Failed { reason } => {
                        view! {
                            <figure class="tile tile--failed">
                                <p class="tile__reason">{reason}</p>
                                <button type="button" on:click=move |_| studio.retry(job_id, index)>
                                    {t.studio_retry}
                                </button>
                            </figure>
                        }
                        .into_any()
                    }
                }
            />
        </section>
    }
}

/// An image being made: its place, in its aspect ratio, scrolled into view so
/// a phone shows it right after Generate.
#[component]
fn PendingTile(
    /// CSS `aspect-ratio`, e.g. `1024 / 768`.
    aspect: String,
) -> impl IntoView {
    let tile = NodeRef::<leptos::html::Div>::new();
    tile.on_load(|el| {
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Nearest);
        el.scroll_into_view_with_scroll_into_view_options(&options);
    });
    view! {
        <div node_ref=tile class="tile tile--pending" style:aspect-ratio=aspect aria-hidden="true">
            <span class="progress__spinner"></span>
        </div>
    }
}
