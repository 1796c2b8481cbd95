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

impl Lang {
    /// Every language, in the order a language list shows them.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::De];

    /// The BCP 47 code (`<html lang>`, the stored choice, the build's folder).
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

    /// The first of `preferred` (the browser's languages) Kleinbild speaks;
    /// English when none. (The page's first script decides the same way.)
    pub fn from_preferences<'a>(preferred: impl IntoIterator<Item = &'a str>) -> Lang {
        preferred
            .into_iter()
            .find_map(Lang::from_code)
            .unwrap_or(Lang::En)
    }

    /// The way from this build's page to `self`'s: English is the site's
    /// folder, every other language a folder in it.
    pub fn path_from_here(self) -> String {
        if self == LANG {
            return "./".into();
        }
        let up = if LANG == Lang::En { "" } else { "../" };
        let down = match self {
            Lang::En => String::new(),
            other => format!("{}/", other.code()),
        };
        match format!("{up}{down}") {
            path if path.is_empty() => "./".into(),
            path => path,
        }
    }
}

/// The language this build speaks. Each language is its own build of the
/// app (the feature `lang-de`; `cargo xtask build` makes every language's
/// build, English in `dist/`, German in `dist/de/`), so every
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
    fn the_browsers_first_known_language_wins() {
        assert_eq!(Lang::from_preferences(["fr-FR", "de-AT", "en"]), Lang::De);
        assert_eq!(Lang::from_preferences(["en-GB", "de"]), Lang::En);
        assert_eq!(Lang::from_preferences(["fr", "es"]), Lang::En);
        assert_eq!(Lang::from_code("DE_ch"), Some(Lang::De));
        assert_eq!(Lang::from_code(""), None);
    }

    #[test]
    fn the_english_build_finds_german_in_its_folder() {
        // Native tests build English.
        assert_eq!(Lang::De.path_from_here(), "de/");
        assert_eq!(Lang::En.path_from_here(), "./");
    }

    #[test]
    fn placeholders_are_filled_by_name_in_any_order() {
        assert_eq!(
            fill("{b} then {a}", &[("a", &1), ("b", &"two")]),
            "two then 1"
        );
        assert_eq!(fill("no holes", &[]), "no holes");
    }
}
