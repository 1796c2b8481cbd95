//! Finding images in the history: words in the prompt, favourites, order,
//! and lineage (what an image was made from, and what was made from it).

use super::entry::{HistoryEntry, sort_newest_first};
use super::reconcile::ShownEntry;
use crate::order::TextSet;

/// What the user typed and ticked above the gallery.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryQuery {
    /// Words that must all occur in the prompt (ASCII case-insensitive).
    pub text: String,
    pub favorites_only: bool,
    pub oldest_first: bool,
    /// Only the images made (directly or further down) from this one.
    pub descendants_of: Option<String>,
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
        let family = self
            .descendants_of
            .as_deref()
            .map(|root| descendants(entries, root));
        let mut found: Vec<&ShownEntry> = entries
            .iter()
            .filter(|s| self.matches(&s.entry))
            .filter(|s| family.as_ref().is_none_or(|f| f.contains(&s.entry.id)))
            .collect();
        sort_newest_first(&mut found, |s| &s.entry);
        if self.oldest_first {
            found.reverse();
        }
        found
    }
}

/// The ids of every entry made from `root`, directly or through others
/// (its references' `from`), `root` itself not included.
pub fn descendants(entries: &[ShownEntry], root: &str) -> TextSet {
    let mut family = TextSet::default();
    family.insert(root);
    // Each pass adds the children of what is known; a chain of n needs n passes.
    loop {
        let before = family.clone();
        let mut grew = false;
        for shown in entries {
            let made_from_family = shown
                .entry
                .references
                .iter()
                .any(|r| r.from.as_deref().is_some_and(|from| before.contains(from)));
            if made_from_family && family.insert(&shown.entry.id) {
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    let mut without_root: TextSet = TextSet::default();
    for shown in entries {
        if shown.entry.id != root && family.contains(&shown.entry.id) {
            without_root.insert(&shown.entry.id);
        }
    }
    without_root
}

/// The chain back from `id`: the entry its first linked reference came
/// from, then that one's, … to the first image (at most 50, never a loop).
pub fn lineage<'a>(entries: &'a [ShownEntry], id: &str) -> Vec<&'a HistoryEntry> {
    let find = |id: &str| entries.iter().find(|s| s.entry.id == id).map(|s| &s.entry);
    let mut chain: Vec<&HistoryEntry> = Vec::new();
    let mut current = find(id);
    while let Some(entry) = current {
        let parent = entry
            .references
            .iter()
            .find_map(|r| r.from.as_deref().and_then(find));
        match parent {
            Some(p) if p.id != id && chain.len() < 50 && !chain.iter().any(|c| c.id == p.id) => {
                chain.push(p);
                current = Some(p);
            }
            _ => break,
        }
    }
    chain
}

/// Byte-wise, so non-ASCII text matches exactly and no Unicode case tables ship.
fn contains_ignore_ascii_case(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}
