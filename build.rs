//! Compiles the string catalogues (`src/i18n/en.txt`, `src/i18n/de.txt`) into
//! Rust: one struct per section (`[core]`: shown before any part loads;
//! `[later]`: shown by the `later` part, whose code alone refers to it, so
//! its strings load with it), one static per language, and a method for each
//! string with `{placeholders}`. `[shell]` (the static page) is only checked
//! here; `cargo xtask build` puts it into index.html.
//!
//! The build fails when the languages disagree: a key missing from one of
//! them, a different set of placeholders, a duplicate, or a malformed line.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// The languages, in the order of `i18n::Lang`; the first one is the reference.
const LANGUAGES: [(&str, &str); 2] = [("en", "EN"), ("de", "DE")];
const SECTIONS: [(&str, &str); 3] = [("core", "Core"), ("later", "Later"), ("shell", "")];

/// One string: its text and the placeholders it names, in order.
struct Entry {
    text: String,
    holes: Vec<String>,
    line: usize,
}

type Catalogue = BTreeMap<String, Vec<(String, Entry)>>;

fn main() {
    let dir = Path::new("src/i18n");
    let mut catalogues = Vec::new();
    for (lang, _) in LANGUAGES {
        let path = dir.join(format!("{lang}.txt"));
        println!("cargo::rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        catalogues.push(parse(&text, &format!("{lang}.txt")));
    }
    check_agree(&catalogues);
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(out.join("catalogue.rs"), generate(&catalogues)).expect("write catalogue.rs");
}

fn parse(text: &str, file: &str) -> Catalogue {
    let mut catalogue = Catalogue::new();
    let mut section: Option<String> = None;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(name) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            assert!(
                SECTIONS.iter().any(|(s, _)| *s == name),
                "{file}:{line}: unknown section [{name}]"
            );
            section = Some(name.to_owned());
            catalogue.entry(name.to_owned()).or_default();
            continue;
        }
        let (key, value) = trimmed
            .split_once(" = ")
            .or_else(|| trimmed.strip_suffix(" =").map(|k| (k, "")))
            .unwrap_or_else(|| panic!("{file}:{line}: expected `key = text`"));
        let key = key.trim();
        assert!(
            !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                && !key.starts_with(|c: char| c.is_ascii_digit()),
            "{file}:{line}: a key is lower_snake_case: {key:?}"
        );
        let section = section
            .clone()
            .unwrap_or_else(|| panic!("{file}:{line}: a string before the first [section]"));
        let entries = catalogue.entry(section).or_default();
        assert!(
            !entries.iter().any(|(k, _)| k == key),
            "{file}:{line}: {key} is already in this section"
        );
        let text = unescape(value);
        let holes = holes(&text).unwrap_or_else(|e| panic!("{file}:{line}: {e}"));
        entries.push((key.to_owned(), Entry { text, holes, line }));
    }
    catalogue
}

/// `\n` is a line break and `\\` a backslash; nothing else is special.
fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The `{name}` placeholders of a text, in order of first appearance.
fn holes(text: &str) -> Result<Vec<String>, String> {
    let mut found: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or("a `{` without its `}`")?;
        let name = &after[..close];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            return Err(format!("placeholder {{{name}}} is not lower_snake_case"));
        }
        if !found.iter().any(|f| f == name) {
            found.push(name.to_owned());
        }
        rest = &after[close + 1..];
    }
    if rest.contains('}') {
        return Err("a `}` without its `{`".into());
    }
    Ok(found)
}

fn check_agree(catalogues: &[Catalogue]) {
    let (reference_lang, _) = LANGUAGES[0];
    let reference = &catalogues[0];
    for ((lang, _), catalogue) in LANGUAGES.iter().zip(catalogues).skip(1) {
        for (section, _) in SECTIONS {
            let ours = reference
                .get(section)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let theirs = catalogue
                .get(section)
                .map(Vec::as_slice)
                .unwrap_or_default();
            for (key, entry) in ours {
                let Some((_, other)) = theirs.iter().find(|(k, _)| k == key) else {
                    panic!(
                        "{lang}.txt [{section}] lacks {key} ({reference_lang}.txt line {})",
                        entry.line
                    );
                };
                let mut a = entry.holes.clone();
                let mut b = other.holes.clone();
                a.sort();
                b.sort();
                assert!(
                    a == b,
                    "{lang}.txt line {}: {key} has placeholders {b:?}, {reference_lang}.txt has {a:?}",
                    other.line
                );
            }
            for (key, other) in theirs {
                assert!(
                    ours.iter().any(|(k, _)| k == key),
                    "{lang}.txt line {}: {key} is not in {reference_lang}.txt [{section}]",
                    other.line
                );
            }
        }
    }
}

fn generate(catalogues: &[Catalogue]) -> String {
    let mut out = String::from("// Generated by build.rs from src/i18n/*.txt: edit those.\n");
    let reference = &catalogues[0];
    // `[shell]` is index.html's: `cargo xtask build` reads it.
    for (section, type_name) in SECTIONS.into_iter().filter(|(_, t)| !t.is_empty()) {
        let entries = reference
            .get(section)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let _ = writeln!(out, "\n/// The `[{section}]` strings of one language.");
        let _ = writeln!(out, "pub struct {type_name} {{");
        for (key, entry) in entries {
            if entry.holes.is_empty() {
                let _ = writeln!(out, "    /// {}", doc(&entry.text));
                let _ = writeln!(out, "    pub {key}: &'static str,");
            } else {
                let _ = writeln!(out, "    {key}: &'static str,");
            }
        }
        out.push_str("}\n");
        let templated: Vec<_> = entries
            .iter()
            .filter(|(_, e)| !e.holes.is_empty())
            .collect();
        if !templated.is_empty() {
            let _ = writeln!(out, "\nimpl {type_name} {{");
            for (key, entry) in templated {
                let params: Vec<String> = entry
                    .holes
                    .iter()
                    .map(|h| format!("{h}: &dyn core::fmt::Display"))
                    .collect();
                let args: Vec<String> = entry
                    .holes
                    .iter()
                    .map(|h| format!("(\"{h}\", {h})"))
                    .collect();
                let _ = writeln!(out, "    /// {}", doc(&entry.text));
                let _ = writeln!(
                    out,
                    "    pub fn {key}(&self, {}) -> String {{\n        fill(self.{key}, &[{}])\n    }}",
                    params.join(", "),
                    args.join(", ")
                );
            }
            out.push_str("}\n");
        }
        for ((_, upper), catalogue) in LANGUAGES.iter().zip(catalogues) {
            let _ = writeln!(
                out,
                "\npub static {}_{upper}: {type_name} = {type_name} {{",
                section.to_uppercase()
            );
            let entries = catalogue
                .get(section)
                .map(Vec::as_slice)
                .unwrap_or_default();
            for (key, entry) in entries {
                let _ = writeln!(out, "    {key}: {:?},", entry.text);
            }
            out.push_str("};\n");
        }
    }
    out
}

fn doc(text: &str) -> String {
    format!("{:?}", text)
}
