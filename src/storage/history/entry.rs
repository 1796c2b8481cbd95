//! One stored image's record: its fields, the rules every stored, exported
//! and imported record obeys, and the one decoder that reads a record in any
//! of its shapes (IndexedDB, the localStorage index, an export manifest).

use crate::generation::{ImageFormat, MAX_REFERENCES, file_name};
use crate::json::{Fields, Loose, ObjectWriter, list_of};

/// Everything known about one stored image. IndexedDB holds this next to the
/// image bytes (the source of truth); the localStorage index holds a copy.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    /// Stable local id (also the IndexedDB key): `img-<created_ms>-<random>`.
    pub id: String,
    /// Creation time, ms since the Unix epoch.
    pub created_ms: f64,
    pub prompt: String,
    pub model: String,
    pub seed: u32,
    pub aspect_ratio: String,
    pub width: u32,
    pub height: u32,
    /// Billed cost in USD, when OpenRouter reported it.
    pub cost_usd: Option<f64>,
    /// `image/png`, `image/jpeg`, `image/webp` or `image/gif` (checked against the bytes).
    pub mime: String,
    /// Size of the image bytes.
    pub bytes: u64,
    /// OpenRouter's generation id (`gen-…`), when it sent one.
    pub generation_id: Option<String>,
    pub favorite: bool,
    /// The reference images sent with the prompt, so "Reuse settings" can send
    /// them again. Their bytes live in IndexedDB, shared by content id.
    pub references: Vec<ReferenceRecord>,
}

/// A reference image an entry was made from. The bytes are stored once per
/// content, however many entries use them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReferenceRecord {
    /// [`content_id`] of the bytes: the IndexedDB key and the export file name.
    pub id: String,
    pub mime: String,
    /// The file name the user picked, shown as the preview's label.
    pub name: String,
    /// The History entry it was taken from (`Use as reference`): its lineage.
    pub from: Option<String>,
}

impl ReferenceRecord {
    pub fn format(&self) -> Option<ImageFormat> {
        ImageFormat::from_mime(&self.mime)
    }

    fn check(&self) -> Result<(), String> {
        let t = crate::i18n::later();
        if !is_content_id(&self.id) {
            return Err(t.gallery_entry_reference_bad_id(&self.id));
        }
        if self.format().is_none() {
            return Err(t.gallery_entry_reference_mime.into());
        }
        if self.from.as_deref().is_some_and(|id| !is_valid_id(id)) {
            return Err(t.gallery_entry_reference_from.into());
        }
        check_text(t.gallery_entry_reference_name, &self.name, MAX_SHORT_CHARS)
    }
}

/// Identifies bytes by content: FNV-1a 64 and CRC-32 side by side (24 hex
/// digits). Not a security hash: import recomputes it and never overwrites a
/// stored reference, so a forged id can only point at the forger's own bytes.
pub fn content_id(bytes: &[u8]) -> String {
    let fnv = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{fnv:016x}{:08x}", crate::storage::zip::crc32(bytes))
}

fn is_content_id(id: &str) -> bool {
    id.len() == 24 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

pub use crate::generation::MAX_PROMPT_CHARS;
/// Longest model name, aspect ratio or generation id, in characters.
const MAX_SHORT_CHARS: usize = 200;
/// Largest width or height accepted, in pixels.
pub const MAX_SIDE: u32 = 16_384;
/// JavaScript's largest `Date`, so every time shown is a real date.
const MAX_TIME_MS: f64 = 8.64e15;

impl HistoryEntry {
    /// The record as IndexedDB keeps it (the full field names).
    pub fn to_json(&self) -> String {
        self.write(&FULL_NAMES, false).finish()
    }

    /// The fields under `names`, for [`entry_from_loose`] to read back. `compact`
    /// leaves out what reads back the same when absent (no cost, no generation
    /// id, not a favorite); the full form writes those as `null`/`false`.
    pub fn write(&self, names: &FieldNames, compact: bool) -> ObjectWriter {
        let mut w = ObjectWriter::default()
            .text(names.id, &self.id)
            .number(names.created_ms, self.created_ms)
            .text(names.prompt, &self.prompt)
            .text(names.model, &self.model)
            .whole(names.seed, u64::from(self.seed))
            .text(names.aspect_ratio, &self.aspect_ratio)
            .whole(names.width, u64::from(self.width))
            .whole(names.height, u64::from(self.height));
        w = match self.cost_usd {
            Some(cost) => w.number(names.cost_usd, cost),
            None if compact => w,
            None => w.null(names.cost_usd),
        };
        w = w
            .text(names.mime, &self.mime)
            .whole(names.bytes, self.bytes);
        w = match &self.generation_id {
            Some(id) => w.text(names.generation_id, id),
            None if compact => w,
            None => w.null(names.generation_id),
        };
        if self.favorite || !compact {
            w = w.flag(names.favorite, self.favorite);
        }
        if !self.references.is_empty() {
            let references = list_of(self.references.iter().map(|r| {
                let w = ObjectWriter::default()
                    .text("id", &r.id)
                    .text("mime", &r.mime)
                    .text("name", &r.name);
                match &r.from {
                    Some(from) => w.text("from", from),
                    None => w,
                }
                .finish()
            }));
            w = w.raw(names.references, &references);
        }
        w
    }

    /// Reads a record written by [`Self::to_json`] (or by an older build):
    /// the same decoder as the index and the export manifest use.
    pub fn from_json(raw: &str) -> Result<HistoryEntry, String> {
        let value = Loose::parse(raw).map_err(|e| e.to_string())?;
        entry_from_loose(&value, &FULL_NAMES)
    }

    /// The image format named by `mime`, if it is one the app shows.
    pub fn format(&self) -> Option<ImageFormat> {
        ImageFormat::from_mime(&self.mime)
    }

    /// The file name offered for downloads (see [`file_name`]).
    pub fn download_name(&self) -> String {
        file_name(
            &self.prompt,
            self.seed,
            self.format().unwrap_or(ImageFormat::Png),
        )
    }

    /// This entry made to pass [`Self::check`] where the API or the user gave odd
    /// text: control characters dropped, long texts cut, an impossible cost
    /// forgotten. Applied before a new image is saved, so every saved image can
    /// be indexed, exported and imported again.
    pub fn sanitized(mut self) -> Self {
        self.prompt = plain_text(&self.prompt, MAX_PROMPT_CHARS);
        self.model = plain_text(&self.model, MAX_SHORT_CHARS);
        self.generation_id = self
            .generation_id
            .map(|id| plain_text(&id, MAX_SHORT_CHARS))
            .filter(|id| !id.is_empty());
        self.cost_usd = self.cost_usd.filter(|c| *c >= 0.0 && c.is_finite());
        for reference in &mut self.references {
            reference.name = plain_text(&reference.name, MAX_SHORT_CHARS);
        }
        self
    }

    /// Checks every field's range and characters. The same rules guard the
    /// index, export and import, so whatever is exported can be imported.
    pub fn check(&self) -> Result<(), String> {
        let t = crate::i18n::later();
        if !is_valid_id(&self.id) {
            return Err(t.gallery_entry_bad_id(&self.id));
        }
        if !(0.0..=MAX_TIME_MS).contains(&self.created_ms) {
            return Err(t.gallery_entry_created.into());
        }
        check_text("prompt", &self.prompt, MAX_PROMPT_CHARS)?;
        check_text("model", &self.model, MAX_SHORT_CHARS)?;
        if !is_ratio(&self.aspect_ratio) {
            return Err(t.gallery_entry_ratio.into());
        }
        for (name, side) in [("width", self.width), ("height", self.height)] {
            if !(1..=MAX_SIDE).contains(&side) {
                return Err(t.gallery_entry_side(&name, &MAX_SIDE));
            }
        }
        if self.cost_usd.is_some_and(|c| !(c >= 0.0 && c.is_finite())) {
            return Err(t.gallery_entry_cost.into());
        }
        if self.format().is_none() {
            return Err(t.gallery_entry_mime.into());
        }
        if let Some(id) = &self.generation_id {
            check_text("generation_id", id, MAX_SHORT_CHARS)?;
        }
        if self.references.len() > MAX_REFERENCES {
            return Err(t.gallery_entry_too_many_references(&MAX_REFERENCES));
        }
        self.references.iter().try_for_each(ReferenceRecord::check)
    }
}

/// Control characters other than line breaks and tabs.
fn is_control(c: char) -> bool {
    (c < ' ' && c != '\n' && c != '\t') || ('\u{7f}'..='\u{9f}').contains(&c)
}

/// `text` without control characters, cut to `max_chars`.
fn plain_text(text: &str, max_chars: usize) -> String {
    text.chars()
        .filter(|c| !is_control(*c))
        .take(max_chars)
        .collect()
}

/// Plain text only: the UI renders strings as text, never as HTML, so markup is
/// harmless; control characters (other than line breaks and tabs) are not.
fn check_text(name: &str, text: &str, max_chars: usize) -> Result<(), String> {
    let t = crate::i18n::later();
    if text.chars().count() > max_chars {
        return Err(t.gallery_entry_too_long(&name, &max_chars));
    }
    if text.chars().any(is_control) {
        return Err(t.gallery_entry_control_characters(&name));
    }
    Ok(())
}

fn is_ratio(text: &str) -> bool {
    let digits = |s: &str| (1..=5).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    text.split_once(':')
        .is_some_and(|(w, h)| digits(w) && digits(h))
}

/// A new local id, `img-<created_ms>-<8 hex digits>`; `random` comes from the caller
/// (`crypto.getRandomValues` in the browser) so this stays pure.
pub fn new_id(created_ms: f64, random: u32) -> String {
    // `as` saturates: a NaN or negative clock gives 0, never a panic.
    format!("img-{}-{random:08x}", created_ms as u64)
}

/// Ids are also IndexedDB keys and zip file names: ASCII letters, digits, `-`
/// and `_`, at most 64 characters.
pub fn is_valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Field names of the three entry shapes: full (version 0, export manifest) and
/// compact (index version 1), where every byte of localStorage counts.
pub struct FieldNames {
    pub id: &'static str,
    pub created_ms: &'static str,
    pub prompt: &'static str,
    pub model: &'static str,
    pub seed: &'static str,
    pub aspect_ratio: &'static str,
    pub width: &'static str,
    pub height: &'static str,
    pub cost_usd: &'static str,
    pub mime: &'static str,
    pub bytes: &'static str,
    pub generation_id: &'static str,
    pub favorite: &'static str,
    pub references: &'static str,
}

pub const FULL_NAMES: FieldNames = FieldNames {
    id: "id",
    created_ms: "created_ms",
    prompt: "prompt",
    model: "model",
    seed: "seed",
    aspect_ratio: "aspect_ratio",
    width: "width",
    height: "height",
    cost_usd: "cost_usd",
    mime: "mime",
    bytes: "bytes",
    generation_id: "generation_id",
    favorite: "favorite",
    references: "references",
};

/// Reads one entry with the given field names. Types are checked here, ranges by
/// [`HistoryEntry::check`]. `cost_usd`, `generation_id`, `favorite` and `bytes`
/// may be absent (older builds did not write them).
pub fn entry_from_loose(item: &Loose, n: &FieldNames) -> Result<HistoryEntry, String> {
    let t = crate::i18n::later();
    let Loose::Object(fields) = item else {
        return Err(t.gallery_entry_not_object(&item.kind()));
    };
    let f = Fields(fields);
    if let Some(key) = f.repeated_key() {
        return Err(t.gallery_entry_field_twice(&key));
    }
    Ok(HistoryEntry {
        id: f.text(n.id)?,
        created_ms: f.number(n.created_ms)?,
        prompt: f.text(n.prompt)?,
        model: f.text(n.model)?,
        seed: f.whole(n.seed, u64::from(u32::MAX))? as u32,
        aspect_ratio: f.text(n.aspect_ratio)?,
        width: f.whole(n.width, u64::from(u32::MAX))? as u32,
        height: f.whole(n.height, u64::from(u32::MAX))? as u32,
        cost_usd: f.optional(n.cost_usd, |f, k| f.number(k))?,
        mime: f.text(n.mime)?,
        bytes: f
            .optional(n.bytes, |f, k| f.whole(k, u64::MAX))?
            .unwrap_or(0),
        generation_id: f.optional(n.generation_id, |f, k| f.text(k))?,
        favorite: f.optional(n.favorite, |f, k| f.flag(k))?.unwrap_or(false),
        references: f
            .optional(n.references, |f, k| f.list(k, reference_from_loose))?
            .unwrap_or_default(),
    })
}

/// `{"id":…,"mime":…,"name":…,"from":…}`, the same names in every shape.
fn reference_from_loose(item: &Loose) -> Result<ReferenceRecord, String> {
    let Loose::Object(fields) = item else {
        return Err(crate::i18n::later().gallery_entry_reference_not_object(&item.kind()));
    };
    let f = Fields(fields);
    Ok(ReferenceRecord {
        id: f.text("id")?,
        mime: f.text("mime")?,
        name: f.text("name")?,
        // Lineage is a nicety: an unreadable link is dropped, not the entry.
        from: f
            .get("from")
            .and_then(Loose::as_text)
            .filter(|id| is_valid_id(id))
            .map(str::to_owned),
    })
}

/// Newest first; equal times by id, so every list shows the same order.
pub fn sort_newest_first<T>(items: &mut Vec<T>, entry: impl Fn(&T) -> &HistoryEntry) {
    crate::order::sort_by(items, |a, b| {
        let (a, b) = (entry(a), entry(b));
        b.created_ms
            .total_cmp(&a.created_ms)
            .then_with(|| b.id.cmp(&a.id))
    });
}
