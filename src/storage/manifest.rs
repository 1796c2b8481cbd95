//! The history export: one stored zip with the images under `images/` and a
//! `history.json` manifest, and the import that trusts none of it. Pure Rust.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::history::{FULL_NAMES, Fields, HistoryEntry, Loose, entry_from_loose};
use super::zip::{self, ZipError};
use crate::api::image::verify_image;

pub const MANIFEST_NAME: &str = "history.json";
pub const MANIFEST_FORMAT: &str = "kleinbild-history";
pub const MANIFEST_VERSION: u64 = 1;
/// Most entries one manifest may list.
pub const MAX_ENTRIES: usize = 10_000;

/// `images/<id>.<ext>`, the only place an entry's image may be.
pub fn image_path(entry: &HistoryEntry) -> Option<String> {
    Some(format!(
        "images/{}.{}",
        entry.id,
        entry.format()?.extension()
    ))
}

#[derive(Serialize)]
struct ManifestEntry<'a> {
    #[serde(flatten)]
    entry: &'a HistoryEntry,
    file: String,
}

#[derive(Serialize)]
struct Manifest<'a> {
    format: &'static str,
    version: u64,
    exported_ms: f64,
    entries: Vec<ManifestEntry<'a>>,
}

/// `{"format":"kleinbild-history","version":1,"exported_ms":…,"entries":[{…,"file":…}]}`.
pub fn build_manifest(entries: &[HistoryEntry], exported_ms: f64) -> String {
    let entries = entries
        .iter()
        .map(|entry| ManifestEntry {
            entry,
            file: image_path(entry).unwrap_or_default(),
        })
        .collect();
    serde_json::to_string_pretty(&Manifest {
        format: MANIFEST_FORMAT,
        version: MANIFEST_VERSION,
        exported_ms,
        entries,
    })
    .unwrap_or_default()
}

/// A finished export.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    pub zip: Vec<u8>,
    /// Entries that would not pass import (bad metadata, or bytes that are not
    /// the image the metadata describes) and were left out.
    pub left_out: usize,
}

/// Builds the export zip. `bytes` in the manifest is set to the real size.
pub fn export_zip(items: &[(HistoryEntry, Vec<u8>)], exported_ms: f64) -> Result<Export, ZipError> {
    let mut entries = Vec::with_capacity(items.len());
    let mut images = Vec::with_capacity(items.len());
    let mut seen = HashSet::new();
    for (entry, data) in items {
        let mut entry = entry.clone();
        entry.bytes = data.len() as u64;
        if check_image(&entry, data).is_ok()
            && seen.insert(entry.id.clone())
            && let Some(path) = image_path(&entry)
        {
            images.push((path, data.as_slice()));
            entries.push(entry);
        }
    }
    if entries.len() > MAX_ENTRIES {
        return Err(ZipError::TooLarge);
    }
    let manifest = build_manifest(&entries, exported_ms);
    let mut files: Vec<(&str, &[u8])> = vec![(MANIFEST_NAME, manifest.as_bytes())];
    files.extend(images.iter().map(|(p, d)| (p.as_str(), *d)));
    Ok(Export {
        zip: zip::write_stored(&files)?,
        left_out: items.len() - entries.len(),
    })
}

/// What an import would add.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportPlan {
    /// Entries with their image bytes, in manifest order.
    pub entries: Vec<(HistoryEntry, Vec<u8>)>,
    /// Entries whose image is not in the zip (someone removed it): skipped.
    pub skipped_invalid: usize,
}

/// What is wrong with a manifest. Entry numbers count from 1, as people do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ManifestError {
    #[error("history.json is not valid JSON (line {line}, column {column})")]
    NotJson { line: usize, column: usize },
    #[error("history.json is not a Kleinbild history file")]
    NotKleinbild,
    #[error("history.json has version {0}, which this version of Kleinbild cannot read")]
    UnknownVersion(String),
    #[error("history.json lists more than {MAX_ENTRIES} images")]
    TooManyEntries,
    #[error("history.json entry {index}: {problem}")]
    Entry { index: usize, problem: String },
}

/// Validates a manifest against the zip's files (`files` looks a name up).
/// Any malformed entry rejects the whole file: an export from Kleinbild never
/// has one, so it was damaged or made to deceive. Strings are kept verbatim as
/// plain text (the UI never renders them as HTML). `bytes` is set to the size
/// of the file found.
pub fn parse_manifest<'f>(
    json: &str,
    files: impl Fn(&str) -> Option<&'f [u8]>,
) -> Result<ImportPlan, ManifestError> {
    let root = Loose::parse(json).map_err(|e| ManifestError::NotJson {
        line: e.line(),
        column: e.column(),
    })?;
    let Loose::Object(fields) = root else {
        return Err(ManifestError::NotKleinbild);
    };
    let top = Fields(&fields);
    if top.repeated_key().is_some()
        || !matches!(top.get("format"), Some(Loose::Text(f)) if f == MANIFEST_FORMAT)
    {
        return Err(ManifestError::NotKleinbild);
    }
    match top.get("version") {
        Some(Loose::UInt(MANIFEST_VERSION)) => {}
        Some(Loose::UInt(v)) => return Err(ManifestError::UnknownVersion(v.to_string())),
        _ => return Err(ManifestError::UnknownVersion("(none)".into())),
    }
    let Some(Loose::List(items)) = top.get("entries") else {
        return Err(ManifestError::NotKleinbild);
    };
    if items.len() > MAX_ENTRIES {
        return Err(ManifestError::TooManyEntries);
    }
    let mut plan = ImportPlan {
        entries: Vec::with_capacity(items.len()),
        skipped_invalid: 0,
    };
    let mut ids = HashSet::new();
    for (i, item) in items.iter().enumerate() {
        let fail = |problem: String| ManifestError::Entry {
            index: i + 1,
            problem,
        };
        let Loose::Object(fields) = item else {
            return Err(fail(format!("must be an object, not {}", item.kind())));
        };
        let mut entry = entry_from_loose(item, &FULL_NAMES).map_err(fail)?;
        entry.check().map_err(fail)?;
        if !ids.insert(entry.id.clone()) {
            return Err(fail(format!("the id {} appears twice", entry.id)));
        }
        let path = Fields(fields).text("file").map_err(fail)?;
        if !zip::is_safe_name(&path) || Some(&path) != image_path(&entry).as_ref() {
            return Err(fail(format!(
                "\"file\" must be {}, not {path:?}",
                image_path(&entry).unwrap_or_default()
            )));
        }
        let Some(data) = files(&path) else {
            plan.skipped_invalid += 1;
            continue;
        };
        entry.bytes = data.len() as u64;
        check_image(&entry, data).map_err(fail)?;
        plan.entries.push((entry, data.to_vec()));
    }
    Ok(plan)
}

/// The bytes must be the image the entry describes: its format and pixel size.
fn check_image(entry: &HistoryEntry, data: &[u8]) -> Result<(), String> {
    entry.check()?;
    let path = image_path(entry).unwrap_or_default();
    let expected = entry
        .format()
        .map_or("", |f| f.extension())
        .to_ascii_uppercase();
    let image = verify_image(data.to_vec())
        .map_err(|_| format!("the file {path} is not a {expected} image"))?;
    if Some(image.format) != entry.format() {
        return Err(format!(
            "the file {path} is not a {expected} image (it is {})",
            image.format.extension().to_ascii_uppercase()
        ));
    }
    if (image.width, image.height) != (entry.width, entry.height) {
        return Err(format!(
            "the file {path} is {}×{} pixels, not {}×{}",
            image.width, image.height, entry.width, entry.height
        ));
    }
    Ok(())
}

/// Splits off entries whose id is already in the history (or repeated): those are
/// skipped, never overwritten. Returns the new entries and how many were skipped.
pub fn split_duplicates(
    plan: ImportPlan,
    existing_ids: &HashSet<String>,
) -> (Vec<(HistoryEntry, Vec<u8>)>, usize) {
    let total = plan.entries.len();
    let mut seen = HashSet::new();
    let fresh: Vec<_> = plan
        .entries
        .into_iter()
        .filter(|(e, _)| !existing_ids.contains(&e.id) && seen.insert(e.id.clone()))
        .collect();
    let duplicates = total - fresh.len();
    (fresh, duplicates)
}

/// Why an import file was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    #[error("Import failed: {0}.")]
    Zip(#[from] ZipError),
    #[error("Import failed: the zip has no history.json, so it is not a Kleinbild history export.")]
    NoManifest,
    #[error("Import failed: {0}.")]
    Manifest(#[from] ManifestError),
}

/// Reads an export zip: the archive, then the manifest against its files.
pub fn import_zip(bytes: &[u8]) -> Result<ImportPlan, ImportError> {
    let files = zip::read_stored(bytes)?;
    let by_name: HashMap<&str, &[u8]> = files
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    let find = |name: &str| by_name.get(name).copied();
    let manifest = find(MANIFEST_NAME).ok_or(ImportError::NoManifest)?;
    let manifest =
        std::str::from_utf8(manifest).map_err(|_| ManifestError::NotJson { line: 1, column: 1 })?;
    Ok(parse_manifest(manifest, find)?)
}

/// The notice after an import, e.g. "Imported 3 images; 1 already in your history was skipped."
pub fn import_summary(imported: usize, duplicates: usize, skipped_invalid: usize) -> String {
    let images = |n: usize| {
        if n == 1 {
            "1 image".to_owned()
        } else {
            format!("{n} images")
        }
    };
    let mut text = format!("Imported {}", images(imported));
    if duplicates > 0 {
        let verb = if duplicates == 1 { "was" } else { "were" };
        text += &format!("; {duplicates} already in your history {verb} skipped");
    }
    if skipped_invalid > 0 {
        let verb = if skipped_invalid == 1 { "was" } else { "were" };
        text += &format!(
            "; {} missing from the file {verb} skipped",
            images(skipped_invalid)
        );
    }
    text.push('.');
    text
}
