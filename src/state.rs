//! The app's services, shared through context as named newtypes.

use leptos::prelude::*;

use crate::api::client::{CancelHandle, ClientConfig, generate, performance_mark};
use crate::api::{ApiError, DEFAULT_API_BASE};
use crate::generation::{GenerationOutput, GenerationRequest, file_name};
use crate::storage::{self, Settings};

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
}

impl Services {
    fn expect() -> Self {
        expect_context()
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
pub struct KeyStore(pub RwSignal<Option<String>>);

impl KeyStore {
    pub fn expect() -> Self {
        Services::expect().key
    }
}

/// Messages for the single alert region.
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    pub message: String,
    pub details: Option<String>,
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
        }));
    }

    pub fn show_error(&self, error: &ApiError, key: &str) {
        self.0.set(Some(Alert {
            message: error.user_message(),
            details: Some(crate::api::error::redact(&error.details(), key)),
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
    pub results: RwSignal<Vec<ShownImage>>,
    cancel: StoredValue<Option<CancelHandle>, LocalStorage>,
}

impl Studio {
    pub fn new() -> Self {
        Studio {
            job: RwSignal::new(JobState::Idle),
            results: RwSignal::new(Vec::new()),
            cancel: StoredValue::new_local(None),
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
    /// prompt and settings are never touched.
    pub fn start(&self, request: GenerationRequest, config: ClientConfig, alerts: Alerts) {
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
            let outcome = generate(&config, &request, &handle).await;
            studio.cancel.set_value(None);
            studio.job.set(JobState::Idle);
            match outcome.and_then(|output| show(&request, output)) {
                Ok(images) => {
                    let old = studio.results.get_untracked();
                    studio.results.set(images);
                    revoke(&old);
                }
                Err(e) => alerts.show_error(&e, &config.api_key),
            }
        });
    }
}

impl Default for Studio {
    fn default() -> Self {
        Self::new()
    }
}

fn show(
    request: &GenerationRequest,
    output: GenerationOutput,
) -> Result<Vec<ShownImage>, ApiError> {
    performance_mark("kleinbild:response-parsed");
    output
        .images
        .iter()
        .map(|image| {
            let object_url =
                object_url(&image.bytes, image.format.mime()).ok_or_else(|| ApiError::NoImage {
                    detail: "the browser could not hold the image".into(),
                })?;
            Ok(ShownImage {
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
            })
        })
        .collect()
}

fn object_url(bytes: &[u8], mime: &str) -> Option<String> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

fn revoke(images: &[ShownImage]) {
    for image in images {
        let _ = web_sys::Url::revoke_object_url(&image.object_url);
    }
}

/// Creates every service and puts it into context.
pub fn provide_services() -> Option<String> {
    let (settings, notice) = storage::load_settings(Settings::new(default_api_base()));
    let key = if settings.remember_key {
        storage::load_api_key()
    } else {
        None
    }
    .or_else(|| DEMO_API_KEY.map(str::to_owned));
    provide_context(Services {
        settings: SettingsStore(RwSignal::new(settings)),
        key: KeyStore(RwSignal::new(key)),
        alerts: Alerts(RwSignal::new(None)),
        studio: Studio::new(),
    });
    notice
}
