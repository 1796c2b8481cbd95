//! The studio service: turns the form into a request, runs it, shows the
//! images, then hands them to the history.

use leptos::prelude::*;

use super::{Alerts, Draft, HistoryStore, KeyStore, SettingsStore};
use crate::api::ApiError;
use crate::api::client::{CancelHandle, ClientConfig, held};
use crate::generation::{
    GenerationOutput, GenerationRequest, ImageData, JobState, Phase, RetryWait, file_name,
    parse_seed,
};
use crate::storage::blob::blob_from_bytes;
use crate::storage::history::{ReferenceRecord, new_id};
use crate::storage::{HistoryEntry, StorageError};

/// An image on screen, with what is needed to show and download it.
#[derive(Clone, Debug, PartialEq)]
pub struct ShownImage {
    /// Its history id.
    pub id: String,
    /// What the `<img>` shows and the Download link saves, as a JS string: the
    /// `data:` URL as it arrived (the browser decodes it), or a `blob:` URL
    /// (revoked when the image is replaced).
    pub src: wasm_bindgen::JsValue,
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

/// The generation job and its latest results.
#[derive(Clone, Copy)]
pub struct Studio {
    job: RwSignal<JobState>,
    /// Set while a failed attempt counts down to the next one.
    retry: RwSignal<Option<RetryWait>>,
    /// What a streamed answer says it is doing.
    phase: RwSignal<Option<Phase>>,
    results: RwSignal<Vec<ShownImage>, LocalStorage>,
    /// Ids of the results whose `<img>` has loaded (or failed): their saving starts then.
    painted: RwSignal<Vec<String>>,
    /// Ids of results the browser could not decode: not kept.
    broken: StoredValue<Vec<String>>,
    cancel: StoredValue<Option<CancelHandle>, LocalStorage>,
    settings: SettingsStore,
    key: KeyStore,
    draft: Draft,
    alerts: Alerts,
    history: HistoryStore,
}

impl Studio {
    pub(super) fn new(
        settings: SettingsStore,
        key: KeyStore,
        draft: Draft,
        alerts: Alerts,
        history: HistoryStore,
    ) -> Self {
        Studio {
            job: RwSignal::new(JobState::Idle),
            retry: RwSignal::new(None),
            phase: RwSignal::new(None),
            results: RwSignal::new_local(Vec::new()),
            painted: RwSignal::new(Vec::new()),
            broken: StoredValue::new(Vec::new()),
            cancel: StoredValue::new_local(None),
            settings,
            key,
            draft,
            alerts,
            history,
        }
    }

    pub fn expect() -> Self {
        super::Services::expect().studio
    }

    /// What the studio is doing (tracked).
    pub fn job(&self) -> JobState {
        self.job.get()
    }

    pub fn is_running(&self) -> bool {
        matches!(self.job.get(), JobState::Running { .. })
    }

    /// The countdown to the next attempt, while there is one (tracked).
    pub fn retry(&self) -> Option<RetryWait> {
        self.retry.get()
    }

    /// What a streamed answer says it is doing (tracked).
    pub fn phase(&self) -> Option<Phase> {
        self.phase.get()
    }

    /// The latest generation's images (tracked).
    pub fn results(&self) -> Vec<ShownImage> {
        self.results.get()
    }

    /// Called by the results view when an image's `<img>` has loaded or
    /// failed: the image is on screen, so its saving may use the CPU now.
    pub fn image_painted(&self, id: &str) {
        self.painted.update(|ids| ids.push(id.to_owned()));
    }

    /// Called by the results view when the browser could not decode an
    /// image: the answer's data was damaged after all. It is not kept.
    pub fn image_broken(&self, id: &str) {
        self.broken.update_value(|ids| ids.push(id.to_owned()));
        self.image_painted(id);
        self.alerts.show(
            "The image arrived damaged: the browser could not decode it, so it is neither shown nor kept. Nothing was lost otherwise; try again."
                .into(),
        );
    }

    /// Waits until every one of `ids` is painted, at most a few seconds (an
    /// image replaced before it loaded is saved all the same).
    async fn until_painted(&self, ids: &[String]) {
        let until = js_sys::Date::now() + 3000.0;
        while js_sys::Date::now() < until
            && !self
                .painted
                .with_untracked(|painted| ids.iter().all(|id| painted.contains(id)))
        {
            gloo_timers::future::TimeoutFuture::new(16).await;
        }
    }

    /// Aborts the in-flight HTTP request, if any.
    pub fn cancel(&self) {
        if let Some(handle) = self.cancel.get_value() {
            handle.cancel();
        }
    }

    /// Generates from what the form holds: the key, the prompt, the seed (or a
    /// random one), the settings and the reference images. What is missing or
    /// wrong is said in the alert; the form is never touched. Returns false when
    /// nothing was started because the prompt is empty (the form then focuses it).
    pub fn generate(&self) -> bool {
        if self.is_running() {
            return true;
        }
        let Some(api_key) = self.key.current_untracked() else {
            self.alerts.show("Add your OpenRouter API key first: paste it into \u{201c}OpenRouter API key\u{201d} and press Enter.".into());
            return true;
        };
        let prompt = self.draft.prompt().get_untracked();
        if prompt.trim().is_empty() {
            self.alerts
                .show("Type a prompt first: describe the image you want.".into());
            return false;
        }
        let seed = match parse_seed(&self.draft.seed().get_untracked()) {
            Ok(Some(seed)) => seed,
            Ok(None) => random_u32(),
            Err(message) => {
                self.alerts.show(message);
                return true;
            }
        };
        let s = self.settings.with_untracked(Clone::clone);
        let references = self.draft.references_untracked();
        self.start(
            GenerationRequest {
                model: s.model,
                prompt: prompt.trim().to_owned(),
                aspect_ratio: s.aspect_ratio,
                seed,
                references: references.iter().map(|r| r.data_url.clone()).collect(),
            },
            references.into_iter().map(|r| (r.record, r.blob)).collect(),
            ClientConfig {
                api_base: s.api_base,
                api_key,
                timeout_seconds: s.timeout_seconds,
                images_api: s.images_api,
                stream: s.stream,
                idle_timeout_seconds: s.idle_timeout_seconds,
            },
        );
        true
    }

    /// Runs one request. Errors go to the alert; the prompt and settings are
    /// never touched. `references` are kept with the entries it makes.
    fn start(
        &self,
        request: GenerationRequest,
        references: Vec<(ReferenceRecord, web_sys::Blob)>,
        config: ClientConfig,
    ) {
        let alerts = self.alerts;
        let handle = match CancelHandle::new() {
            Ok(handle) => handle,
            Err(e) => return alerts.show_error(&e, &config.api_key),
        };
        alerts.clear();
        self.cancel.set_value(Some(handle.clone()));
        self.job.set(JobState::Running {
            started_ms: js_sys::Date::now(),
        });
        let studio = *self;
        leptos::task::spawn_local(async move {
            if let Err(unavailable) = run(studio, request, references, config, handle).await {
                studio.cancel.set_value(None);
                studio.job.set(JobState::Idle);
                studio.alerts.show(unavailable.to_string());
            }
        });
    }
}

crate::lazy_part! {
    /// One generation from the request to the saved images: the entry into
    /// the `client` part, with the HTTP client, the answer's reading and what
    /// happens to the images. Prefetched when the browser is idle.
    part client, prefetch prefetch_client;
    pub(crate) async fn run(
        studio: Studio,
        request: GenerationRequest,
        references: Vec<(ReferenceRecord, web_sys::Blob)>,
        config: ClientConfig,
        handle: CancelHandle,
    ) -> () {
        let (alerts, retry, phase) = (studio.alerts, studio.retry, studio.phase);
        phase.set(None);
        let on_phase = move |now: Phase| {
            if phase.get_untracked() != Some(now) {
                phase.set(Some(now));
            }
        };
        let outcome = crate::api::client::generate(
            &config,
            &request,
            &handle,
            &move |wait| retry.set(wait),
            &on_phase,
        )
        .await;
        phase.set(None);
        studio.cancel.set_value(None);
        studio.job.set(JobState::Idle);
        let records: Vec<ReferenceRecord> = references.iter().map(|(r, _)| r.clone()).collect();
        let mut unreachable = None;
        let shown = outcome.and_then(|mut output| {
            unreachable = output.unreachable.take();
            show(&request, &records, output)
        });
        let shown = match shown {
            Ok(shown) => shown,
            Err(e) => return alerts.show_error(&e, &config.api_key),
        };
        // Some images arrived; the one that did not is offered as a link.
        if let Some(missing) = unreachable {
            alerts.show_error(&missing.into(), &config.api_key);
        }
        let old = studio.results.get_untracked();
        let ids: Vec<String> = shown.iter().map(|(image, _, _)| image.id.clone()).collect();
        studio
            .results
            .set(shown.iter().map(|(image, _, _)| image.clone()).collect());
        revoke(&old);
        // Shown first, then kept: a storage failure never hides the image,
        // and the thumbnail and IndexedDB work wait for its paint.
        let saving = studio.history.hold_unload();
        studio.until_painted(&ids).await;
        for (_, entry, data) in shown {
            if studio.broken.with_value(|ids| ids.contains(&entry.id)) {
                if let ImageData::Held(handle) = data {
                    held::release(handle);
                }
                continue;
            }
            if let Err(e) = studio.history.save(entry, data, references.clone()).await {
                alerts.show(save_failure_message(&e));
            }
        }
        drop(saving);
    }
}

fn save_failure_message(error: &StorageError) -> String {
    match error {
        StorageError::Quota => "The image is shown but could not be saved: the browser's storage for this site is full. Download the image, then delete old images from History to make room.".into(),
        other => format!("The image is shown but could not be saved to History ({other}). Download it to keep it."),
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
                detail: "the browser could not hold the image".into(),
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

/// A random 32-bit number (seeds, ids); not for secrets.
fn random_u32() -> u32 {
    (js_sys::Math::random() * f64::from(u32::MAX)) as u32
}
