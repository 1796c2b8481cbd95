//! The history of generated images: each record, the compact index kept in
//! localStorage, reconciliation with IndexedDB at start-up, and search. Pure Rust.

mod entry;
mod index;
mod query;
mod reconcile;

pub use entry::{
    FULL_NAMES, FieldNames, HistoryEntry, MAX_PROMPT_CHARS, MAX_SIDE, ReferenceRecord, content_id,
    entry_from_loose, is_valid_id, new_id, sort_newest_first,
};
pub use index::{
    FIRST_PAGE_KEY, GALLERY_PAGE, HistoryIndex, INDEX_BACKUP_KEY, INDEX_COUNT_KEY, INDEX_KEY,
    INDEX_VERSION, IndexError, LoadedIndex, stored_count,
};
pub use query::{HistoryQuery, descendants, lineage};
pub use reconcile::{INDEX_PROMPT_CHARS, Reconciled, ShownEntry, index_entry, reconcile};
