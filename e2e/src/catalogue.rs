//! The app's string catalogues (`src/i18n/<lang>.txt`), read the way
//! `build.rs` reads them, so a test can find the German `Generate` by its key.

use std::collections::BTreeMap;

/// Every `key = text` of one language's catalogue (sections merged).
pub fn catalogue(lang: &str) -> crate::Result<BTreeMap<String, String>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../src/i18n")
        .join(format!("{lang}.txt"));
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut strings = BTreeMap::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with('[') {
            continue;
        }
        let (key, value) = line
            .split_once(" = ")
            .or_else(|| line.strip_suffix(" =").map(|k| (k, "")))
            .ok_or_else(|| format!("{}: not `key = text`: {line}", path.display()))?;
        strings.insert(
            key.trim().to_owned(),
            value.replace("\\n", "\n").replace("\\\\", "\\"),
        );
    }
    Ok(strings)
}
