//! The app's services, shared through context as named newtypes.

use leptos::prelude::*;

use crate::api::client::{
    CancelHandle, ClientConfig, Phase, RetryWait, generate_with_retries, performance_mark,
};
use crate::api::client::{check_key, fetch_models};
use crate::api::error::redact;
use crate::api::image::verify_image;
use crate::api::models::{MODELS_CACHE_KEY, ModelCache, ModelChoice, built_in_models};
use crate::api::{ApiError, DEFAULT_API_BASE};
use crate::generation::{GenerationOutput, GenerationRequest, file_name};
use crate::generation::{MAX_REFERENCES, data_url};
use crate::storage::history::{ReferenceRecord, content_id, new_id};
use crate::storage::{self, HistoryEntry, Settings, StorageError};
use web_sys::Blob;

mod history;
pub mod sign_in;

pub use history::{HistoryStore, blob_bytes};

/// Set at build time by `cargo xtask serve --mock`: the mock's API base.
pub const DEMO_API_BASE: Option<&str> = option_env!("KLEINBILD_DEMO_API_BASE");
/// The key the bundled mock accepts, pre-filled in demo builds only.
pub const DEMO_API_KEY: Option<&str> = option_env!("KLEINBILD_DEMO_API_KEY");

pub fn default_api_base() -> &'static str {
    DEMO_API_BASE.unwrap_or(DEFAULT_API_BASE)
}

/// Every service, provided as one context value: each `X::expect()` reads its
/// field, so the context lookup code exists once in the bundle, not per service.
#[derive(Clone, Copy)]
struct Services {
    settings: SettingsStore,
    key: KeyStore,
    alerts: Alerts,
    studio: Studio,
    history: HistoryStore,
    draft: Draft,
    models: ModelList,
}

impl Services {
    fn expect() -> Self {
        expect_context()
    }
}

impl HistoryStore {
    pub fn expect() -> Self {
        Services::expect().history
    }
}

/// Persisted settings; every change is written to localStorage.
#[derive(Clone, Copy)]
pub struct SettingsStore(pub RwSignal<Settings>);

impl SettingsStore {
    pub fn expect() -> Self {
        Services::expect().settings
    }

    pub fn get(&self) -> Settings {
        self.0.get()
    }

    /// Changes settings and saves them; returns a message if saving failed.
    pub fn update(&self, change: impl FnOnce(&mut Settings)) -> Result<(), String> {
        self.0.update(change);
        self.save()
    }

    // Not generic, so the saving code exists once, not once per caller.
    #[inline(never)]
    fn save(&self) -> Result<(), String> {
        storage::save_settings(&self.0.get_untracked())
            .map_err(|e| format!("Settings apply now but were not saved: {e}."))
    }
}

/// The API key: in memory always, in localStorage only when remembered.
#[derive(Clone, Copy)]
pub struct KeyStore(pub RwSignal<Option<String>>, RwSignal<String>);

impl KeyStore {
    pub fn expect() -> Self {
        Services::expect().key
    }

    /// What the key panel says about the key (saved where, what OpenRouter said).
    pub fn status(&self) -> RwSignal<String> {
        self.1
    }

    /// Puts a key to use (pasted, or from sign-in): in memory, in localStorage
    /// if "Remember" is ticked, then asks OpenRouter about it.
    pub fn use_key(&self, value: String, settings: SettingsStore, alerts: Alerts) {
        self.0.set(Some(value.clone()));
        let remembered = settings.0.with_untracked(|s| s.remember_key);
        if remembered && let Err(e) = storage::save_api_key(&value) {
            alerts.show(format!(
                "The key is in use but could not be remembered: {e}."
            ));
        }
        let saved = if remembered {
            "Key saved on this device."
        } else {
            "Key saved for this tab only."
        };
        let status = self.1;
        status.set(format!("{saved} Checking it with OpenRouter\u{2026}"));
        let api_base = settings.0.with_untracked(|s| s.api_base.clone());
        let key = self.0;
        leptos::task::spawn_local(async move {
            let checked = check_key(&api_base, &value).await;
            // A newer key (or Forget) may have replaced this one meanwhile.
            if key.with_untracked(|k| k.as_deref() != Some(value.as_str())) {
                return;
            }
            status.set(match checked {
                Ok(info) => format!("{saved} {}", info.summary()),
                Err(ApiError::InvalidKey { .. }) => "OpenRouter says this key is not valid (revoked, mistyped or expired). Check it, paste another, or sign in again.".into(),
                Err(e) => format!(
                    "{saved} It could not be checked ({}); it will still be used.",
                    redact(&e.details(), &value)
                ),
            });
        });
    }
}

/// What is being typed into the prompt form, shared so "Reuse settings" can fill it.
#[derive(Clone, Copy)]
pub struct Draft {
    pub prompt: RwSignal<String>,
    /// The Seed field as typed (blank = random).
    pub seed: RwSignal<String>,
    pub references: RwSignal<Vec<Reference>>,
}

/// A reference image chosen for the next generation.
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    /// Its place in the picker (two picks of the same file are two references).
    pub id: u32,
    /// Content id, name and type: stored with each entry made from it.
    pub record: ReferenceRecord,
    /// What is sent: `data:image/…;base64,…`.
    pub data_url: String,
    /// The bytes, kept in IndexedDB with the entries made from it.
    pub blob: web_sys::Blob,
    /// A `blob:` URL for the small preview.
    pub preview_url: String,
}

impl Draft {
    pub fn expect() -> Self {
        Services::expect().draft
    }

    /// Adds a verified image as a reference; the message says why not otherwise.
    pub fn add_reference(&self, name: &str, bytes: Vec<u8>, blob: &Blob) -> Result<(), String> {
        if self.references.with_untracked(Vec::len) >= MAX_REFERENCES {
            return Err(format!(
                "FLUX.2 [klein] takes at most {MAX_REFERENCES} reference images; remove one before adding \u{201c}{name}\u{201d}."
            ));
        }
        let image = verify_image(bytes).map_err(|e| {
            format!("\u{201c}{name}\u{201d} cannot be used as a reference: {e}. Use a PNG, JPEG, WebP or GIF image.")
        })?;
        let record = ReferenceRecord {
            id: content_id(&image.bytes),
            mime: image.format.mime().to_owned(),
            name: reference_name(name),
        };
        let preview_url = web_sys::Url::create_object_url_with_blob(blob).unwrap_or_default();
        self.references.update(|list| {
            let id = list.iter().map(|r| r.id).max().map_or(0, |m| m + 1);
            list.push(Reference {
                id,
                record,
                data_url: data_url(&image),
                blob: blob.clone(),
                preview_url,
            });
        });
        Ok(())
    }

    pub fn remove_reference(&self, id: u32) {
        self.references.update(|list| {
            if let Some(at) = list.iter().position(|r| r.id == id) {
                let removed = list.remove(at);
                let _ = web_sys::Url::revoke_object_url(&removed.preview_url);
            }
        });
    }

    /// Fills the form with what made `entry`: prompt, seed, aspect ratio, model
    /// and reference images (read back from storage).
    pub fn reuse(&self, entry: &HistoryEntry) {
        let services = Services::expect();
        self.prompt.set(entry.prompt.clone());
        self.seed.set(entry.seed.to_string());
        let (ratio, model) = (entry.aspect_ratio.clone(), entry.model.clone());
        if let Err(message) = services.settings.update(|s| {
            s.aspect_ratio = ratio;
            s.model = model;
        }) {
            services.alerts.show(message);
        }
        let ids: Vec<u32> = self
            .references
            .with_untracked(|r| r.iter().map(|r| r.id).collect());
        ids.into_iter().for_each(|id| self.remove_reference(id));
        let (draft, records) = (*self, entry.references.clone());
        leptos::task::spawn_local(async move {
            let mut missing = 0;
            for record in records {
                let added = match services.history.reference(&record.id).await {
                    Some(blob) => match blob_bytes(&blob).await {
                        Ok(bytes) => draft.add_reference(&record.name, bytes, &blob).is_ok(),
                        Err(_) => false,
                    },
                    None => false,
                };
                missing += usize::from(!added);
            }
            let lost = match missing {
                0 => return,
                1 => "1 reference image of this entry is".to_owned(),
                n => format!("{n} reference images of this entry are"),
            };
            services.alerts.show(format!(
                "{lost} no longer stored; everything else is back in the form. Add the references again if you need them."
            ));
        });
    }
}

/// A picked file's name as stored: printable, at most 200 characters.
fn reference_name(name: &str) -> String {
    let name: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
    if name.is_empty() {
        "reference".into()
    } else {
        name
    }
}

/// The Model select's choices: built in at first, OpenRouter's list once the
/// select is first used (fetched at most every few hours, per API base).
#[derive(Clone, Copy)]
pub struct ModelList {
    pub models: RwSignal<Vec<ModelChoice>>,
    /// Why the list is only the built-in one, when fetching it failed.
    pub notice: RwSignal<Option<String>>,
    loaded_for: StoredValue<Option<String>>,
}

impl ModelList {
    pub fn expect() -> Self {
        Services::expect().models
    }

    /// Loads the list for `api_base` unless it is already there.
    pub fn ensure_loaded(&self, api_base: &str) {
        if self
            .loaded_for
            .with_value(|b| b.as_deref() == Some(api_base))
        {
            return;
        }
        self.loaded_for.set_value(Some(api_base.to_owned()));
        let cached = storage::read(MODELS_CACHE_KEY);
        if let Some(models) =
            ModelCache::fresh_for(cached.as_deref(), api_base, js_sys::Date::now())
        {
            self.models.set(models);
            return;
        }
        let (list, api_base) = (*self, api_base.to_owned());
        leptos::task::spawn_local(async move {
            match fetch_models(&api_base).await {
                Ok(models) => {
                    let cache = ModelCache {
                        api_base,
                        fetched_ms: js_sys::Date::now(),
                        models: models.clone(),
                    };
                    let _ = storage::write(
                        MODELS_CACHE_KEY,
                        &serde_json::to_string(&cache).unwrap_or_default(),
                    );
                    list.notice.set(None);
                    list.models.set(models);
                }
                Err(e) => {
                    // Try again next time the select is used.
                    list.loaded_for.set_value(None);
                    list.notice.set(Some(format!(
                        "The model list could not be loaded ({}); FLUX.2 [klein] 4B is always available.",
                        e.details()
                    )));
                }
            }
        });
    }
}

/// Messages for the single alert region.
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    pub message: String,
    pub details: Option<String>,
    /// A page for the next step: (link text, address).
    pub link: Option<(&'static str, String)>,
}

#[derive(Clone, Copy)]
pub struct Alerts(pub RwSignal<Option<Alert>>);

impl Alerts {
    pub fn expect() -> Self {
        Services::expect().alerts
    }

    pub fn show(&self, message: String) {
        self.0.set(Some(Alert {
            message,
            details: None,
            link: None,
        }));
    }

    pub fn show_error(&self, error: &ApiError, key: &str) {
        // Both quote what the server said, and a server may repeat the key.
        use crate::api::error::redact;
        self.0.set(Some(Alert {
            message: redact(&error.user_message(), key),
            details: Some(redact(&error.details(), key)),
            link: error.help_link(),
        }));
    }

    pub fn clear(&self) {
        self.0.set(None);
    }
}

/// An image on screen, with what is needed to show and download it.
#[derive(Clone, Debug, PartialEq)]
pub struct ShownImage {
    /// `blob:` URL, revoked when the image is replaced.
    pub object_url: String,
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

/// What the studio is doing right now.
#[derive(Clone, Debug, PartialEq)]
pub enum JobState {
    Idle,
    Running { started_ms: f64 },
}

/// The generation job and its latest results.
#[derive(Clone, Copy)]
pub struct Studio {
    pub job: RwSignal<JobState>,
    /// Set while a failed attempt counts down to the next one.
    pub retry: RwSignal<Option<RetryWait>>,
    /// What a streamed answer says it is doing.
    pub phase: RwSignal<Option<Phase>>,
    pub results: RwSignal<Vec<ShownImage>>,
    cancel: StoredValue<Option<CancelHandle>, LocalStorage>,
    history: HistoryStore,
}

impl Studio {
    pub fn new(history: HistoryStore) -> Self {
        Studio {
            job: RwSignal::new(JobState::Idle),
            retry: RwSignal::new(None),
            phase: RwSignal::new(None),
            results: RwSignal::new(Vec::new()),
            cancel: StoredValue::new_local(None),
            history,
        }
    }

    pub fn expect() -> Self {
        Services::expect().studio
    }

    pub fn is_running(&self) -> bool {
        matches!(self.job.get(), JobState::Running { .. })
    }

    /// Aborts the in-flight HTTP request, if any.
    pub fn cancel(&self) {
        if let Some(handle) = self.cancel.get_value() {
            handle.cancel();
        }
    }

    /// Starts a generation unless one is running. Errors go to the alert; the
    /// prompt and settings are never touched. `references` are the request's
    /// reference images, kept with the entries it makes.
    pub fn start(
        &self,
        request: GenerationRequest,
        references: Vec<(ReferenceRecord, web_sys::Blob)>,
        config: ClientConfig,
        alerts: Alerts,
    ) {
        if self.is_running() {
            return;
        }
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
            let (retry, phase) = (studio.retry, studio.phase);
            phase.set(None);
            let on_phase = move |now: Phase| {
                if phase.get_untracked() != Some(now) {
                    phase.set(Some(now));
                }
            };
            let outcome = generate_with_retries(
                &config,
                &request,
                &handle,
                |wait| retry.set(wait),
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
            match shown {
                Ok(shown) => {
                    // Some images arrived; the one that did not is offered as a link.
                    if let Some(e) = &unreachable {
                        alerts.show_error(e, &config.api_key);
                    }
                    let old = studio.results.get_untracked();
                    studio
                        .results
                        .set(shown.iter().map(|(image, _, _)| image.clone()).collect());
                    revoke(&old);
                    // Shown first, then kept: a storage failure never hides the image.
                    let history = studio.history;
                    for (_, entry, blob) in shown {
                        if let Err(e) = history.save(entry, blob, &references).await {
                            alerts.show(save_failure_message(&e));
                        }
                    }
                }
                Err(e) => alerts.show_error(&e, &config.api_key),
            }
        });
    }
}

fn save_failure_message(error: &StorageError) -> String {
    match error {
        StorageError::Quota => "The image is shown but could not be saved: the browser's storage for this site is full. Download the image, then delete old images from History to make room.".into(),
        other => format!("The image is shown but could not be saved to History ({other}). Download it to keep it."),
    }
}

/// Object URLs for display, plus the history record and bytes of each image.
fn show(
    request: &GenerationRequest,
    references: &[ReferenceRecord],
    output: GenerationOutput,
) -> Result<Vec<(ShownImage, HistoryEntry, web_sys::Blob)>, ApiError> {
    performance_mark("kleinbild:response-parsed");
    let created_ms = js_sys::Date::now();
    output
        .images
        .iter()
        .map(|image| {
            let unavailable = || ApiError::NoImage {
                detail: "the browser could not hold the image".into(),
            };
            let blob = blob(&image.bytes, image.format.mime()).ok_or_else(unavailable)?;
            let object_url =
                web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| unavailable())?;
            let entry = HistoryEntry {
                id: new_id(
                    created_ms,
                    (js_sys::Math::random() * f64::from(u32::MAX)) as u32,
                ),
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
                bytes: image.bytes.len() as u64,
                generation_id: output.generation_id.clone(),
                favorite: false,
                references: references.to_vec(),
            }
            .sanitized();
            let shown = ShownImage {
                object_url,
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
            Ok((shown, entry, blob))
        })
        .collect()
}

pub(crate) fn blob(bytes: &[u8], mime: &str) -> Option<web_sys::Blob> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()
}

fn revoke(images: &[ShownImage]) {
    for image in images {
        let _ = web_sys::Url::revoke_object_url(&image.object_url);
    }
}

/// Creates every service and puts it into context.
pub fn provide_services() -> Option<String> {
    let settings_stored = storage::read(storage::SETTINGS_KEY).is_some();
    let (mut settings, notice) = storage::load_settings(Settings::new(default_api_base()));
    let remembered = storage::load_api_key();
    if remembered.is_some() && !settings.remember_key {
        if settings_stored && notice.is_none() {
            // The settings say "do not remember": never leave a key behind.
            storage::forget_api_key();
        } else {
            // The settings were lost or reset; the stored key shows the user's choice.
            settings.remember_key = true;
            let _ = storage::save_settings(&settings);
        }
    }
    let key = settings
        .remember_key
        .then_some(remembered)
        .flatten()
        .or_else(|| DEMO_API_KEY.map(str::to_owned));
    let history = HistoryStore::new();
    provide_context(Services {
        settings: SettingsStore(RwSignal::new(settings)),
        key: KeyStore(RwSignal::new(key), RwSignal::new(String::new())),
        alerts: Alerts(RwSignal::new(None)),
        studio: Studio::new(history),
        history,
        draft: Draft {
            prompt: RwSignal::new(String::new()),
            seed: RwSignal::new(String::new()),
            references: RwSignal::new(Vec::new()),
        },
        models: ModelList {
            models: RwSignal::new(built_in_models()),
            notice: RwSignal::new(None),
            loaded_for: StoredValue::new(None),
        },
    });
    history.load();
    let services = Services::expect();
    sign_in::finish(services.key, services.settings, services.alerts);
    notice
}
