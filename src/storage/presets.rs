//! Presets: named sets of generation settings (model, aspect ratio,
//! resolution, format, seed mode, batch size), kept in localStorage and
//! carried in the history export. Pure Rust apart from `load`/`save`.

use super::{Settings, StorageError, local};
use crate::generation::{ASPECT_RATIOS, MAX_BATCH, OutputFormat, Resolution, is_model_id};
use crate::json::{Loose, ObjectWriter, list_of};

pub const PRESETS_KEY: &str = "kleinbild.presets.v1";
/// More than anyone picks from a list; a hostile import cannot flood it.
pub const MAX_PRESETS: usize = 50;
pub const MAX_PRESET_NAME: usize = 60;

#[derive(Debug, Clone, PartialEq)]
pub struct Preset {
    pub name: String,
    pub model: String,
    pub aspect_ratio: String,
    pub resolution: Resolution,
    pub output_format: OutputFormat,
    pub keep_seed: bool,
    pub batch_size: u32,
}

impl Preset {
    /// The current settings under `name`; the name is tidied (spaces, control
    /// characters) and must not end up empty.
    pub fn from_settings(name: &str, s: &Settings) -> Result<Preset, String> {
        let name = preset_name(name).ok_or(crate::i18n::later().gallery_preset_name_missing)?;
        Ok(Preset {
            name,
            model: s.model.clone(),
            aspect_ratio: s.aspect_ratio.clone(),
            resolution: s.resolution,
            output_format: s.output_format,
            keep_seed: s.keep_seed,
            batch_size: s.batch_size,
        })
    }

    pub fn apply_to(&self, s: &mut Settings) {
        s.model = self.model.clone();
        s.aspect_ratio = self.aspect_ratio.clone();
        s.resolution = self.resolution;
        s.output_format = self.output_format;
        s.keep_seed = self.keep_seed;
        s.batch_size = self.batch_size;
    }

    fn to_json(&self) -> String {
        ObjectWriter::default()
            .text("name", &self.name)
            .text("model", &self.model)
            .text("aspect_ratio", &self.aspect_ratio)
            .whole("resolution_mp", u64::from(self.resolution.megapixels()))
            .text("output_format", self.output_format.api_name())
            .flag("keep_seed", self.keep_seed)
            .whole("batch_size", u64::from(self.batch_size))
            .finish()
    }

    /// A preset as [`Self::to_json`] wrote it; `None` when any field is
    /// missing or not one the studio offers.
    fn from_loose(value: &Loose) -> Option<Preset> {
        let text = |key: &str| value.get(key).and_then(Loose::as_text);
        let whole = |key: &str| match value.get(key) {
            Some(Loose::UInt(n)) => Some(*n),
            _ => None,
        };
        Some(Preset {
            name: preset_name(text("name")?)?,
            model: text("model").filter(|m| is_model_id(m))?.to_owned(),
            aspect_ratio: text("aspect_ratio")
                .filter(|r| ASPECT_RATIOS.iter().any(|(label, _, _)| label == r))?
                .to_owned(),
            resolution: Resolution::from_megapixels(whole("resolution_mp")?)?,
            output_format: OutputFormat::from_api_name(text("output_format")?)?,
            keep_seed: match value.get("keep_seed")? {
                Loose::Bool(on) => *on,
                _ => return None,
            },
            batch_size: u32::try_from(whole("batch_size")?)
                .ok()
                .filter(|n| (1..=MAX_BATCH).contains(n))?,
        })
    }
}

/// A name as kept: control characters dropped, spaces collapsed, at most
/// [`MAX_PRESET_NAME`] characters; `None` when nothing is left.
pub fn preset_name(raw: &str) -> Option<String> {
    let name = raw
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let name: String = name.chars().take(MAX_PRESET_NAME).collect();
    let name = name.trim_end().to_owned();
    (!name.is_empty()).then_some(name)
}

/// `[{…},{…}]`.
pub fn presets_to_json(presets: &[Preset]) -> String {
    list_of(presets.iter().map(Preset::to_json))
}

/// The presets in a JSON list: damaged ones are left out, a name seen
/// before is skipped, at most [`MAX_PRESETS`].
pub fn presets_from_loose(value: Option<&Loose>) -> Vec<Preset> {
    let Some(Loose::List(items)) = value else {
        return Vec::new();
    };
    let mut presets: Vec<Preset> = Vec::new();
    for preset in items.iter().filter_map(Preset::from_loose) {
        if presets.len() < MAX_PRESETS && !presets.iter().any(|p| p.name == preset.name) {
            presets.push(preset);
        }
    }
    presets
}

/// Adds `incoming` presets whose names are new, up to [`MAX_PRESETS`];
/// returns how many were added. Presets already here win.
pub fn merge_presets(presets: &mut Vec<Preset>, incoming: Vec<Preset>) -> usize {
    let before = presets.len();
    for preset in incoming {
        if presets.len() < MAX_PRESETS && !presets.iter().any(|p| p.name == preset.name) {
            presets.push(preset);
        }
    }
    presets.len() - before
}

pub fn load_presets() -> Vec<Preset> {
    local::read(PRESETS_KEY)
        .and_then(|raw| Loose::parse(&raw).ok())
        .map(|list| presets_from_loose(Some(&list)))
        .unwrap_or_default()
}

pub fn save_presets(presets: &[Preset]) -> Result<(), StorageError> {
    local::write(PRESETS_KEY, &presets_to_json(presets))
}
