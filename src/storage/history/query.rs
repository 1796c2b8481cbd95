//! Finding images in the history: words in the prompt, favourites, order.

use super::entry::{HistoryEntry, sort_newest_first};
use super::reconcile::ShownEntry;

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
