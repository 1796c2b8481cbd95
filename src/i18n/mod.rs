//! The app's words in English and German: one catalogue per language
//! (`en.txt`, `de.txt` beside this file, compiled by `build.rs`), split into
//! `[core]` (the studio, in the first load) and `[later]` (only the `later`
//! part refers to it, so those strings load with that part). A leaf module:
//! every layer may use it.

include!(concat!(env!("OUT_DIR"), "/catalogue.rs"));

/// A language of the interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    De,
}

/// The language this build speaks. Each language is its own build of the
/// app (`cargo xtask build --lang de`; the feature `lang-de`), so every
/// string is a constant the compiler puts in place: a second language costs
/// no byte of the first, and nobody downloads a language they do not read.
/// (A catalogue chosen at run time cost 5 KB brotli of lookups besides the
/// other language's words, more than the size budgets leave.)
pub const LANG: Lang = if cfg!(feature = "lang-de") {
    Lang::De
} else {
    Lang::En
};

/// The studio's strings.
#[inline(always)]
pub fn core() -> &'static Core {
    match LANG {
        Lang::En => &CORE_EN,
        Lang::De => &CORE_DE,
    }
}

/// The `later` part's strings. Call it from that part's code only, or its
/// strings move into the first load.
#[inline(always)]
pub fn later() -> &'static Later {
    match LANG {
        Lang::En => &LATER_EN,
        Lang::De => &LATER_DE,
    }
}

/// A template with its `{name}` placeholders filled in.
#[inline(never)]
fn fill(template: &str, values: &[(&str, &dyn core::fmt::Display)]) -> String {
    use core::fmt::Write as _;
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            break;
        };
        let name = &after[..close];
        if let Some((_, value)) = values.iter().find(|(n, _)| *n == name) {
            let _ = write!(out, "{value}");
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_by_name_in_any_order() {
        assert_eq!(
            fill("{b} then {a}", &[("a", &1), ("b", &"two")]),
            "two then 1"
        );
        assert_eq!(fill("no holes", &[]), "no holes");
    }
}
