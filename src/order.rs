//! One sort for every list the app orders, and one set of strings for every
//! "seen it already?". `slice::sort_by` is compiled once per item type and
//! comparison (about 3.5 KB of wasm each, eleven of them at the last count),
//! and each `HashSet` key type brings its own hash table and SipHash: sorting
//! positions through a `dyn` comparison, and a sorted list of strings, are
//! compiled once.

use std::cmp::Ordering;

/// Sorts `items` by `compare`, keeping equal items in their order (stable).
pub fn sort_by<T>(items: &mut Vec<T>, compare: impl Fn(&T, &T) -> Ordering) {
    let order = sorted_positions(items.len(), &|a, b| compare(&items[a], &items[b]));
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

fn sorted_positions(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| compare(a, b));
    order
}

/// A set of strings, kept sorted and searched by halving (sets here hold at
/// most a few thousand ids or names).
#[derive(Debug, Default, Clone)]
pub struct TextSet(Vec<String>);

impl TextSet {
    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|k| k.as_str().cmp(key))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// Adds `key`; false when it was there already.
    pub fn insert(&mut self, key: &str) -> bool {
        match self.find(key) {
            Ok(_) => false,
            Err(at) => {
                self.0.insert(at, key.to_owned());
                true
            }
        }
    }
}

impl<S: AsRef<str>> FromIterator<S> for TextSet {
    fn from_iter<I: IntoIterator<Item = S>>(items: I) -> Self {
        let mut set = TextSet::default();
        for item in items {
            set.insert(item.as_ref());
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_the_standard_stable_sort() {
        // A small deterministic generator: many lengths, many repeated keys.
        let mut state = 0x2545_f491_u32;
        for len in 0..60 {
            let items: Vec<(u32, usize)> = (0..len)
                .map(|i| {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    (state % 7, i)
                })
                .collect();
            let mut ours = items.clone();
            sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
            let mut std_sorted = items;
            std_sorted.sort_by_key(|a| a.0);
            assert_eq!(ours, std_sorted, "length {len}");
        }
    }

    #[test]
    fn moves_items_that_are_not_copy() {
        let mut words: Vec<String> = ["pear", "fig", "apple"].map(String::from).to_vec();
        sort_by(&mut words, |a, b| a.len().cmp(&b.len()));
        assert_eq!(words, ["fig", "pear", "apple"]);
    }

    #[test]
    fn a_text_set_answers_like_a_hash_set() {
        let mut set = TextSet::default();
        let mut model = std::collections::HashSet::new();
        let mut state = 7_u32;
        for _ in 0..500 {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let key = format!("id-{}", (state >> 16) % 97);
            assert_eq!(set.insert(&key), model.insert(key.clone()), "{key}");
            assert!(set.contains(&key));
        }
        assert!(!set.contains("id-97") && !set.contains(""));
        let collected: TextSet = ["b", "a", "b"].into_iter().collect();
        assert!(collected.contains("a") && collected.contains("b"));
    }
}
