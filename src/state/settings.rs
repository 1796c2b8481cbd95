//! The settings service: persisted on every change.

use leptos::prelude::*;

use crate::i18n::Lang;

use crate::storage::{self, Settings, validate_api_base, validate_timeout};

pub use crate::storage::TIMEOUT_RANGE;

/// Persisted settings; every change is written to localStorage.
#[derive(Clone, Copy)]
pub struct SettingsStore(RwSignal<Settings>);

impl SettingsStore {
    pub(super) fn new(settings: Settings) -> Self {
        SettingsStore(RwSignal::new(settings))
    }

    pub fn expect() -> Self {
        super::Services::expect().settings
    }

    /// A copy of the current settings (tracked).
    pub fn get(&self) -> Settings {
        self.0.get()
    }

    /// Reads one part of the settings (tracked: views using it follow changes).
    pub fn with<T>(&self, read: impl FnOnce(&Settings) -> T) -> T {
        self.0.with(read)
    }

    /// Reads one part of the settings without subscribing.
    pub fn with_untracked<T>(&self, read: impl FnOnce(&Settings) -> T) -> T {
        self.0.with_untracked(read)
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
            .map_err(|e| crate::i18n::core().panels_settings_not_saved(&e))
    }

    /// Checks and saves the connection settings as typed in the Settings
    /// panel; on success returns the API base as stored (normalised).
    /// Sets `Spending limit` from what was typed (dollars, empty for none);
    /// says what happened.
    pub fn set_spending_limit(&self, typed: &str) -> String {
        match crate::storage::parse_spending_limit(typed)
            .and_then(|limit| self.update(|s| s.spending_limit_usd = limit))
        {
            Ok(()) => crate::i18n::later().panels_saved.into(),
            Err(message) => message,
        }
    }

    pub fn set_connection(
        &self,
        api_base: &str,
        timeout: &str,
        idle_timeout: &str,
    ) -> Result<String, ConnectionProblem> {
        let t = crate::i18n::later();
        let base = validate_api_base(api_base)
            .map_err(|problem| ConnectionProblem::Invalid(t.panels_api_base_invalid(&problem)))?;
        let timeout = validate_timeout(timeout).map_err(ConnectionProblem::Invalid)?;
        let idle = validate_timeout(idle_timeout).map_err(|_| {
            ConnectionProblem::Invalid(
                t.panels_idle_timeout_invalid(&TIMEOUT_RANGE.start(), &TIMEOUT_RANGE.end()),
            )
        })?;
        let stored = base.clone();
        self.update(|s| {
            s.api_base = base;
            s.timeout_seconds = timeout;
            s.idle_timeout_seconds = idle;
        })
        .map_err(ConnectionProblem::NotSaved)?;
        Ok(stored)
    }
}

/// Why connection settings were not taken.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnectionProblem {
    /// A field is not valid; nothing changed.
    Invalid(String),
    /// Valid and in use, but localStorage refused to keep it.
    NotSaved(String),
}

/// What the Settings panel says about storage: how much is used of what the
/// browser allows, measured when asked.
pub async fn storage_use() -> String {
    use crate::storage::{format_bytes, usage};
    let t = crate::i18n::later();
    match usage().await {
        Some(u) => {
            let (used, quota) = (format_bytes(u.used_bytes), format_bytes(u.quota_bytes));
            if u.persisted {
                t.panels_storage_use_kept(&used, &quota)
            } else {
                t.panels_storage_use(&used, &quota)
            }
        }
        None => t.panels_storage_unknown.into(),
    }
}

/// The language of the browser's preferences that Kleinbild speaks (English
/// when none): what `Language` "As the browser" means.
pub fn browser_language() -> Lang {
    let preferred: Vec<String> = web_sys::window()
        .map(|w| {
            w.navigator()
                .languages()
                .iter()
                .filter_map(|l| l.as_string())
                .collect()
        })
        .unwrap_or_default();
    Lang::from_preferences(preferred.iter().map(String::as_str))
}

/// `Language` as chosen in Settings (`None`: as the browser).
pub fn chosen_language() -> Option<Lang> {
    crate::storage::settings::chosen_language()
}

/// Keeps `Language` (`None`: as the browser) and returns the language the
/// app should now speak. Each language is its own build: the caller opens
/// that build's page ([`Lang::path_from_here`]) when it is not this one.
pub fn choose_language(choice: Option<Lang>) -> Result<Lang, String> {
    crate::storage::settings::choose_language(choice)
        .map_err(|e| crate::i18n::core().panels_settings_not_saved(&e))?;
    Ok(choice.unwrap_or_else(browser_language))
}
