//! The app's words in English and German: one catalogue per language
//! (`en.txt`, `de.txt` beside this file, compiled by `build.rs`), split into
//! `[core]` (the studio, in the first load) and `[later]` (only the `later`
//! part refers to it, so those strings load with that part). A leaf module:
//! every layer may use it.

use std::cell::Cell;

include!(concat!(env!("OUT_DIR"), "/catalogue.rs"));

/// A language of the interface.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    En,
    De,
}

impl Lang {
    /// Every language, in the order the Settings list shows them.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::De];

    /// The BCP 47 code (`<html lang>`, the stored setting).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
        }
    }

    /// The language's name in itself, as a language list shows it.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::De => "Deutsch",
        }
    }

    /// A language from a code such as `de`, `de-AT` or `en-US`.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The first of the browser's preferred languages that Kleinbild speaks;
    /// English when none.
    pub fn from_preferences<'a>(preferred: impl IntoIterator<Item = &'a str>) -> Lang {
        preferred
            .into_iter()
            .find_map(Lang::from_code)
            .unwrap_or_default()
    }
}

thread_local! {
    static CURRENT: Cell<Lang> = const { Cell::new(Lang::En) };
}

/// The language the interface speaks now.
pub fn lang() -> Lang {
    CURRENT.with(Cell::get)
}

/// Sets the interface language (once, at start: a change in Settings takes
/// effect with a reload, so no text is ever half translated).
pub fn set_lang(lang: Lang) {
    CURRENT.with(|c| c.set(lang));
}

/// The studio's strings, in the current language.
// Not inlined: it is called in hundreds of places.
#[inline(never)]
pub fn core() -> &'static Core {
    match lang() {
        Lang::En => &CORE_EN,
        Lang::De => &CORE_DE,
    }
}

/// The `later` part's strings, in the current language. Call it from that
/// part's code only, or its strings move into the first load.
#[inline(never)]
pub fn later() -> &'static Later {
    match lang() {
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

    #[test]
    fn the_browsers_first_known_language_wins() {
        assert_eq!(Lang::from_preferences(["fr-FR", "de-AT", "en"]), Lang::De);
        assert_eq!(Lang::from_preferences(["en-GB", "de"]), Lang::En);
        assert_eq!(Lang::from_preferences(["fr", "es"]), Lang::En);
        assert_eq!(Lang::from_code("DE_ch"), Some(Lang::De));
        assert_eq!(Lang::from_code(""), None);
    }
}
