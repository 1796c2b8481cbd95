//! The API key: in memory always, in localStorage only when remembered.

use leptos::prelude::*;

use super::{Alerts, SettingsStore};
use crate::api::ApiError;
use crate::api::client::check_key;
use crate::api::error::redact;
use crate::storage;

#[derive(Clone, Copy)]
pub struct KeyStore {
    key: RwSignal<Option<String>>,
    /// What the key panel says about the key (saved where, what OpenRouter said).
    status: RwSignal<String>,
    /// The key in a few words, for the header: what OpenRouter said last.
    badge: RwSignal<KeyBadge>,
    settings: SettingsStore,
    alerts: Alerts,
}

impl KeyStore {
    pub(super) fn new(key: Option<String>, settings: SettingsStore, alerts: Alerts) -> Self {
        KeyStore {
            key: RwSignal::new(key),
            status: RwSignal::new(String::new()),
            badge: RwSignal::new(KeyBadge::NotChecked),
            settings,
            alerts,
        }
    }

    pub fn expect() -> Self {
        super::Services::expect().key
    }

    /// The key in use (tracked).
    pub fn current(&self) -> Option<String> {
        self.key.get()
    }

    pub fn current_untracked(&self) -> Option<String> {
        self.key.get_untracked()
    }

    pub fn is_set(&self) -> bool {
        self.key.with(Option::is_some)
    }

    /// What the key panel says about the key (tracked).
    pub fn status(&self) -> String {
        self.status.get()
    }

    /// The key in a few words (tracked).
    pub fn badge(&self) -> KeyBadge {
        self.badge.get()
    }

    pub fn badge_untracked(&self) -> KeyBadge {
        self.badge.get_untracked()
    }

    pub(super) fn set_status(&self, text: String) {
        self.status.set(text);
    }

    /// Puts a key to use (pasted, or from sign-in): in memory, in localStorage
    /// if "Remember" is ticked, then asks OpenRouter about it.
    pub fn use_key(&self, value: String) {
        let t = crate::i18n::later();
        self.key.set(Some(value.clone()));
        let remembered = self.settings.with_untracked(|s| s.remember_key);
        if remembered && let Err(e) = storage::save_api_key(&value) {
            self.alerts.show(t.panels_key_not_remembered_in_use(&e));
        }
        let saved = if remembered {
            t.panels_key_saved_device
        } else {
            t.panels_key_saved_tab
        };
        self.status.set(t.panels_key_checking(&saved));
        self.check(saved);
    }

    /// Asks OpenRouter about the key in use and says what it answered, after
    /// `saved` (where the key is kept, or nothing).
    pub fn check(&self, saved: &'static str) {
        let Some(value) = self.key.get_untracked() else {
            return;
        };
        self.badge.set(KeyBadge::Checking);
        let api_base = self.settings.with_untracked(|s| s.api_base.clone());
        let store = *self;
        leptos::task::spawn_local(async move {
            let checked = check_key(&api_base, &value).await;
            // A newer key (or Forget) may have replaced this one meanwhile.
            if store
                .key
                .with_untracked(|k| k.as_deref() != Some(value.as_str()))
            {
                return;
            }
            store.badge.set(match &checked {
                Ok(info) => KeyBadge::Works(info.limit.and(info.limit_remaining)),
                Err(ApiError::InvalidKey { .. }) => KeyBadge::Invalid,
                Err(_) => KeyBadge::NotChecked,
            });
            let t = crate::i18n::later();
            store.status.set(match checked {
                Ok(info) => format!("{saved} {}", info.summary()).trim().to_owned(),
                Err(ApiError::InvalidKey { .. }) => t.panels_key_invalid.into(),
                Err(e) => t
                    .panels_key_unchecked(&saved, &redact(&e.details(), &value))
                    .trim()
                    .to_owned(),
            });
        });
    }

    /// Ticks or unticks "Remember on this device": stores or wipes the key.
    pub fn remember(&self, on: bool) {
        if let Err(message) = self.settings.update(|s| s.remember_key = on) {
            self.alerts.show(message);
        }
        match (on, self.key.get_untracked()) {
            (true, Some(current)) => {
                if let Err(e) = storage::save_api_key(&current) {
                    self.alerts
                        .show(crate::i18n::later().panels_key_not_remembered(&e));
                }
            }
            (false, _) => storage::forget_api_key(),
            _ => {}
        }
    }

    /// Wipes the key from memory and from this device.
    pub fn forget(&self) {
        self.key.set(None);
        self.badge.set(KeyBadge::NotChecked);
        storage::forget_api_key();
        self.status
            .set(crate::i18n::later().panels_key_forgotten.into());
    }
}

/// What OpenRouter said about the key in use, last time it was asked.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum KeyBadge {
    NotChecked,
    Checking,
    /// It works; the credit left under the key's limit, when it has one.
    Works(Option<f64>),
    Invalid,
}

impl KeyBadge {
    /// The header's words for the key: "Key ✓ · $4.58 left".
    pub fn text(self, key_set: bool) -> String {
        let t = crate::i18n::later();
        match (key_set, self) {
            (false, _) => t.panels_badge_add.into(),
            (true, KeyBadge::Works(Some(left))) => {
                t.panels_badge_left(&crate::generation::format_usd(left.max(0.0)))
            }
            (true, KeyBadge::Works(None)) => t.panels_badge_works.into(),
            (true, KeyBadge::Checking) => t.panels_badge_checking.into(),
            (true, KeyBadge::Invalid) => t.panels_badge_invalid.into(),
            (true, KeyBadge::NotChecked) => t.panels_badge_key.into(),
        }
    }
}
