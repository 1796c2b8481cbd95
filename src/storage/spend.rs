//! What OpenRouter billed for generations that broke off: no History entry
//! holds their cost, yet it counts toward the spending limit. Kept in
//! localStorage (so every tab sees it) for two days, as `[[ms, usd], …]`.

use crate::json::{Loose, list_of, write_number};

pub const INTERRUPTED_COSTS_KEY: &str = "kleinbild.interrupted-costs.v1";

/// Older entries cannot count toward any local day's total any more.
const KEEP_MS: f64 = 2.0 * 86_400_000.0;

/// `(when, usd)` pairs, as stored; anything unreadable is skipped.
pub fn interrupted_costs() -> Vec<(f64, f64)> {
    let Some(Ok(Loose::List(items))) = super::local::read(INTERRUPTED_COSTS_KEY)
        .as_deref()
        .map(Loose::parse)
    else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| match item {
            Loose::List(pair) => match pair.as_slice() {
                [when, usd] => Some((when.as_number()?, usd.as_number()?)),
                _ => None,
            },
            _ => None,
        })
        .filter(|(_, usd)| usd.is_finite() && *usd >= 0.0)
        .collect()
}

/// Adds one billed cost at `now_ms`, dropping entries older than two days.
pub fn add_interrupted_cost(now_ms: f64, usd: f64) {
    let mut costs = interrupted_costs();
    costs.retain(|(when, _)| now_ms - when < KEEP_MS);
    costs.push((now_ms, usd));
    let json = list_of(costs.iter().map(|&(when, usd)| {
        let mut pair = String::from("[");
        write_number(&mut pair, when);
        pair.push(',');
        write_number(&mut pair, usd);
        pair.push(']');
        pair
    }));
    // Not kept (storage full or blocked): the limit then counts History only.
    let _ = super::local::write(INTERRUPTED_COSTS_KEY, &json);
}
