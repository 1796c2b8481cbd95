//! The app's services, shared through context as named newtypes with private
//! fields and methods named for what they do. Components talk to these only;
//! these talk to `api` and `storage`.

use leptos::prelude::*;

mod alerts;
pub mod clipboard;
mod done_notice;
mod draft;
mod history;
mod key;
mod models;
mod presets;
mod settings;
mod share;
pub mod sign_in;
mod studio;

pub use alerts::{Alert, Alerts};
pub use done_notice::ask_to_notify;
pub use draft::{Draft, Reference};
pub(crate) use history::prefetch_history;
pub use history::{Exported, HistoryStore, TransferError, UNDO_SECONDS};
pub use key::{KeyBadge, KeyStore};
pub use models::ModelList;
pub use presets::Presets;
pub use settings::{
    ConnectionProblem, SettingsStore, TIMEOUT_RANGE, browser_language, choose_language,
    chosen_language, storage_use,
};
pub use share::{copy_share_link, open_share_links};
pub(crate) use studio::prefetch_client;
pub use studio::{ShownImage, Studio};

// The record types components show; the storage behind them stays here.
pub use crate::storage::history::{
    GALLERY_PAGE, HistoryQuery, MAX_PROMPT_CHARS, ShownEntry, descendants, lineage,
};
pub use crate::storage::{HistoryEntry, Settings};

use crate::api::DEFAULT_API_BASE;
use crate::storage;

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
    presets: Presets,
}

impl Services {
    fn expect() -> Self {
        expect_context()
    }
}

/// Creates every service and puts it into context. Returns a notice for the
/// user when saved settings had to be reset.
pub fn provide_services() -> Option<String> {
    let settings_stored = storage::settings::settings_stored();
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
    let settings = SettingsStore::new(settings);
    let alerts = Alerts::new();
    let key = KeyStore::new(key, settings, alerts);
    let history = HistoryStore::new();
    let draft = Draft::new(settings, alerts, history);
    let models = ModelList::new();
    let services = Services {
        settings,
        key,
        alerts,
        studio: Studio::new(settings, key, draft, alerts, (history, models)),
        history,
        draft,
        models,
        presets: Presets::new(settings),
    };
    provide_context(services);
    history.load();
    if sign_in::returned_from_sign_in() {
        leptos::task::spawn_local(async move {
            if let Err(problem) = sign_in::finish(key, alerts).await {
                alerts.show(problem.to_string());
            }
        });
    }
    notice
}
