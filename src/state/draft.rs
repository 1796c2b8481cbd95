//! What is being typed into the prompt form, shared so "Reuse settings" and
//! "Use as reference" can fill it.

use leptos::prelude::*;
use web_sys::Blob;

use super::{Alerts, HistoryStore, SettingsStore};
use crate::generation::{
    ImageFormat, MAX_REFERENCES, OutputFormat, Resolution, SharedSettings, parse_seed,
    reference_size, to_data_url, verify_image,
};
use crate::storage::HistoryEntry;
use crate::storage::blob::blob_bytes;
use crate::storage::history::{ReferenceRecord, content_id};
use crate::storage::thumbnail::downscale;

/// The Kleinbild settings in an image file. They sit right after the PNG
/// header or the JPEG start marker, so only the file's head is read (a
/// dropped 12-megapixel photo is not read whole just to look).
async fn settings_in(
    file: &Blob,
) -> Result<crate::storage::image_meta::ImageSettings, crate::storage::image_meta::MetaError> {
    use crate::storage::image_meta::{MetaError, read_settings};
    // Two 10,000-character prompts of 4-byte characters, and the rest.
    const HEAD_BYTES: f64 = 128.0 * 1024.0;
    let head = file
        .slice_with_f64_and_f64(0.0, HEAD_BYTES)
        .map_err(|_| MetaError::NoSettings)?;
    let bytes = blob_bytes(&head).await.map_err(|_| MetaError::NoSettings)?;
    read_settings(&bytes)
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
    pub blob: Blob,
    /// A `blob:` URL for the small preview.
    pub preview_url: String,
}

#[derive(Clone, Copy)]
pub struct Draft {
    prompt: RwSignal<String>,
    /// The Seed field as typed (blank = random).
    seed: RwSignal<String>,
    references: RwSignal<Vec<Reference>>,
    settings: SettingsStore,
    alerts: Alerts,
    history: HistoryStore,
}

impl Draft {
    pub(super) fn new(settings: SettingsStore, alerts: Alerts, history: HistoryStore) -> Self {
        Draft {
            // Whatever was typed before the app started is kept.
            prompt: RwSignal::new(crate::shell::typed_prompt()),
            seed: RwSignal::new(String::new()),
            references: RwSignal::new(Vec::new()),
            settings,
            alerts,
            history,
        }
    }

    pub fn expect() -> Self {
        super::Services::expect().draft
    }

    /// The Prompt field, bound both ways.
    pub fn prompt(&self) -> RwSignal<String> {
        self.prompt
    }

    /// The Seed field as typed, bound both ways.
    /// Puts a fresh random seed into the Seed field (`New seed`).
    pub fn new_seed(&self) {
        self.seed().set(super::studio::random_u32().to_string());
    }

    pub fn seed(&self) -> RwSignal<String> {
        self.seed
    }

    /// The chosen reference images (tracked).
    pub fn references(&self) -> Vec<Reference> {
        self.references.get()
    }

    pub fn reference_count(&self) -> usize {
        self.references.with(Vec::len)
    }

    pub(super) fn references_untracked(&self) -> Vec<Reference> {
        self.references.get_untracked()
    }

    /// Adds an image as a reference: checked, made ≤ 1 MP (re-encoded in the
    /// browser) when larger, then kept. The message says why not otherwise.
    pub async fn add_reference(
        &self,
        name: &str,
        blob: Blob,
        from: Option<String>,
    ) -> Result<(), String> {
        let t = crate::i18n::later();
        let full = || t.studio_references_full(&MAX_REFERENCES, &name);
        if self.references.with_untracked(Vec::len) >= MAX_REFERENCES {
            return Err(full());
        }
        let unusable = |e: String| t.studio_reference_unusable(&name, &e);
        let read = |blob: Blob| async move {
            let bytes = blob_bytes(&blob)
                .await
                .map_err(|_| t.studio_reference_unreadable.to_owned())?;
            verify_image(bytes).map_err(|e| e.to_string())
        };
        let mut image = read(blob.clone()).await.map_err(unusable)?;
        let mut blob = blob;
        if let Some((w, h)) = reference_size(image.width, image.height) {
            let png = image.format == ImageFormat::Png;
            blob = downscale(&blob, w, h, png)
                .await
                .map_err(|_| unusable(t.studio_reference_not_smaller.into()))?;
            image = read(blob.clone()).await.map_err(unusable)?;
        }
        // Another one may have been added while this one was read.
        if self.references.with_untracked(Vec::len) >= MAX_REFERENCES {
            return Err(full());
        }
        let record = ReferenceRecord {
            id: content_id(&image.bytes),
            mime: image.format.mime().to_owned(),
            name: reference_name(name),
            from,
        };
        let preview_url = web_sys::Url::create_object_url_with_blob(&blob).unwrap_or_default();
        self.references.update(|list| {
            let id = list.iter().map(|r| r.id).max().map_or(0, |m| m + 1);
            list.push(Reference {
                id,
                record,
                data_url: to_data_url(&image),
                blob,
                preview_url,
            });
        });
        Ok(())
    }

    /// Adds picked, dropped or pasted files in order; the first failure is
    /// shown and stops the rest.
    pub fn add_files(&self, files: Vec<web_sys::File>) {
        let (draft, alerts) = (*self, self.alerts);
        leptos::task::spawn_local(async move {
            for file in files {
                if let Err(message) = draft.add_reference(&file.name(), file.into(), None).await {
                    alerts.show(message);
                    break;
                }
            }
        });
    }

    /// Moves a reference one place earlier or later: their order is their
    /// number (image 1 … image 4), which prompts refer to.
    pub fn move_reference(&self, id: u32, earlier: bool) {
        self.references.update(|list| {
            let Some(at) = list.iter().position(|r| r.id == id) else {
                return;
            };
            let to = if earlier {
                at.checked_sub(1)
            } else {
                Some(at + 1)
            };
            if let Some(to) = to.filter(|&to| to < list.len()) {
                list.swap(at, to);
            }
        });
    }

    /// Adds a History image as a reference.
    pub fn use_as_reference(&self, entry: &HistoryEntry) {
        let (draft, alerts, history) = (*self, self.alerts, self.history);
        let entry = entry.clone();
        leptos::task::spawn_local(async move {
            let Some(blob) = history.blob(&entry.id, false).await else {
                return;
            };
            if let Err(message) = draft
                .add_reference(&entry.download_name(), blob, Some(entry.id.clone()))
                .await
            {
                alerts.show(message);
            }
        });
    }

    pub fn remove_reference(&self, id: u32) {
        self.references.update(|list| {
            if let Some(at) = list.iter().position(|r| r.id == id) {
                let removed = list.remove(at);
                let _ = web_sys::Url::revoke_object_url(&removed.preview_url);
            }
        });
    }

    /// The form as a share link carries it: never the key or the references
    /// themselves, only how many were left out.
    pub fn shared_settings(&self) -> Result<SharedSettings, String> {
        let seed = parse_seed(&self.seed.get_untracked())?;
        Ok(self.settings.with_untracked(|s| SharedSettings {
            prompt: self.prompt.get_untracked(),
            model: s.model.clone(),
            seed,
            aspect_ratio: s.aspect_ratio.clone(),
            resolution: s.resolution,
            batch_size: s.batch_size,
            references_left_out: self.reference_count(),
        }))
    }

    /// Fills the form from a share link (nothing is sent).
    pub fn apply_shared(&self, shared: &SharedSettings) {
        self.prompt.set(shared.prompt.clone());
        self.seed
            .set(shared.seed.map(|s| s.to_string()).unwrap_or_default());
        if let Err(message) = self.settings.update(|s| {
            s.model = shared.model.clone();
            s.aspect_ratio = shared.aspect_ratio.clone();
            s.resolution = shared.resolution;
            s.batch_size = shared.batch_size;
        }) {
            self.alerts.show(message);
        }
    }

    /// Fills the form from the settings a downloaded image carries; says what
    /// happened (the form stays as it was when there are none).
    pub async fn load_settings_from_image(&self, name: &str, file: Blob) -> String {
        match settings_in(&file).await {
            Ok(image) => {
                self.apply_image_settings(image);
                crate::i18n::later().studio_settings_loaded(&name)
            }
            Err(error) => error.message(name),
        }
    }

    /// Prompt, model, seed, aspect ratio and resolution from an image file
    /// (the number of images stays).
    fn apply_image_settings(&self, image: crate::storage::image_meta::ImageSettings) {
        let batch_size = self.settings.with_untracked(|s| s.batch_size);
        self.apply_shared(&SharedSettings {
            prompt: image.prompt,
            model: image.model,
            seed: Some(image.seed),
            aspect_ratio: image.aspect_ratio,
            resolution: image.resolution,
            batch_size,
            references_left_out: 0,
        });
    }

    /// Files dropped on the page: an image downloaded from Kleinbild fills
    /// the form with its settings; any other file is offered as a reference.
    pub fn add_dropped(&self, files: Vec<web_sys::File>) {
        let (draft, alerts) = (*self, self.alerts);
        leptos::task::spawn_local(async move {
            let mut references = Vec::new();
            for file in files {
                match settings_in(&file).await.ok() {
                    Some(image) => {
                        draft.apply_image_settings(image);
                        alerts.show(crate::i18n::later().studio_settings_dropped(&file.name()));
                    }
                    None => references.push(file),
                }
            }
            draft.add_files(references);
        });
    }

    /// Fills the form with what made `entry`: prompt, seed, aspect ratio, model
    /// and reference images (read back from storage).
    pub fn reuse(&self, entry: &HistoryEntry) {
        self.prompt.set(entry.prompt.clone());
        self.seed.set(entry.seed.to_string());
        let (ratio, model) = (entry.aspect_ratio.clone(), entry.model.clone());
        // Size and format as the image has them: what it was made at.
        let resolution = Resolution::of_pixels(entry.width, entry.height);
        let format = if entry.mime == "image/jpeg" {
            OutputFormat::Jpeg
        } else {
            OutputFormat::Png
        };
        if let Err(message) = self.settings.update(|s| {
            s.aspect_ratio = ratio;
            s.model = model;
            s.resolution = resolution;
            s.output_format = format;
        }) {
            self.alerts.show(message);
        }
        let ids: Vec<u32> = self
            .references
            .with_untracked(|r| r.iter().map(|r| r.id).collect());
        ids.into_iter().for_each(|id| self.remove_reference(id));
        let (draft, records) = (*self, entry.references.clone());
        leptos::task::spawn_local(async move {
            let mut missing = 0;
            for record in records {
                let added = match draft.history.reference(&record.id).await {
                    Some(blob) => draft
                        .add_reference(&record.name, blob, record.from.clone())
                        .await
                        .is_ok(),
                    None => false,
                };
                missing += usize::from(!added);
            }
            let t = crate::i18n::core();
            draft.alerts.show(match missing {
                0 => return,
                1 => t.studio_references_lost_one.into(),
                n => t.studio_references_lost_other(&n),
            });
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
