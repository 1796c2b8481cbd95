//! The static page in the reader's language before its first paint.
//!
//! `index.html` is written in English; its words carry `data-t="key"` (the
//! text) or `data-t-placeholder` / `data-t-aria-label` (an attribute), keys
//! of the catalogues' `[shell]` section. This writes the small inline script
//! that, when the page's language is not English, puts those words in place
//! while the page is parsed, so a German reader never sees English first. It
//! decides like the app (`state::use_language`): `Language` in the stored
//! settings, else the first of the browser's languages Kleinbild speaks.

use std::collections::BTreeMap;
use std::path::Path;

/// Where the app keeps its settings (`storage::settings::SETTINGS_KEY`).
const SETTINGS_KEY: &str = "kleinbild.settings.v1";
/// The language `index.html` is written in.
const PAGE_LANGUAGE: &str = "en";
/// The attributes a `data-t-…` may translate.
const ATTRIBUTES: [&str; 2] = ["placeholder", "aria-label"];

/// The script for `template` (index.html), with the words of every language
/// in `catalogues` (src/i18n); fails when a language lacks a key the page uses.
pub fn script(template: &str, catalogues: &Path) -> Result<String, String> {
    let keys = keys_in(template);
    let mut languages = vec![PAGE_LANGUAGE.to_owned()];
    let mut words = String::new();
    for (lang, strings) in read_catalogues(catalogues)? {
        if lang == PAGE_LANGUAGE {
            continue;
        }
        let mut entries = Vec::new();
        for key in keys
            .iter()
            .chain(std::iter::once(&"shell_title".to_owned()))
        {
            let text = strings.get(key).ok_or_else(|| {
                format!("src/i18n/{lang}.txt has no {key}, which index.html uses")
            })?;
            entries.push(format!("{}:{}", json_string(key), json_string(text)));
        }
        if !words.is_empty() {
            words.push(',');
        }
        words.push_str(&format!("{}:{{{}}}", json_string(&lang), entries.join(",")));
        languages.push(lang);
    }
    let known: Vec<String> = languages.iter().map(|l| json_string(l)).collect();
    let mut attributes = String::new();
    for attribute in ATTRIBUTES {
        let dataset = format!("t{}", camel(attribute));
        attributes.push_str(&format!(
            "for(const e of document.querySelectorAll(\"[data-t-{attribute}]\"))e.setAttribute(\"{attribute}\",t[e.dataset.{dataset}]);"
        ));
    }
    Ok(format!(
        "(()=>{{const all={{{words}}},k=[{known}];let l;try{{l=JSON.parse(localStorage.getItem(\"{SETTINGS_KEY}\")).language}}catch(e){{}}\
if(!k.includes(l))l=(navigator.languages||[navigator.language]).map(c=>String(c).split(/[-_]/)[0].toLowerCase()).find(c=>k.includes(c));\
const t=all[l];if(!t)return;document.documentElement.lang=l;document.title=t.shell_title;\
for(const e of document.querySelectorAll(\"[data-t]\"))e.textContent=t[e.dataset.t];{attributes}}})()",
        known = known.join(","),
    ))
}

/// Every key a `data-t` or `data-t-<attribute>` names, in order, once.
fn keys_in(html: &str) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("data-t") {
        rest = &rest[at + "data-t".len()..];
        let Some(open) = rest.find("=\"") else { break };
        let name = &rest[..open];
        let valid = name.is_empty() || ATTRIBUTES.iter().any(|a| name == format!("-{a}"));
        let value = &rest[open + 2..];
        let key = value.split('"').next().unwrap_or_default();
        if valid && !key.is_empty() && !keys.iter().any(|k| k == key) {
            keys.push(key.to_owned());
        }
    }
    keys
}

/// `aria-label` → `AriaLabel` (how `dataset` names `data-t-aria-label`).
fn camel(attribute: &str) -> String {
    attribute
        .split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Language code → every `key = text` of its catalogue (`src/i18n/<code>.txt`).
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

/// A JSON (and so JavaScript) string literal that is safe inside `<script>`.
fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            // `</script>` must not end the element early.
            '<' => out.push_str("\\u003c"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_keys_of_the_page_are_found_once_and_unknown_attributes_ignored() {
        let html = r#"<b data-t="a">A</b><i data-t-placeholder="b" data-t="a"></i><p data-t-style="c"></p><p data-t-aria-label="d"></p>"#;
        assert_eq!(keys_in(html), ["a", "b", "d"]);
        assert_eq!(camel("aria-label"), "AriaLabel");
    }

    #[test]
    fn words_cannot_end_the_script_or_break_its_strings() {
        assert_eq!(
            json_string("a\"b\\c</script>\n"),
            r#""a\"b\\c\u003c/script>\n""#
        );
    }

    #[test]
    fn the_app_keeps_its_settings_where_the_script_looks() {
        let settings =
            std::fs::read_to_string(crate::root().join("src/storage/settings.rs")).unwrap();
        assert!(
            settings.contains(&format!("SETTINGS_KEY: &str = \"{SETTINGS_KEY}\"")),
            "src/storage/settings.rs keeps the settings under another key than {SETTINGS_KEY}"
        );
        assert!(settings.contains(".text(\"language\", lang.code())"));
    }

    #[test]
    fn every_word_of_the_page_is_in_every_language() {
        let template = std::fs::read_to_string(crate::root().join("index.html")).unwrap();
        let speak = script(&template, &crate::root().join("src/i18n")).unwrap();
        assert!(speak.contains("\"de\":{"), "{speak}");
        assert!(speak.contains("\"shell_generate\":\"Erzeugen\""), "{speak}");
        assert!(!speak.contains("</"), "{speak}");
        // A page word the German catalogue lacks fails the build.
        let more = template.replace("data-t=\"shell_generate\"", "data-t=\"shell_missing\"");
        let error = script(&more, &crate::root().join("src/i18n")).unwrap_err();
        assert!(error.contains("shell_missing"), "{error}");
    }
}
