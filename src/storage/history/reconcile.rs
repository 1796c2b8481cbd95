//! Start-up reconciliation of the localStorage index with IndexedDB.

use crate::order::TextSet;

use super::entry::{HistoryEntry, sort_newest_first};
use super::index::HistoryIndex;

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
    let indexed: TextSet = index.iter().map(|e| e.id.as_str()).collect();
    let mut seen = TextSet::default();
    let mut entries = Vec::with_capacity(stored.len().max(index.len()));
    let mut reindexed = 0;
    for entry in stored {
        if seen.insert(&entry.id) {
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
        if seen.insert(&entry.id) {
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
