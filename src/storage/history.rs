//! The history of generated images: what is stored about each one, the compact
//! index kept in localStorage for instant first paint, and the pure logic around
//! them (migrations, reconciliation with IndexedDB, search). Pure Rust.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::api::image::ImageFormat;
use crate::generation::file_name;

/// Everything known about one stored image. IndexedDB holds this next to the
/// image bytes (the source of truth); the localStorage index holds a copy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<ReferenceRecord>,
}

/// A reference image an entry was made from. The bytes are stored once per
/// content, however many entries use them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReferenceRecord {
    /// [`content_id`] of the bytes: the IndexedDB key and the export file name.
    pub id: String,
    pub mime: String,
    /// The file name the user picked, shown as the preview's label.
    pub name: String,
}

impl ReferenceRecord {
    pub fn format(&self) -> Option<ImageFormat> {
        FORMATS.into_iter().find(|f| f.mime() == self.mime)
    }

    fn check(&self) -> Result<(), String> {
        if !is_content_id(&self.id) {
            return Err(format!("the reference id {:?} is not valid", self.id));
        }
        if self.format().is_none() {
            return Err(
                "a reference's \"mime\" must be image/png, image/jpeg, image/webp or image/gif"
                    .into(),
            );
        }
        check_text("reference name", &self.name, MAX_SHORT_CHARS)
    }
}

/// Identifies bytes by content: FNV-1a 64 and CRC-32 side by side (24 hex
/// digits). Not a security hash: import recomputes it and never overwrites a
/// stored reference, so a forged id can only point at the forger's own bytes.
pub fn content_id(bytes: &[u8]) -> String {
    let fnv = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{fnv:016x}{:08x}", super::zip::crc32(bytes))
}

fn is_content_id(id: &str) -> bool {
    id.len() == 24 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// localStorage key of the compact index (never image data: see design.md).
pub const INDEX_KEY: &str = "kleinbild.history.v1";
/// Where an unreadable index is copied before it is rebuilt from IndexedDB.
pub const INDEX_BACKUP_KEY: &str = "kleinbild.history.backup";
/// The index format written by this build.
pub const INDEX_VERSION: u64 = 1;
/// Longest prompt kept or imported, in characters.
pub const MAX_PROMPT_CHARS: usize = 10_000;
/// Longest model name, aspect ratio or generation id, in characters.
const MAX_SHORT_CHARS: usize = 200;
/// Largest width or height accepted, in pixels.
pub const MAX_SIDE: u32 = 16_384;
/// JavaScript's largest `Date`, so every time shown is a real date.
const MAX_TIME_MS: f64 = 8.64e15;

const FORMATS: [ImageFormat; 4] = [
    ImageFormat::Png,
    ImageFormat::Jpeg,
    ImageFormat::Webp,
    ImageFormat::Gif,
];

impl HistoryEntry {
    /// The image format named by `mime`, if it is one the app shows.
    pub fn format(&self) -> Option<ImageFormat> {
        FORMATS.into_iter().find(|f| f.mime() == self.mime)
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
        if !is_valid_id(&self.id) {
            return Err(format!("the id {:?} is not a valid image id", self.id));
        }
        if !(0.0..=MAX_TIME_MS).contains(&self.created_ms) {
            return Err("\"created_ms\" must be a time in milliseconds".into());
        }
        check_text("prompt", &self.prompt, MAX_PROMPT_CHARS)?;
        check_text("model", &self.model, MAX_SHORT_CHARS)?;
        if !is_ratio(&self.aspect_ratio) {
            return Err("\"aspect_ratio\" must look like 16:9".into());
        }
        for (name, side) in [("width", self.width), ("height", self.height)] {
            if !(1..=MAX_SIDE).contains(&side) {
                return Err(format!("\"{name}\" must be from 1 to {MAX_SIDE} pixels"));
            }
        }
        if self.cost_usd.is_some_and(|c| !(c >= 0.0 && c.is_finite())) {
            return Err("\"cost_usd\" must be a positive amount".into());
        }
        if self.format().is_none() {
            return Err("\"mime\" must be image/png, image/jpeg, image/webp or image/gif".into());
        }
        if let Some(id) = &self.generation_id {
            check_text("generation_id", id, MAX_SHORT_CHARS)?;
        }
        if self.references.len() > crate::generation::MAX_REFERENCES {
            return Err(format!(
                "\"references\" lists more than {} images",
                crate::generation::MAX_REFERENCES
            ));
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
    if text.chars().count() > max_chars {
        return Err(format!("\"{name}\" is longer than {max_chars} characters"));
    }
    if text.chars().any(is_control) {
        return Err(format!("\"{name}\" contains control characters"));
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

// ---------------------------------------------------------------------------
// The compact index in localStorage

/// The localStorage copy of the history, newest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryIndex {
    pub entries: Vec<HistoryEntry>,
}

/// A read index plus what the user may need to be told about it.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedIndex {
    pub index: HistoryIndex,
    /// Entries that could not be read (or repeated an id) and were left out.
    pub skipped: usize,
    /// The version the data was migrated from; the caller should write the index back.
    pub migrated_from: Option<u64>,
}

impl LoadedIndex {
    /// A notice for the user when entries had to be left out.
    pub fn notice(&self) -> Option<String> {
        match self.skipped {
            0 => None,
            1 => Some("1 history entry could not be read and is not shown.".into()),
            n => Some(format!(
                "{n} history entries could not be read and are not shown."
            )),
        }
    }
}

/// Why the index as a whole cannot be used. The caller copies the raw text to
/// [`INDEX_BACKUP_KEY`], shows [`IndexError::notice`] and rebuilds from IndexedDB.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IndexError {
    #[error("the saved history index is unreadable ({0})")]
    Unreadable(String),
    #[error(
        "the saved history index has version {0}, which this version of Kleinbild does not know"
    )]
    UnknownVersion(u64),
}

impl IndexError {
    pub fn notice(&self) -> String {
        format!(
            "{}. Your history is being rebuilt from the stored images; a copy of the old index was kept under \u{201c}{INDEX_BACKUP_KEY}\u{201d}.",
            capitalise(&self.to_string())
        )
    }
}

fn capitalise(text: &str) -> String {
    let mut out = text.to_owned();
    if let Some(first) = out.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    out
}

/// Field names of the three entry shapes: full (version 0, export manifest) and
/// compact (index version 1), where every byte of localStorage counts.
pub(crate) struct FieldNames {
    id: &'static str,
    created_ms: &'static str,
    prompt: &'static str,
    model: &'static str,
    seed: &'static str,
    aspect_ratio: &'static str,
    width: &'static str,
    height: &'static str,
    cost_usd: &'static str,
    mime: &'static str,
    bytes: &'static str,
    generation_id: &'static str,
    favorite: &'static str,
    references: &'static str,
}

pub(crate) const FULL_NAMES: FieldNames = FieldNames {
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

const COMPACT_NAMES: FieldNames = FieldNames {
    id: "i",
    created_ms: "t",
    prompt: "p",
    model: "m",
    seed: "s",
    aspect_ratio: "a",
    width: "w",
    height: "h",
    cost_usd: "c",
    mime: "y",
    bytes: "b",
    generation_id: "g",
    favorite: "f",
    references: "r",
};

#[derive(Serialize)]
struct CompactEntry<'a> {
    i: &'a str,
    t: f64,
    p: &'a str,
    m: &'a str,
    s: u32,
    a: &'a str,
    w: u32,
    h: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    c: Option<f64>,
    y: &'a str,
    b: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    g: Option<&'a str>,
    #[serde(skip_serializing_if = "is_false")]
    f: bool,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    r: &'a [ReferenceRecord],
}

fn is_false(b: &bool) -> bool {
    !b
}

#[derive(Serialize)]
struct CompactIndex<'a> {
    version: u64,
    entries: Vec<CompactEntry<'a>>,
}

impl HistoryIndex {
    /// `{"version":1,"entries":[{"i":…,"t":…,…}]}`; absent `c`/`g` mean none, absent `f` false.
    pub fn to_json(&self) -> String {
        let entries = self
            .entries
            .iter()
            .map(|e| CompactEntry {
                i: &e.id,
                t: e.created_ms,
                p: &e.prompt,
                m: &e.model,
                s: e.seed,
                a: &e.aspect_ratio,
                w: e.width,
                h: e.height,
                c: e.cost_usd,
                y: &e.mime,
                b: e.bytes,
                g: e.generation_id.as_deref(),
                f: e.favorite,
                r: &e.references,
            })
            .collect();
        serde_json::to_string(&CompactIndex {
            version: INDEX_VERSION,
            entries,
        })
        .unwrap_or_default()
    }

    /// Reads the stored index: version 1, or version 0 (a bare array of full
    /// entries, written before the index was compacted), which is migrated.
    /// Single bad entries are skipped and counted; only an unreadable whole or
    /// an unknown version is an error.
    pub fn from_json(raw: &str) -> Result<LoadedIndex, IndexError> {
        let value = Loose::parse(raw).map_err(|e| {
            IndexError::Unreadable(if e.is_eof() || e.is_syntax() {
                "not valid JSON".into()
            } else {
                "unexpected contents".into()
            })
        })?;
        let (items, names, migrated_from) = match value {
            Loose::List(items) => (items, &FULL_NAMES, Some(0)),
            Loose::Object(fields) => {
                match Fields(&fields).get("version") {
                    Some(Loose::UInt(INDEX_VERSION)) => {}
                    Some(Loose::UInt(v)) => return Err(IndexError::UnknownVersion(*v)),
                    _ => return Err(IndexError::Unreadable("no version".into())),
                }
                match fields.into_iter().find(|(k, _)| k == "entries") {
                    Some((_, Loose::List(items))) => (items, &COMPACT_NAMES, None),
                    _ => return Err(IndexError::Unreadable("no entries".into())),
                }
            }
            _ => return Err(IndexError::Unreadable("unexpected contents".into())),
        };
        let total = items.len();
        let mut seen = HashSet::new();
        let mut entries: Vec<HistoryEntry> = items
            .iter()
            .filter_map(|item| entry_from_loose(item, names).ok())
            .filter(|e| e.check().is_ok() && seen.insert(e.id.clone()))
            .collect();
        sort_newest_first(&mut entries, |e| e);
        Ok(LoadedIndex {
            skipped: total - entries.len(),
            index: HistoryIndex { entries },
            migrated_from,
        })
    }

    /// Adds an entry, or replaces the one with the same id, keeping newest first.
    pub fn upsert(&mut self, entry: HistoryEntry) {
        self.entries.retain(|e| e.id != entry.id);
        self.entries.push(entry);
        sort_newest_first(&mut self.entries, |e| e);
    }

    /// Removes an entry by id; true if there was one.
    pub fn remove(&mut self, id: &str) -> bool {
        let before = self.entries.len();
        self.entries.retain(|e| e.id != id);
        self.entries.len() != before
    }
}

fn sort_newest_first<T>(items: &mut [T], entry: impl Fn(&T) -> &HistoryEntry) {
    items.sort_by(|a, b| {
        let (a, b) = (entry(a), entry(b));
        b.created_ms
            .total_cmp(&a.created_ms)
            .then_with(|| b.id.cmp(&a.id))
    });
}

/// Reads one entry with the given field names. Types are checked here, ranges by
/// [`HistoryEntry::check`]. `cost_usd`, `generation_id`, `favorite` and `bytes`
/// may be absent (older builds did not write them).
pub(crate) fn entry_from_loose(item: &Loose, n: &FieldNames) -> Result<HistoryEntry, String> {
    let Loose::Object(fields) = item else {
        return Err(format!("must be an object, not {}", item.kind()));
    };
    let f = Fields(fields);
    if let Some(key) = f.repeated_key() {
        return Err(format!("the field \"{key}\" appears twice"));
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

/// `{"id":…,"mime":…,"name":…}`, the same names in every shape.
fn reference_from_loose(item: &Loose) -> Result<ReferenceRecord, String> {
    let Loose::Object(fields) = item else {
        return Err(format!(
            "a reference must be an object, not {}",
            item.kind()
        ));
    };
    let f = Fields(fields);
    Ok(ReferenceRecord {
        id: f.text("id")?,
        mime: f.text("mime")?,
        name: f.text("name")?,
    })
}

// ---------------------------------------------------------------------------
// Start-up reconciliation with IndexedDB

/// One entry as the gallery shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownEntry {
    pub entry: HistoryEntry,
    /// In the index but not in IndexedDB: shown as "image missing".
    pub image_missing: bool,
}

/// The history after comparing the index with IndexedDB.
#[derive(Debug, Clone, PartialEq)]
pub struct Reconciled {
    /// Newest first.
    pub entries: Vec<ShownEntry>,
    /// Images found in IndexedDB that the index did not list.
    pub reindexed: usize,
    /// Index entries whose image is not in IndexedDB.
    pub missing: usize,
    /// The index differs from `entries` and should be written back ([`Reconciled::index`]).
    pub index_stale: bool,
}

impl Reconciled {
    /// The index to store: every shown entry, missing images included, so the
    /// user still sees (and can delete) what was lost.
    pub fn index(&self) -> HistoryIndex {
        HistoryIndex {
            entries: self.entries.iter().map(|s| index_entry(&s.entry)).collect(),
        }
    }
}

/// Prompt characters kept in the localStorage index.
pub const INDEX_PROMPT_CHARS: usize = 300;

/// An entry as the localStorage index keeps it. The index only paints the first
/// screen: long prompts are cut, so localStorage's ~5 MB holds thousands of
/// entries (IndexedDB keeps them whole).
pub fn index_entry(entry: &HistoryEntry) -> HistoryEntry {
    let mut entry = entry.clone();
    if let Some((cut, _)) = entry.prompt.char_indices().nth(INDEX_PROMPT_CHARS) {
        entry.prompt.truncate(cut);
    }
    entry
}

/// Unites the localStorage index with the metadata read from IndexedDB (`stored`,
/// the source of truth) by id. On a conflict IndexedDB wins, `favorite` included:
/// the image and its record are written first and in one transaction, so the
/// index can only be behind, never ahead. Later duplicates of an id are ignored.
pub fn reconcile(index: &[HistoryEntry], stored: &[HistoryEntry]) -> Reconciled {
    let indexed: HashSet<&str> = index.iter().map(|e| e.id.as_str()).collect();
    let mut seen = HashSet::new();
    let mut entries = Vec::with_capacity(stored.len().max(index.len()));
    let mut reindexed = 0;
    for entry in stored {
        if seen.insert(entry.id.as_str()) {
            if !indexed.contains(entry.id.as_str()) {
                reindexed += 1;
            }
            entries.push(ShownEntry {
                entry: entry.clone(),
                image_missing: false,
            });
        }
    }
    let mut missing = 0;
    for entry in index {
        if seen.insert(entry.id.as_str()) {
            missing += 1;
            entries.push(ShownEntry {
                entry: entry.clone(),
                image_missing: true,
            });
        }
    }
    sort_newest_first(&mut entries, |s| &s.entry);
    let index_stale = entries.len() != index.len()
        || entries
            .iter()
            .zip(index)
            .any(|(s, e)| index_entry(&s.entry) != *e);
    Reconciled {
        entries,
        reindexed,
        missing,
        index_stale,
    }
}

// ---------------------------------------------------------------------------
// Find

/// What the user typed and ticked above the gallery.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryQuery {
    /// Words that must all occur in the prompt (ASCII case-insensitive).
    pub text: String,
    pub favorites_only: bool,
    pub oldest_first: bool,
}

impl HistoryQuery {
    pub fn matches(&self, entry: &HistoryEntry) -> bool {
        (!self.favorites_only || entry.favorite)
            && self
                .text
                .split_ascii_whitespace()
                .all(|word| contains_ignore_ascii_case(&entry.prompt, word))
    }

    /// The matching entries in the chosen order.
    pub fn apply<'a>(&self, entries: &'a [ShownEntry]) -> Vec<&'a ShownEntry> {
        let mut found: Vec<&ShownEntry> =
            entries.iter().filter(|s| self.matches(&s.entry)).collect();
        sort_newest_first(&mut found, |s| &s.entry);
        if self.oldest_first {
            found.reverse();
        }
        found
    }
}

/// Byte-wise, so non-ASCII text matches exactly and no Unicode case tables ship.
fn contains_ignore_ascii_case(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

// ---------------------------------------------------------------------------
// Reading untrusted JSON without failing on the first surprise

/// A JSON value with duplicate keys kept (so they can be refused) and no
/// number or map machinery: enough to check stored and imported data field by
/// field and say exactly what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Loose {
    Null,
    Bool(bool),
    UInt(u64),
    Int(i64),
    Float(f64),
    Text(String),
    List(Vec<Loose>),
    Object(Vec<(String, Loose)>),
}

impl Loose {
    /// Parses JSON; serde_json's depth limit keeps hostile nesting from
    /// exhausting the stack.
    pub(crate) fn parse(raw: &str) -> Result<Loose, serde_json::Error> {
        serde_json::from_str(raw)
    }

    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Loose::Null => "null",
            Loose::Bool(_) => "true/false",
            Loose::UInt(_) | Loose::Int(_) | Loose::Float(_) => "a number",
            Loose::Text(_) => "text",
            Loose::List(_) => "a list",
            Loose::Object(_) => "an object",
        }
    }
}

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LooseVisitor;
        impl<'de> Visitor<'de> for LooseVisitor {
            type Value = Loose;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("JSON")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Loose, E> {
                Ok(Loose::Null)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Loose, E> {
                Ok(Loose::Bool(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Loose, E> {
                Ok(Loose::UInt(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Loose, E> {
                Ok(Loose::Int(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Loose, E> {
                Ok(Loose::Float(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Loose, E> {
                Ok(Loose::Text(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Loose, E> {
                Ok(Loose::Text(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Loose, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Loose::List(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Loose, A::Error> {
                let mut fields = Vec::new();
                while let Some(field) = map.next_entry()? {
                    fields.push(field);
                }
                Ok(Loose::Object(fields))
            }
        }
        deserializer.deserialize_any(LooseVisitor)
    }
}

/// Typed access to an object's fields, with messages that name the field.
pub(crate) struct Fields<'a>(pub(crate) &'a [(String, Loose)]);

impl Fields<'_> {
    pub(crate) fn get(&self, key: &str) -> Option<&Loose> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub(crate) fn repeated_key(&self) -> Option<&str> {
        let mut seen = HashSet::new();
        self.0
            .iter()
            .find(|(k, _)| !seen.insert(k.as_str()))
            .map(|(k, _)| k.as_str())
    }

    fn present(&self, key: &str) -> Result<&Loose, String> {
        self.get(key).ok_or_else(|| format!("\"{key}\" is missing"))
    }

    pub(crate) fn text(&self, key: &str) -> Result<String, String> {
        match self.present(key)? {
            Loose::Text(s) => Ok(s.clone()),
            other => Err(format!("\"{key}\" must be text, not {}", other.kind())),
        }
    }

    pub(crate) fn number(&self, key: &str) -> Result<f64, String> {
        match *self.present(key)? {
            Loose::UInt(n) => Ok(n as f64),
            Loose::Int(n) => Ok(n as f64),
            Loose::Float(n) => Ok(n),
            ref other => Err(format!("\"{key}\" must be a number, not {}", other.kind())),
        }
    }

    pub(crate) fn whole(&self, key: &str, max: u64) -> Result<u64, String> {
        match *self.present(key)? {
            Loose::UInt(n) if n <= max => Ok(n),
            _ => Err(format!("\"{key}\" must be a whole number from 0 to {max}")),
        }
    }

    fn flag(&self, key: &str) -> Result<bool, String> {
        match *self.present(key)? {
            Loose::Bool(b) => Ok(b),
            ref other => Err(format!(
                "\"{key}\" must be true or false, not {}",
                other.kind()
            )),
        }
    }

    fn list<T>(&self, key: &str, item: fn(&Loose) -> Result<T, String>) -> Result<Vec<T>, String> {
        match self.present(key)? {
            Loose::List(items) => items.iter().map(item).collect(),
            other => Err(format!("\"{key}\" must be a list, not {}", other.kind())),
        }
    }

    /// Absent or `null` is `None`; anything else must satisfy `read`.
    fn optional<T>(
        &self,
        key: &str,
        read: impl Fn(&Self, &str) -> Result<T, String>,
    ) -> Result<Option<T>, String> {
        match self.get(key) {
            None | Some(Loose::Null) => Ok(None),
            Some(_) => read(self, key).map(Some),
        }
    }
}
