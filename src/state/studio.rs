//! The studio service: turns the form into jobs, sends their images while
//! request slots are free, shows each image as it arrives, then hands it to
//! the history.

use leptos::prelude::*;

use super::history::UnloadGuard;
use super::{Alerts, Draft, HistoryStore, KeyStore, ModelList, SettingsStore};
use crate::api::ApiError;
use crate::api::client::{CancelHandle, ClientConfig, held};
use crate::generation::{
    GenerationOutput, GenerationRequest, ImageData, ImageState, Job, Phase, Resolution, RetryWait,
    batch_seeds, file_name, format_usd, images_within_limit, next_to_send, output_size, parse_seed,
    prompts_from,
};
use crate::storage::blob::blob_from_bytes;
use crate::storage::history::{ReferenceRecord, new_id};
use crate::storage::{HistoryEntry, Settings, StorageError};

/// An image on screen, with what is needed to show and download it.
#[derive(Clone, Debug, PartialEq)]
pub struct ShownImage {
    /// Its history id.
    pub id: String,
    /// What the `<img>` shows and the Download link saves, as a JS string: the
    /// `data:` URL as it arrived (the browser decodes it), or a `blob:` URL
    /// (revoked when the image is replaced).
    pub src: wasm_bindgen::JsValue,
    /// The `<img>` showing `src`, loaded (or failed) before the page shows it:
    /// the results view puts this very element on the page.
    pub element: web_sys::HtmlImageElement,
    pub prompt: String,
    pub seed: u32,
    pub aspect_ratio: String,
    pub width: u32,
    pub height: u32,
    pub mime: &'static str,
    pub file_name: String,
    pub cost_usd: Option<f64>,
    pub generation_id: Option<String>,
}

/// What one job sends for each of its images (the seed aside), and the
/// connection it uses: the snapshot taken when Generate was pressed.
#[derive(Clone)]
struct Plan {
    job_id: u32,
    request: GenerationRequest,
    references: Vec<(ReferenceRecord, web_sys::Blob)>,
    config: ClientConfig,
    /// The estimated price of each image (0 when unknown), for the spending limit.
    each_usd: f64,
    /// Leaving the page asks first while the job is open.
    _unload: Option<std::rc::Rc<UnloadGuard>>,
}

/// A request on its way: `(job id, image index)` and how to abort it.
type InFlight = ((u32, usize), CancelHandle);

/// Jobs kept in the list (and their images on screen); older finished ones drop
/// off (their images stay in History).
const KEPT_JOBS: usize = 12;
/// How long a generation's phase (accepted, generating, receiving) lasts
/// before the job shows it.
const PHASE_SHOWN_AFTER_MS: u32 = 200;

/// The job queue: each press of Generate adds jobs; their images are sent
/// while request slots are free; the results are shown as each one arrives.
#[derive(Clone, Copy)]
pub struct Studio {
    /// Newest last.
    jobs: RwSignal<Vec<Job>>,
    plans: StoredValue<Vec<Plan>, LocalStorage>,
    /// The requests in flight: `(job id, image index)` and how to abort each.
    in_flight: StoredValue<Vec<InFlight>, LocalStorage>,
    next_job_id: StoredValue<u32>,
    /// The images on screen, by their history id.
    results: RwSignal<Vec<ShownImage>, LocalStorage>,
    /// Images finished while the tab was in the background (the title counts them).
    unseen: RwSignal<u32>,
    /// What OpenRouter billed for generations that broke off: `(when, usd)`.
    interrupted_costs: RwSignal<Vec<(f64, f64)>>,
    settings: SettingsStore,
    key: KeyStore,
    draft: Draft,
    alerts: Alerts,
    history: HistoryStore,
    models: ModelList,
}

impl Studio {
    pub(super) fn new(
        settings: SettingsStore,
        key: KeyStore,
        draft: Draft,
        alerts: Alerts,
        (history, models): (HistoryStore, ModelList),
    ) -> Self {
        Studio {
            jobs: RwSignal::new(Vec::new()),
            plans: StoredValue::new_local(Vec::new()),
            in_flight: StoredValue::new_local(Vec::new()),
            next_job_id: StoredValue::new(1),
            results: RwSignal::new_local(Vec::new()),
            unseen: RwSignal::new(0),
            interrupted_costs: RwSignal::new(crate::storage::spend::interrupted_costs()),
            settings,
            key,
            draft,
            alerts,
            history,
            models,
        }
    }

    pub fn expect() -> Self {
        super::Services::expect().studio
    }

    /// The jobs, oldest first (tracked).
    pub fn jobs(&self) -> Vec<Job> {
        self.jobs.get()
    }

    /// Reads the jobs, oldest first, without copying them (tracked).
    pub fn with_jobs<T>(&self, read: impl FnOnce(&[Job]) -> T) -> T {
        self.jobs.with(|jobs| read(jobs))
    }

    pub fn is_running_untracked(&self) -> bool {
        self.jobs
            .with_untracked(|jobs| jobs.iter().any(Job::is_open))
    }

    /// Whether any job still has images queued or running (tracked).
    pub fn is_running(&self) -> bool {
        self.jobs.with(|jobs| jobs.iter().any(Job::is_open))
    }

    /// The image shown under this history id, if it is on screen (tracked).
    pub fn result(&self, id: &str) -> Option<ShownImage> {
        self.results
            .with(|shown| shown.iter().find(|image| image.id == id).cloned())
    }

    /// Images finished while the tab was hidden, not yet seen (tracked).
    pub fn unseen(&self) -> u32 {
        self.unseen.get()
    }

    /// The tab is in view again: nothing is unseen any more.
    pub fn seen(&self) {
        self.unseen.set(0);
    }

    /// Whether a failed image also gets an alert: in a job of one image, or
    /// once every image of the batch failed (the tiles say the rest).
    fn failure_needs_alert(&self, job_id: u32) -> bool {
        self.jobs.with_untracked(|jobs| {
            jobs.iter()
                .find(|j| j.id == job_id)
                .is_some_and(|j| j.images.len() == 1 || j.all_failed())
        })
    }

    /// Stops a job: its queued images are dropped, its requests aborted.
    pub fn cancel(&self, job_id: u32) {
        self.jobs.update(|jobs| {
            for image in jobs
                .iter_mut()
                .filter(|j| j.id == job_id)
                .flat_map(|j| &mut j.images)
                .filter(|i| i.state == ImageState::Queued)
            {
                image.state = ImageState::Cancelled;
            }
        });
        self.in_flight.with_value(|running| {
            for (_, handle) in running.iter().filter(|((job, _), _)| *job == job_id) {
                handle.cancel();
            }
        });
        self.release_finished_plans();
    }

    /// Stops every job.
    pub fn cancel_all(&self) {
        let open: Vec<u32> = self
            .jobs
            .with_untracked(|jobs| jobs.iter().filter(|j| j.is_open()).map(|j| j.id).collect());
        for id in open {
            self.cancel(id);
        }
    }

    /// Stops the newest job that is still open (Esc); false when there is none.
    pub fn cancel_newest(&self) -> bool {
        let newest = self
            .jobs
            .with_untracked(|jobs| jobs.iter().rev().find(|j| j.is_open()).map(|j| j.id));
        newest.inspect(|id| self.cancel(*id)).is_some()
    }

    /// Sends a failed image of a job again, with the same seed and settings.
    pub fn retry(&self, job_id: u32, index: usize) {
        let has_plan = self
            .plans
            .with_value(|plans| plans.iter().any(|p| p.job_id == job_id));
        if !has_plan {
            return;
        }
        // A key changed since is used: the old one may be why it failed.
        if let Some(key) = self.key.current_untracked() {
            self.plans.update_value(|plans| {
                for plan in plans.iter_mut().filter(|p| p.job_id == job_id) {
                    plan.config.api_key = key.clone();
                    plan._unload = Some(std::rc::Rc::new(self.history.hold_unload()));
                }
            });
        }
        self.set_state(job_id, index, ImageState::Queued);
        self.pump();
    }

    /// Adds jobs for what the form holds: the key, the prompt (or one job per
    /// line), the seed (or random ones), the batch size, the settings and the
    /// reference images. What is missing or wrong is said in the alert; the
    /// form is never touched. Returns false when nothing was queued because
    /// the prompt is empty (the form then focuses it).
    pub fn generate(&self) -> bool {
        let t = crate::i18n::core();
        let Some(api_key) = self.key.current_untracked() else {
            self.alerts.show(t.studio_needs_key.into());
            return true;
        };
        let s = self.settings.with_untracked(Clone::clone);
        let prompts = prompts_from(&self.draft.prompt().get_untracked(), s.one_prompt_per_line);
        if prompts.is_empty() {
            self.alerts.show(t.studio_needs_prompt.into());
            return false;
        }
        let first_seed = match parse_seed(&self.draft.seed().get_untracked()) {
            Ok(seed) => seed,
            Err(message) => {
                self.alerts.show(message);
                return true;
            }
        };
        let each_usd = output_size(&s.aspect_ratio, s.resolution)
            .and_then(|(w, h)| self.models.price_of(&s.model).of_image(w, h));
        let wanted = prompts.len() as u32 * s.batch_size;
        let allowed = match self.within_limit(&s, each_usd, wanted) {
            Ok(allowed) => allowed,
            Err(refusal) => {
                self.alerts.show(refusal);
                return true;
            }
        };
        let references = self.draft.references_untracked();
        let config = ClientConfig {
            api_base: s.api_base.clone(),
            api_key,
            timeout_seconds: s.timeout_seconds,
            images_api: s.images_api,
            stream: s.stream,
            idle_timeout_seconds: s.idle_timeout_seconds,
        };
        self.alerts.clear();
        let mut left = allowed;
        for prompt in prompts {
            let count = left.min(s.batch_size);
            if count == 0 {
                break;
            }
            left -= count;
            let job_id = self.next_job_id.get_value();
            self.next_job_id.set_value(job_id.wrapping_add(1));
            let seeds = batch_seeds(first_seed, count, random_u32);
            self.plans.update_value(|plans| {
                plans.push(Plan {
                    job_id,
                    request: request_for(
                        &s,
                        prompt.clone(),
                        references.iter().map(|r| r.data_url.clone()).collect(),
                    ),
                    references: references
                        .iter()
                        .map(|r| (r.record.clone(), r.blob.clone()))
                        .collect(),
                    config: config.clone(),
                    each_usd: each_usd.unwrap_or_default(),
                    _unload: Some(std::rc::Rc::new(self.history.hold_unload())),
                });
            });
            let job = Job::queued(job_id, prompt, s.aspect_ratio.clone(), seeds);
            self.jobs.update(|jobs| jobs.push(job));
        }
        if allowed < wanted
            && let Some(limit) = s.spending_limit_usd
        {
            self.alerts.show(t.studio_sending_within_limit(
                &allowed,
                &wanted,
                &format_usd(limit),
                &format_usd(untrack(|| self.spent_today())),
            ));
        }
        // Keep seed off: the next press gets a fresh seed, shown before it is used.
        if first_seed.is_some() && !s.keep_seed {
            self.draft.seed().set(random_u32().to_string());
        }
        self.forget_old_jobs();
        self.pump();
        true
    }

    /// `Copy as cURL`: the request the first image of a press would send, as a
    /// terminal command (the key as `$OPENROUTER_API_KEY`, references left
    /// out), and the sentence to show. Copies it when it can.
    pub async fn copy_as_curl(&self) -> String {
        let t = crate::i18n::later();
        let s = self.settings.with_untracked(Clone::clone);
        let Some(prompt) =
            prompts_from(&self.draft.prompt().get_untracked(), s.one_prompt_per_line)
                .into_iter()
                .next()
        else {
            return t.studio_curl_needs_prompt.into();
        };
        let (seed, random) = match parse_seed(&self.draft.seed().get_untracked()) {
            Ok(Some(seed)) => (seed, false),
            Ok(None) => (random_u32(), true),
            Err(message) => return message,
        };
        let references = self.draft.references_untracked().len();
        let mut request = request_for(&s, prompt, vec![String::new(); references]);
        request.seed = seed;
        // The same `HTTP-Referer` the client sends.
        let page_url = crate::api::client::app_url();
        let target = crate::api::curl::CurlTarget {
            api_base: &s.api_base,
            images_api: s.images_api,
            stream: s.stream,
            page_url: &page_url,
        };
        let command = crate::api::curl::curl_command(&target, &request);
        let copied = super::clipboard::copy_command(&command).await;
        let mut said = vec![copied];
        if random {
            said.push(t.studio_curl_random_seed(&seed));
        }
        if references > 0 {
            said.push(t.studio_curl_references(&crate::api::curl::reference_placeholder("N")));
        }
        said.push(t.studio_curl_set_key.into());
        said.join(" ")
    }

    /// What OpenRouter billed today (the local calendar day), from History (tracked).
    pub fn spent_today(&self) -> f64 {
        let midnight = js_sys::Date::new_0();
        midnight.set_hours(0);
        midnight.set_minutes(0);
        midnight.set_seconds(0);
        midnight.set_milliseconds(0);
        let since = midnight.get_time();
        let interrupted: f64 = self.interrupted_costs.with(|costs| {
            costs
                .iter()
                .filter(|(when, _)| *when >= since)
                .map(|(_, usd)| usd)
                .sum()
        });
        self.history.billed_since(since) + interrupted
    }

    /// How many of `wanted` images the daily spending limit lets through now
    /// (all without a limit); the refusal names the limit and what to do.
    fn within_limit(&self, s: &Settings, each: Option<f64>, wanted: u32) -> Result<u32, String> {
        let Some(limit) = s.spending_limit_usd else {
            return Ok(wanted);
        };
        let t = crate::i18n::core();
        let limit_text = format_usd(limit);
        let Some(each) = each else {
            return Err(t.studio_limit_unknown_price(&s.model, &limit_text));
        };
        let spent = untrack(|| self.spent_today());
        // Images sent or queued but not billed yet count at their estimate.
        let pending: f64 = self.jobs.with_untracked(|jobs| {
            self.plans.with_value(|plans| {
                plans
                    .iter()
                    .filter_map(|plan| {
                        let job = jobs.iter().find(|j| j.id == plan.job_id)?;
                        let open = job
                            .images
                            .iter()
                            .filter(|i| {
                                matches!(i.state, ImageState::Queued | ImageState::Running { .. })
                            })
                            .count();
                        Some(plan.each_usd * open as f64)
                    })
                    .sum()
            })
        });
        let on_its_way = if pending > 0.0 {
            t.studio_limit_pending(&format_usd(pending))
        } else {
            String::new()
        };
        match images_within_limit(limit, spent, pending, each, wanted) {
            0 => Err(t.studio_limit_reached(
                &limit_text,
                &format_usd(spent),
                &on_its_way,
                &format_usd(each),
            )),
            allowed => Ok(allowed),
        }
    }

    /// Sends queued images while request slots are free.
    fn pump(&self) {
        let parallel = self.settings.with_untracked(|s| s.parallel_requests);
        let picks = self
            .jobs
            .with_untracked(|jobs| next_to_send(jobs, parallel));
        for (j, i) in picks {
            let Some((job_id, seed)) = self
                .jobs
                .with_untracked(|jobs| jobs.get(j).map(|job| (job.id, job.images[i].seed)))
            else {
                continue;
            };
            let Some(plan) = self
                .plans
                .with_value(|plans| plans.iter().find(|p| p.job_id == job_id).cloned())
            else {
                self.set_state(job_id, i, ImageState::Cancelled);
                continue;
            };
            let handle = match CancelHandle::new() {
                Ok(handle) => handle,
                Err(e) => {
                    self.set_state(
                        job_id,
                        i,
                        ImageState::Failed {
                            reason: e.to_string(),
                        },
                    );
                    continue;
                }
            };
            self.in_flight
                .update_value(|running| running.push(((job_id, i), handle.clone())));
            self.set_state(
                job_id,
                i,
                ImageState::Running {
                    started_ms: js_sys::Date::now(),
                    phase: None,
                    retry: None,
                },
            );
            let studio = *self;
            let request = GenerationRequest {
                seed,
                ..plan.request
            };
            leptos::task::spawn_local(async move {
                let sent = Sent {
                    job_id,
                    index: i,
                    references: plan.references,
                    config: plan.config,
                    handle,
                };
                if let Err(unavailable) = run(studio, request, sent).await {
                    studio.finish(
                        job_id,
                        i,
                        ImageState::Failed {
                            reason: unavailable.to_string(),
                        },
                    );
                    studio.alerts.show(unavailable.to_string());
                }
            });
        }
    }

    fn set_state(&self, job_id: u32, index: usize, state: ImageState) {
        self.jobs.update(|jobs| {
            if let Some(image) = jobs
                .iter_mut()
                .find(|j| j.id == job_id)
                .and_then(|j| j.images.get_mut(index))
            {
                image.state = state;
            }
        });
    }

    /// Changes what a running image is doing (its phase or retry countdown).
    fn update_running(
        &self,
        job_id: u32,
        index: usize,
        change: impl FnOnce(&mut Option<Phase>, &mut Option<RetryWait>) -> bool,
    ) {
        self.jobs.update(|jobs| {
            if let Some(ImageState::Running { phase, retry, .. }) = jobs
                .iter_mut()
                .find(|j| j.id == job_id)
                .and_then(|j| j.images.get_mut(index))
                .map(|image| &mut image.state)
            {
                change(phase, retry);
            }
        });
    }

    /// An image ended: its slot is free for the next one.
    fn finish(&self, job_id: u32, index: usize, state: ImageState) {
        self.in_flight
            .update_value(|running| running.retain(|(at, _)| *at != (job_id, index)));
        self.set_state(job_id, index, state);
        self.release_finished_plans();
        self.pump();
    }

    /// A finished job no longer holds the page open (its plan stays for Retry).
    fn release_finished_plans(&self) {
        let open: Vec<u32> = self
            .jobs
            .with_untracked(|jobs| jobs.iter().filter(|j| j.is_open()).map(|j| j.id).collect());
        self.plans.update_value(|plans| {
            for plan in plans.iter_mut().filter(|p| !open.contains(&p.job_id)) {
                plan._unload = None;
            }
        });
    }

    /// Keeps the list short: the oldest finished jobs drop off, with their
    /// images on screen (History keeps them).
    fn forget_old_jobs(&self) {
        let mut dropped = Vec::new();
        self.jobs.update(|jobs| {
            while jobs.len() > KEPT_JOBS {
                let Some(at) = jobs.iter().position(|j| !j.is_open()) else {
                    break;
                };
                dropped.push(jobs.remove(at));
            }
        });
        if dropped.is_empty() {
            return;
        }
        let ids: Vec<u32> = dropped.iter().map(|j| j.id).collect();
        self.plans
            .update_value(|plans| plans.retain(|p| !ids.contains(&p.job_id)));
        let images: Vec<String> = dropped
            .iter()
            .flat_map(|j| &j.images)
            .filter_map(|i| match &i.state {
                ImageState::Done { image_id } => Some(image_id.clone()),
                _ => None,
            })
            .collect();
        let mut gone = Vec::new();
        self.results.update(|shown| {
            shown.retain(|image| {
                let keep = !images.contains(&image.id);
                if !keep {
                    gone.push(image.clone());
                }
                keep
            });
        });
        revoke(&gone);
    }
}

/// One image's request on its way: which job and image it is, and what it needs.
pub(crate) struct Sent {
    job_id: u32,
    index: usize,
    references: Vec<(ReferenceRecord, web_sys::Blob)>,
    config: ClientConfig,
    handle: CancelHandle,
}

crate::lazy_part! {
    /// One image from the request to the saved image: the entry into the
    /// `client` part, with the HTTP client, the answer's reading and what
    /// happens to the image. Prefetched when the browser is idle.
    part later, prefetch prefetch_client;
    pub(crate) async fn run(studio: Studio, request: GenerationRequest, sent: Sent) -> () {
        let Sent { job_id, index, references, config, handle } = sent;
        let alerts = studio.alerts;
        let on_wait = move |wait: Option<RetryWait>| {
            studio.update_running(job_id, index, |_, retry| {
                let changed = *retry != wait;
                *retry = wait;
                changed
            });
        };
        // A phase is shown once it has lasted a moment. The answer often
        // follows its headers (or its first data) within milliseconds, and a
        // status drawn then would only flicker and delay the image: a load
        // that ends while a changed page waits to be drawn waits for that.
        let on_phase = crate::perf::once_lasting(PHASE_SHOWN_AFTER_MS, move |now: Phase| {
            studio.update_running(job_id, index, |phase, _| {
                let changed = *phase != Some(now);
                *phase = Some(now);
                changed
            });
        });
        let outcome =
            crate::api::client::generate(&config, &request, &handle, &on_wait, &on_phase).await;
        let records: Vec<ReferenceRecord> = references.iter().map(|(r, _)| r.clone()).collect();
        let mut unreachable = None;
        let shown = outcome.and_then(|mut output| {
            unreachable = output.unreachable.take();
            show(&request, &records, output)
        });
        let shown = match shown {
            Ok(shown) => shown,
            Err(ApiError::Cancelled) => return studio.finish(job_id, index, ImageState::Cancelled),
            Err(e) => return failed(studio, job_id, index, e, &config.api_key).await,
        };
        // Some images arrived; the one that did not is offered as a link.
        if let Some(missing) = unreachable {
            alerts.show_error(&missing.into(), &config.api_key);
        }
        let shown_count = shown.len();
        // Each image loaded before the page changes: a load that ends while
        // the page around it waits to be drawn waits for that drawing too.
        let mut decoded = Vec::new();
        for (image, entry, data) in shown {
            if loaded(&image.element).await {
                crate::perf::mark("kleinbild:image-load");
                decoded.push((image, entry, data));
            } else {
                revoke(std::slice::from_ref(&image));
                if let ImageData::Held(handle) = data {
                    held::release(handle);
                }
            }
        }
        // The browser could not decode one: the data was damaged after all.
        // It is neither shown nor kept; with nothing left, the tile says so.
        let damaged = crate::i18n::later().studio_image_damaged;
        let Some((first, _, _)) = decoded.first() else {
            let reason = damaged.into();
            studio.finish(job_id, index, ImageState::Failed { reason });
            if studio.failure_needs_alert(job_id) {
                alerts.show(damaged.into());
            }
            return;
        };
        if decoded.len() < shown_count {
            alerts.show(damaged.into());
        }
        let image_id = first.id.clone();
        studio
            .results
            .update(|results| results.extend(decoded.iter().map(|(image, _, _)| image.clone())));
        // Held while saving: the job's own hold ends with it.
        let saving = studio.history.hold_unload();
        studio.finish(job_id, index, ImageState::Done { image_id });
        let notify = studio.settings.with_untracked(|s| s.notify_when_done);
        super::done_notice::images_done(studio.unseen, notify, decoded.len() as u32);
        // Shown first, then kept: a storage failure never hides the image,
        // and the thumbnail and IndexedDB work wait until the frame showing
        // it is drawn (a timer, not a frame: a hidden page draws none).
        gloo_timers::future::TimeoutFuture::new(50).await;
        for (_, entry, data) in decoded {
            if let Err(e) = studio.history.save(entry, data, references.clone()).await {
                alerts.show(save_failure_message(&e));
            }
        }
        drop(saving);
    }
}

/// An image failed: its tile says why; a job of one image, or a batch where
/// every image failed, also gets the one alert with the details and the fix.
async fn failed(studio: Studio, job_id: u32, index: usize, error: ApiError, key: &str) {
    let reason = crate::api::client::explain(error.clone(), key.to_owned())
        .await
        .map_or_else(|unavailable| unavailable.to_string(), |e| e.message);
    studio.finish(job_id, index, ImageState::Failed { reason });
    if studio.failure_needs_alert(job_id) {
        studio.alerts.show_error(&error, key);
    }
    if let ApiError::Interrupted {
        generation_id: Some(id),
    } = error
    {
        // In its own task: the request slot is free for the next image meanwhile.
        leptos::task::spawn_local(ask_what_it_cost(
            studio,
            (job_id, index),
            id,
            key.to_owned(),
        ));
    }
}

/// After a generation broke off once OpenRouter had accepted it: asks what
/// it cost (the record appears only some time after the end, 404 until then),
/// for about 30 s, then says it on the image's tile and in an alert; a cost
/// counts toward today's spend.
async fn ask_what_it_cost(studio: Studio, (job_id, index): (u32, usize), id: String, key: String) {
    let api_base = studio.settings.with_untracked(|s| s.api_base.clone());
    let mut outcome = None;
    for _ in 0..15 {
        gloo_timers::future::TimeoutFuture::new(2_000).await;
        if let Ok(Some(usd)) = crate::api::client::generation_cost(&api_base, &key, &id).await {
            outcome = Some(usd);
            break;
        }
    }
    let t = crate::i18n::later();
    let said = match outcome {
        Some(usd) if usd > 0.0 => {
            let now = js_sys::Date::now();
            crate::storage::spend::add_interrupted_cost(now, usd);
            studio
                .interrupted_costs
                .update(|costs| costs.push((now, usd)));
            t.studio_cost_billed(&format_usd(usd), &id)
        }
        Some(_) => t.studio_cost_nothing(&id),
        None => t.studio_cost_unknown(&id),
    };
    studio.jobs.update(|jobs| {
        if let Some(image) = jobs
            .iter_mut()
            .find(|j| j.id == job_id)
            .and_then(|j| j.images.get_mut(index))
            && let ImageState::Failed { reason } = &mut image.state
        {
            reason.push(' ');
            reason.push_str(&said);
        }
    });
    studio.alerts.show(t.studio_interrupted(&said));
}

fn save_failure_message(error: &StorageError) -> String {
    let t = crate::i18n::later();
    match error {
        StorageError::Quota => t.studio_save_full.into(),
        other => t.studio_save_failed(other),
    }
}

/// What to show for each image (its `data:` URL as it arrived, or an object
/// URL of its bytes), its history record and its data.
fn show(
    request: &GenerationRequest,
    references: &[ReferenceRecord],
    output: GenerationOutput,
) -> Result<Vec<(ShownImage, HistoryEntry, ImageData)>, ApiError> {
    crate::perf::mark("kleinbild:response-parsed");
    let created_ms = js_sys::Date::now();
    output
        .images
        .into_iter()
        .map(|image| {
            let unavailable = || ApiError::NoImage {
                detail: crate::i18n::later().studio_detail_not_held.into(),
            };
            let src = match &image.data {
                ImageData::DataUrl(url) => wasm_bindgen::JsValue::from_str(url),
                ImageData::Held(handle) => held::data_url(*handle, image.format.mime())
                    .ok_or_else(unavailable)?
                    .into(),
                ImageData::Bytes(bytes) => blob_from_bytes(bytes, image.format.mime())
                    .and_then(|blob| web_sys::Url::create_object_url_with_blob(&blob).ok())
                    .ok_or_else(unavailable)?
                    .into(),
            };
            // Loading starts now, while the rest is prepared.
            let element = web_sys::HtmlImageElement::new().map_err(|_| unavailable())?;
            let _ = js_sys::Reflect::set(&element, &"src".into(), &src);
            let entry = HistoryEntry {
                id: new_id(created_ms, random_u32()),
                created_ms,
                prompt: request.prompt.clone(),
                model: output
                    .model
                    .clone()
                    .unwrap_or_else(|| request.model.clone()),
                seed: request.seed,
                aspect_ratio: request.aspect_ratio.clone(),
                width: image.width,
                height: image.height,
                cost_usd: output.cost_usd,
                mime: image.format.mime().to_owned(),
                bytes: image.byte_len,
                generation_id: output.generation_id.clone(),
                favorite: false,
                references: references.to_vec(),
            }
            .sanitized();
            let shown = ShownImage {
                id: entry.id.clone(),
                src,
                element,
                prompt: request.prompt.clone(),
                seed: request.seed,
                aspect_ratio: request.aspect_ratio.clone(),
                width: image.width,
                height: image.height,
                mime: image.format.mime(),
                file_name: file_name(&request.prompt, request.seed, image.format),
                cost_usd: output.cost_usd,
                generation_id: output.generation_id.clone(),
            };
            Ok((shown, entry, image.data))
        })
        .collect()
}

/// Waits for an `<img>` to load: `false` if the browser could not decode it.
async fn loaded(image: &web_sys::HtmlImageElement) -> bool {
    use wasm_bindgen::{JsCast, JsValue};
    if image.complete() {
        return image.natural_width() > 0;
    }
    let done = js_sys::Promise::new(&mut |resolve, _| {
        let settle = |ok: bool| resolve.bind1(&JsValue::NULL, &ok.into()).unchecked_into();
        image.set_onload(Some(&settle(true)));
        image.set_onerror(Some(&settle(false)));
    });
    let ok = wasm_bindgen_futures::JsFuture::from(done).await;
    image.set_onload(None);
    image.set_onerror(None);
    ok.ok().and_then(|v| v.as_bool()).unwrap_or(false)
}

fn revoke(images: &[ShownImage]) {
    use wasm_bindgen::JsCast;
    for image in images {
        // Checked in the browser: a data URL may be megabytes long.
        let is_blob = image
            .src
            .dyn_ref::<js_sys::JsString>()
            .is_some_and(|s| s.starts_with("blob:", 0));
        if let Some(url) = image.src.as_string().filter(|_| is_blob) {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    }
}

/// What the settings ask for, for one prompt (the seed is set per image).
fn request_for(s: &Settings, prompt: String, references: Vec<String>) -> GenerationRequest {
    GenerationRequest {
        model: s.model.clone(),
        prompt,
        aspect_ratio: s.aspect_ratio.clone(),
        size: (s.resolution != Resolution::One)
            .then(|| output_size(&s.aspect_ratio, s.resolution))
            .flatten(),
        output_format: s.output_format,
        seed: 0,
        references,
    }
}

/// A random 32-bit number (seeds, ids); not for secrets.
pub(super) fn random_u32() -> u32 {
    (js_sys::Math::random() * f64::from(u32::MAX)) as u32
}
