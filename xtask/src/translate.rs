//! `index.html` in the build's language. The page is written in English;
//! its words carry `data-t="key"` (the text up to the next tag) or
//! `data-t-placeholder` / `data-t-aria-label` (that attribute), keys of the
//! catalogues' `[shell]` section (`src/i18n/<lang>.txt`). Each language's
//! build gets its own page, so the static shell is in the reader's language
//! from the first paint. The markers never reach `dist/`.

use std::collections::BTreeMap;
use std::path::Path;

/// The language `index.html` is written in.
const PAGE_LANGUAGE: &str = "en";
/// The attributes a `data-t-…` may translate.
const ATTRIBUTES: [&str; 2] = ["placeholder", "aria-label"];

/// The languages there is a catalogue for (`src/i18n/<code>.txt`).
pub fn languages(catalogues: &Path) -> Result<Vec<String>, String> {
    Ok(read_catalogues(catalogues)?.into_keys().collect())
}

/// Where the app keeps the reader's choice in Settings (`Language`); none:
/// the browser's preferred languages decide.
pub const CHOICE_KEY: &str = "kleinbild.language";

/// The path from the page of `from` to the page of `to`: English is the
/// folder itself, every other language a folder in it.
pub fn path_between(from: &str, to: &str) -> String {
    if from == to {
        return "./".into();
    }
    let up = if from == PAGE_LANGUAGE { "" } else { "../" };
    let down = if to == PAGE_LANGUAGE {
        String::new()
    } else {
        format!("{to}/")
    };
    match format!("{up}{down}") {
        path if path.is_empty() => "./".into(),
        path => path,
    }
}

/// The first script of the page of `lang`: the language chosen in Settings,
/// else the first of the browser's languages there is a build for, else
/// English; when that is another language, the page gives way to that
/// language's page at once (keeping the query, e.g. a sign-in code, and the
/// fragment, e.g. a share link).
pub fn language_script(lang: &str, languages: &[String]) -> String {
    let paths: Vec<String> = languages
        .iter()
        .map(|to| format!("\"{to}\":\"{}\"", path_between(lang, to)))
        .collect();
    format!(
        "(()=>{{const k={{{}}};let l;try{{l=localStorage[\"{CHOICE_KEY}\"]}}catch{{}}\
l in k||(l=navigator.languages.map(c=>c.split(/[-_]/)[0].toLowerCase()).find(c=>c in k)||\"{PAGE_LANGUAGE}\");\
l!=\"{lang}\"&&location.replace(k[l]+location.search+location.hash)}})()",
        paths.join(",")
    )
}

/// `template` in `lang`: its marked words from the catalogue, `<html lang>`
/// and the title (`shell_title`); fails when the catalogue lacks a key.
pub fn page(template: &str, lang: &str, catalogues: &Path) -> Result<String, String> {
    let all = read_catalogues(catalogues)?;
    let words = all
        .get(lang)
        .ok_or_else(|| format!("no catalogue src/i18n/{lang}.txt"))?;
    let word = |key: &str| {
        words
            .get(key)
            .map(|w| escaped(w))
            .ok_or_else(|| format!("src/i18n/{lang}.txt has no {key}, which index.html uses"))
    };
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let close = rest[open..]
            .find('>')
            .map(|c| open + c + 1)
            .ok_or("index.html: a tag without its `>`")?;
        let (tag, text_key) = translated_tag(&rest[open..close], lang, &word)?;
        out.push_str(&tag);
        rest = &rest[close..];
        if let Some(key) = text_key {
            // The element's text, up to the next tag, is the word.
            let end = rest.find('<').unwrap_or(rest.len());
            out.push_str(&word(&key)?);
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    if lang != PAGE_LANGUAGE {
        let title = word("shell_title")?;
        out = replace_between(&out, "<title>", "</title>", &title)?;
        out = out.replacen(
            &format!("<html lang=\"{PAGE_LANGUAGE}\">"),
            &format!("<html lang=\"{lang}\">"),
            1,
        );
    }
    Ok(out)
}

/// One tag without its `data-t…` markers, its attributes in `lang`, and the
/// key of its text when it has one.
fn translated_tag(
    tag: &str,
    lang: &str,
    word: &dyn Fn(&str) -> Result<String, String>,
) -> Result<(String, Option<String>), String> {
    let mut tag = tag.to_owned();
    let text_key = take_marker(&mut tag, "data-t");
    for attribute in ATTRIBUTES {
        if let Some(key) = take_marker(&mut tag, &format!("data-t-{attribute}"))
            && lang != PAGE_LANGUAGE
        {
            let prefix = format!(" {attribute}=\"");
            let start = tag.find(&prefix).map(|s| s + prefix.len()).ok_or_else(|| {
                format!("index.html: data-t-{attribute} on a tag without {attribute}")
            })?;
            let end = start
                + tag[start..]
                    .find('"')
                    .ok_or("index.html: an unclosed attribute")?;
            tag.replace_range(start..end, &word(&key)?);
        }
    }
    Ok((tag, text_key.filter(|_| lang != PAGE_LANGUAGE)))
}

/// Removes ` name="value"` from a tag; returns the value.
fn take_marker(tag: &mut String, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)?;
    let value_start = start + needle.len();
    let value_end = value_start + tag[value_start..].find('"')?;
    let value = tag[value_start..value_end].to_owned();
    tag.replace_range(start..value_end + 1, "");
    Some(value)
}

fn replace_between(text: &str, open: &str, close: &str, with: &str) -> Result<String, String> {
    let start = text
        .find(open)
        .ok_or_else(|| format!("index.html has no {open}"))?
        + open.len();
    let end = start
        + text[start..]
            .find(close)
            .ok_or_else(|| format!("index.html has no {close}"))?;
    Ok(format!("{}{with}{}", &text[..start], &text[end..]))
}

/// Text and attribute values as HTML.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Language code → every `key = text` of its catalogue.
fn read_catalogues(dir: &Path) -> Result<BTreeMap<String, BTreeMap<String, String>>, String> {
    let mut all = BTreeMap::new();
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let Some(lang) = name.strip_suffix(".txt").filter(|l| l.len() == 2) else {
            continue;
        };
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{name}: {e}"))?;
        let mut strings = BTreeMap::new();
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') || line.starts_with('[') {
                continue;
            }
            if let Some((key, value)) = line.split_once(" = ") {
                strings.insert(key.trim().to_owned(), value.replace("\\n", "\n"));
            }
        }
        all.insert(lang.to_owned(), strings);
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template() -> String {
        std::fs::read_to_string(crate::root().join("index.html")).unwrap()
    }

    #[test]
    fn the_german_page_says_everything_in_german_and_keeps_no_marker() {
        let de = page(&template(), "de", &crate::root().join("src/i18n")).unwrap();
        assert!(de.contains("<html lang=\"de\">"), "{de}");
        assert!(de.contains(">Erzeugen</button>"), "{de}");
        assert!(de.contains("<title>Kleinbild — Bildstudio für FLUX.2 [klein]</title>"));
        assert!(de.contains("placeholder=\"Ein Fuchs als Aquarell in einem verschneiten Wald\""));
        assert!(de.contains("aria-label=\"Ergebnis\""));
        assert!(!de.contains("data-t"), "a marker reached the page");
        for english in [
            ">Generate<",
            ">Settings<",
            "A new version of Kleinbild is ready.",
        ] {
            assert!(
                !de.contains(english),
                "{english} is still on the German page"
            );
        }
    }

    #[test]
    fn the_english_page_is_the_template_without_markers() {
        let en = page(&template(), "en", &crate::root().join("src/i18n")).unwrap();
        assert!(!en.contains("data-t"));
        assert!(en.contains(">Generate</button>") && en.contains("<html lang=\"en\">"));
        assert_eq!(
            languages(&crate::root().join("src/i18n")).unwrap(),
            ["de", "en"]
        );
    }

    #[test]
    fn a_word_the_catalogue_lacks_fails_the_build() {
        let more = template().replace("data-t=\"shell_generate\"", "data-t=\"shell_missing\"");
        let error = page(&more, "de", &crate::root().join("src/i18n")).unwrap_err();
        assert!(error.contains("shell_missing"), "{error}");
    }

    #[test]
    fn each_page_knows_the_way_to_every_language() {
        assert_eq!(path_between("en", "en"), "./");
        assert_eq!(path_between("en", "de"), "de/");
        assert_eq!(path_between("de", "en"), "../");
        assert_eq!(path_between("de", "de"), "./");
        let languages = ["de".to_owned(), "en".to_owned()];
        let script = language_script("de", &languages);
        assert!(
            script.contains(r#"const k={"de":"./","en":"../"}"#),
            "{script}"
        );
        assert!(script.contains(r#"l!="de"&&location.replace"#), "{script}");
        assert!(!script.contains("</"));
    }

    #[test]
    fn the_shell_says_what_the_app_then_says() {
        // The static page is replaced on mount: the same English words must
        // have the same words in every language, or the text would flicker.
        let all = read_catalogues(&crate::root().join("src/i18n")).unwrap();
        let english = &all["en"];
        for (lang, words) in &all {
            for (shell_key, text) in english.iter().filter(|(k, _)| k.starts_with("shell_")) {
                for (key, _) in english
                    .iter()
                    .filter(|(k, t)| !k.starts_with("shell_") && *t == text)
                {
                    assert_eq!(
                        words[shell_key], words[key],
                        "{lang}: {shell_key} and {key}"
                    );
                }
            }
        }
    }

    #[test]
    fn words_are_html() {
        assert_eq!(escaped("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
