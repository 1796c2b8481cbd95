//! The compact copy of the history in localStorage: read at start-up for an
//! instant first paint (IndexedDB stays the truth). Versioned and migrated.

use super::entry::{FULL_NAMES, FieldNames, HistoryEntry, entry_from_loose, sort_newest_first};
use crate::json::{Fields, Loose, ObjectWriter, list_of};

/// localStorage key of the compact index (never image data: see the architecture page).
pub const INDEX_KEY: &str = "kleinbild.history.v1";
/// How many entries the index lists: a few bytes the first load reads to
/// keep the gallery's place before the `later` part arrives.
pub const INDEX_COUNT_KEY: &str = "kleinbild.history.count";
/// The ids of the gallery's first page, newest first, space-separated: the
/// static page's script (`static/shell.js`) reads their thumbnails from
/// IndexedDB while the app loads, so they show before the `later` part.
pub const FIRST_PAGE_KEY: &str = "kleinbild.history.first-page";
/// Thumbnails the gallery renders per step; more appear on "Show more", so
/// the cost follows what is on screen, not the size of the history.
pub const GALLERY_PAGE: usize = 48;
/// Where an unreadable index is copied before it is rebuilt from IndexedDB.
pub const INDEX_BACKUP_KEY: &str = "kleinbild.history.backup";
/// The index format written by this build.
pub const INDEX_VERSION: u64 = 1;

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
        let t = crate::i18n::later();
        match self.skipped {
            0 => None,
            1 => Some(t.gallery_index_skipped_one.into()),
            n => Some(t.gallery_index_skipped_other(&n)),
        }
    }
}

/// Why the index as a whole cannot be used. The caller copies the raw text to
/// [`INDEX_BACKUP_KEY`], shows [`IndexError::notice`] and rebuilds from IndexedDB.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IndexError {
    Unreadable(String),
    UnknownVersion(u64),
}

impl std::fmt::Display for IndexError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let t = crate::i18n::later();
        match self {
            IndexError::Unreadable(why) => f.write_str(&t.gallery_index_unreadable(why)),
            IndexError::UnknownVersion(version) => {
                f.write_str(&t.gallery_index_unknown_version(version))
            }
        }
    }
}

impl IndexError {
    pub fn notice(&self) -> String {
        let problem = capitalise(&self.to_string());
        crate::i18n::later().gallery_index_rebuilt(&problem, &INDEX_BACKUP_KEY)
    }
}

fn capitalise(text: &str) -> String {
    let mut out = text.to_owned();
    if let Some(first) = out.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    out
}

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

impl HistoryIndex {
    /// `{"version":1,"entries":[{"i":…,"t":…,…}]}`; absent `c`/`g` mean none, absent `f` false.
    pub fn to_json(&self) -> String {
        let entries = list_of(
            self.entries
                .iter()
                .map(|e| e.write(&COMPACT_NAMES, true).finish()),
        );
        ObjectWriter::default()
            .whole("version", INDEX_VERSION)
            .raw("entries", &entries)
            .finish()
    }

    /// Reads the stored index: version 1, or version 0 (a bare array of full
    /// entries, written before the index was compacted), which is migrated.
    /// Single bad entries are skipped and counted; only an unreadable whole or
    /// an unknown version is an error.
    pub fn from_json(raw: &str) -> Result<LoadedIndex, IndexError> {
        let t = crate::i18n::later();
        let value = Loose::parse(raw)
            .map_err(|_| IndexError::Unreadable(t.gallery_index_not_json.into()))?;
        let (items, names, migrated_from) = match value {
            Loose::List(items) => (items, &FULL_NAMES, Some(0)),
            Loose::Object(fields) => {
                match Fields(&fields).get("version") {
                    Some(Loose::UInt(INDEX_VERSION)) => {}
                    Some(Loose::UInt(v)) => return Err(IndexError::UnknownVersion(*v)),
                    _ => return Err(IndexError::Unreadable(t.gallery_index_no_version.into())),
                }
                match fields.into_iter().find(|(k, _)| k == "entries") {
                    Some((_, Loose::List(items))) => (items, &COMPACT_NAMES, None),
                    _ => return Err(IndexError::Unreadable(t.gallery_index_no_entries.into())),
                }
            }
            _ => return Err(IndexError::Unreadable(t.gallery_index_unexpected.into())),
        };
        let total = items.len();
        let mut seen = crate::order::TextSet::default();
        let mut entries: Vec<HistoryEntry> = items
            .iter()
            .filter_map(|item| entry_from_loose(item, names).ok())
            .filter(|e| e.check().is_ok() && seen.insert(&e.id))
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

/// The number of entries the last written index listed (0 when unknown).
pub fn stored_count() -> usize {
    crate::storage::local::read(INDEX_COUNT_KEY)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}
