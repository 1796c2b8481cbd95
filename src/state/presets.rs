//! The presets service: named settings, read from localStorage when first
//! used (the code loads with the part that shows them).

use leptos::prelude::*;

use super::SettingsStore;
use crate::storage::presets::{Preset, load_presets, save_presets};

#[derive(Clone, Copy)]
pub struct Presets {
    /// `None` until first read.
    list: RwSignal<Option<Vec<Preset>>>,
    settings: SettingsStore,
}

impl Presets {
    pub(super) fn new(settings: SettingsStore) -> Self {
        Presets {
            list: RwSignal::new(None),
            settings,
        }
    }

    pub fn expect() -> Self {
        super::Services::expect().presets
    }

    /// The presets' names, in the order they were saved (tracked).
    pub fn names(&self) -> Vec<String> {
        if self.list.with_untracked(Option::is_none) {
            self.list.set(Some(load_presets()));
        }
        self.list
            .with(|list| list.iter().flatten().map(|p| p.name.clone()).collect())
    }

    /// Reads the presets again if they are shown (an import may have added some).
    pub fn refresh(&self) {
        if self.list.with_untracked(Option::is_some) {
            self.list.set(Some(load_presets()));
        }
    }

    /// `Save preset`: the current settings under `name` (replacing a preset
    /// of that name). Returns what to tell the user.
    pub fn save_current(&self, name: &str) -> String {
        let t = crate::i18n::later();
        let preset = match self
            .settings
            .with_untracked(|s| Preset::from_settings(name, s))
        {
            Ok(preset) => preset,
            Err(message) => return message,
        };
        let mut list = self.list.get_untracked().unwrap_or_else(load_presets);
        let replaced = list.iter().position(|p| p.name == preset.name);
        let said = match replaced {
            Some(at) => {
                list[at] = preset.clone();
                t.gallery_preset_updated(&preset.name)
            }
            None if list.len() >= crate::storage::presets::MAX_PRESETS => {
                return t.gallery_preset_limit.into();
            }
            None => {
                list.push(preset.clone());
                t.gallery_preset_saved(&preset.name)
            }
        };
        let saved = save_presets(&list);
        self.list.set(Some(list));
        match saved {
            Ok(()) => said,
            Err(e) => t.gallery_preset_for_this_tab(&said, &e),
        }
    }

    /// `Presets`: puts the preset's settings in place.
    pub fn apply(&self, name: &str) -> String {
        let t = crate::i18n::later();
        let Some(preset) = self
            .list
            .with_untracked(|l| l.iter().flatten().find(|p| p.name == name).cloned())
        else {
            return t.gallery_preset_gone(&name);
        };
        match self.settings.update(|s| preset.apply_to(s)) {
            Ok(()) => t.gallery_preset_applied(&preset.name),
            Err(message) => message,
        }
    }
}
