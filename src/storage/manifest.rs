//! The history export: one stored zip with the images under `images/` and a
//! `history.json` manifest, and the import that trusts none of it. Pure Rust.

use crate::order::TextSet;

use super::history::{FULL_NAMES, HistoryEntry, ReferenceRecord, content_id, entry_from_loose};
use super::presets::{Preset, presets_from_loose, presets_to_json};
use super::zip::{self, ZipError, ZipWriter, crc32};
use crate::generation::verify_image;
use crate::json::{Fields, Loose, ObjectWriter, list_of};

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

/// `references/<content id>.<ext>`: each reference image once, however many
/// entries were made from it.
pub fn reference_path(reference: &ReferenceRecord) -> Option<String> {
    Some(format!(
        "references/{}.{}",
        reference.id,
        reference.format()?.extension()
    ))
}

/// `{"format":"kleinbild-history","version":1,"exported_ms":…,"entries":[{…,"file":…}],"presets":[…]}`.
pub fn build_manifest(entries: &[HistoryEntry], presets: &[Preset], exported_ms: f64) -> String {
    // One entry per line, so the file reads well in an editor.
    let entries = list_of(entries.iter().map(|entry| {
        let file = image_path(entry).unwrap_or_default();
        format!(
            "\n{}",
            entry.write(&FULL_NAMES, false).text("file", &file).finish()
        )
    }));
    ObjectWriter::default()
        .text("format", MANIFEST_FORMAT)
        .whole("version", MANIFEST_VERSION)
        .number("exported_ms", exported_ms)
        .raw("entries", &entries)
        .raw("presets", &presets_to_json(presets))
        .finish()
}

/// One file of an export: where it goes and what the zip records about it,
/// found while the bytes were checked (so they need not stay in memory).
#[derive(Debug, Clone, PartialEq)]
pub struct ExportFile {
    pub path: String,
    pub size: u64,
    pub crc: u32,
}

/// Checks an image for export. `None` if import would refuse it (bad metadata,
/// or bytes that are not the image the metadata describes): it is left out.
/// The returned entry's `bytes` is the real size.
pub fn export_image(entry: &HistoryEntry, data: &[u8]) -> Option<(HistoryEntry, ExportFile)> {
    let mut entry = entry.clone();
    entry.bytes = data.len() as u64;
    check_image(&entry, data).ok()?;
    let file = ExportFile {
        path: image_path(&entry)?,
        size: entry.bytes,
        crc: crc32(data),
    };
    Some((entry, file))
}

/// Checks a reference image for export, like [`export_image`].
pub fn export_reference(reference: &ReferenceRecord, data: &[u8]) -> Option<ExportFile> {
    check_reference(reference, data).ok()?;
    Some(ExportFile {
        path: reference_path(reference)?,
        size: data.len() as u64,
        crc: crc32(data),
    })
}

/// A piece of the export zip, in order: bytes made here, or the data of
/// `files[i]` as passed to [`export_layout`] (a Blob in the browser, so images
/// are never all in memory at once).
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Bytes(Vec<u8>),
    File(usize),
}

/// Lays the export out: manifest first, then every file, then the directory.
/// Entries come from [`export_image`] (each with its file at the same index
/// among the image files); references whose file is not in `files` are left
/// out of the manifest.
pub fn export_layout(
    mut entries: Vec<HistoryEntry>,
    files: &[ExportFile],
    presets: &[Preset],
    exported_ms: f64,
) -> Result<Vec<Part>, ZipError> {
    if entries.len() > MAX_ENTRIES {
        return Err(ZipError::TooLarge);
    }
    let present: TextSet = files.iter().map(|f| f.path.as_str()).collect();
    for entry in &mut entries {
        entry
            .references
            .retain(|r| reference_path(r).is_some_and(|p| present.contains(&p)));
    }
    let manifest = build_manifest(&entries, presets, exported_ms).into_bytes();
    let mut writer = ZipWriter::default();
    let mut parts = vec![Part::Bytes(writer.add(
        MANIFEST_NAME,
        manifest.len() as u64,
        crc32(&manifest),
    )?)];
    parts.push(Part::Bytes(manifest));
    for (i, file) in files.iter().enumerate() {
        parts.push(Part::Bytes(writer.add(&file.path, file.size, file.crc)?));
        parts.push(Part::File(i));
    }
    parts.push(Part::Bytes(writer.finish()?));
    Ok(parts)
}

/// One entry an import would add, with where its bytes are.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedEntry {
    /// Its position in the manifest, counted from 1 (for messages).
    pub index: usize,
    pub entry: HistoryEntry,
    pub file: String,
}

/// What the manifest of an import lists.
#[derive(Debug, Clone, PartialEq)]
pub struct ManifestPlan {
    pub entries: Vec<PlannedEntry>,
    /// Entries whose image is not in the zip (someone removed it): skipped.
    pub skipped_invalid: usize,
    /// The presets it carries (damaged ones left out: they never hold images).
    pub presets: Vec<Preset>,
}

impl ManifestPlan {
    /// Every reference image the planned entries use, once each.
    pub fn references(&self) -> Vec<ReferenceRecord> {
        let mut seen = TextSet::default();
        self.entries
            .iter()
            .flat_map(|p| &p.entry.references)
            .filter(|r| seen.insert(&r.id))
            .cloned()
            .collect()
    }
}

/// What is wrong with a manifest. Entry numbers count from 1, as people do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ManifestError {
    NotJson { line: usize, column: usize },
    NotKleinbild,
    UnknownVersion(String),
    TooManyEntries,
    Entry { index: usize, problem: String },
    Reference(String),
}

impl std::fmt::Display for ManifestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let t = crate::i18n::later();
        match self {
            ManifestError::NotJson { line, column } => {
                f.write_str(&t.gallery_manifest_not_json(line, column))
            }
            ManifestError::NotKleinbild => f.write_str(t.gallery_manifest_not_kleinbild),
            ManifestError::UnknownVersion(version) => {
                f.write_str(&t.gallery_manifest_unknown_version(version))
            }
            ManifestError::TooManyEntries => {
                f.write_str(&t.gallery_manifest_too_many(&MAX_ENTRIES))
            }
            ManifestError::Entry { index, problem } => {
                f.write_str(&t.gallery_manifest_entry(index, problem))
            }
            ManifestError::Reference(problem) => f.write_str(problem),
        }
    }
}

/// Validates a manifest against the names and sizes of the zip's files
/// (`file_size` looks a name up). Any malformed entry rejects the whole file:
/// an export from Kleinbild never has one, so it was damaged or made to
/// deceive. Strings are kept verbatim as plain text (the UI never renders them
/// as HTML). `bytes` is set to the size of the file found; references whose
/// file is missing are dropped from their entry. The bytes themselves are
/// checked afterwards, one file at a time ([`check_image`], [`check_reference`]).
pub fn plan_manifest(
    json: &str,
    file_size: impl Fn(&str) -> Option<u64>,
) -> Result<ManifestPlan, ManifestError> {
    let t = crate::i18n::later();
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
        _ => {
            return Err(ManifestError::UnknownVersion(
                t.gallery_manifest_no_version.into(),
            ));
        }
    }
    let Some(Loose::List(items)) = top.get("entries") else {
        return Err(ManifestError::NotKleinbild);
    };
    if items.len() > MAX_ENTRIES {
        return Err(ManifestError::TooManyEntries);
    }
    let mut plan = ManifestPlan {
        entries: Vec::with_capacity(items.len()),
        skipped_invalid: 0,
        presets: presets_from_loose(top.get("presets")),
    };
    let mut ids = TextSet::default();
    for (i, item) in items.iter().enumerate() {
        let fail = |problem: String| ManifestError::Entry {
            index: i + 1,
            problem,
        };
        let Loose::Object(fields) = item else {
            return Err(fail(t.gallery_entry_not_object(&item.kind())));
        };
        let mut entry = entry_from_loose(item, &FULL_NAMES).map_err(fail)?;
        entry.check().map_err(fail)?;
        if !ids.insert(&entry.id) {
            return Err(fail(t.gallery_manifest_id_twice(&entry.id)));
        }
        let path = Fields(fields).text("file").map_err(fail)?;
        if !zip::is_safe_name(&path) || Some(&path) != image_path(&entry).as_ref() {
            let expected = image_path(&entry).unwrap_or_default();
            return Err(fail(t.gallery_manifest_file_path(&expected, &path)));
        }
        let Some(size) = file_size(&path) else {
            plan.skipped_invalid += 1;
            continue;
        };
        entry.bytes = size;
        entry
            .references
            .retain(|r| reference_path(r).is_some_and(|p| file_size(&p).is_some()));
        plan.entries.push(PlannedEntry {
            index: i + 1,
            entry,
            file: path,
        });
    }
    Ok(plan)
}

/// [`check_image`] for a planned entry, with the entry's number in the message.
pub fn check_planned(planned: &PlannedEntry, data: &[u8]) -> Result<(), ManifestError> {
    check_image(&planned.entry, data).map_err(|problem| ManifestError::Entry {
        index: planned.index,
        problem,
    })
}

/// A reference's bytes must be an image of its format whose content id matches.
pub fn check_reference(reference: &ReferenceRecord, data: &[u8]) -> Result<(), String> {
    let t = crate::i18n::later();
    let path = reference_path(reference).unwrap_or_default();
    match verify_image(data.to_vec()) {
        Ok(image) if Some(image.format) == reference.format() => {}
        _ => return Err(t.gallery_file_not_its_image(&path)),
    }
    if content_id(data) != reference.id {
        return Err(t.gallery_file_not_its_content_id(&path));
    }
    Ok(())
}

/// The bytes must be the image the entry describes: its format and pixel size.
pub fn check_image(entry: &HistoryEntry, data: &[u8]) -> Result<(), String> {
    let t = crate::i18n::later();
    entry.check()?;
    let path = image_path(entry).unwrap_or_default();
    let expected = entry
        .format()
        .map_or("", |f| f.extension())
        .to_ascii_uppercase();
    let image =
        verify_image(data.to_vec()).map_err(|_| t.gallery_file_not_format(&path, &expected))?;
    if Some(image.format) != entry.format() {
        let actual = image.format.extension().to_ascii_uppercase();
        return Err(t.gallery_file_other_format(&path, &expected, &actual));
    }
    if (image.width, image.height) != (entry.width, entry.height) {
        return Err(t.gallery_file_wrong_size(
            &path,
            &image.width,
            &image.height,
            &entry.width,
            &entry.height,
        ));
    }
    Ok(())
}

/// Splits off entries whose id is already in the history (or repeated): those are
/// skipped, never overwritten. Returns the new entries and how many were skipped.
pub fn split_duplicates<T>(
    planned: Vec<T>,
    existing_ids: &TextSet,
    entry: impl Fn(&T) -> &HistoryEntry,
) -> (Vec<T>, usize) {
    let total = planned.len();
    let mut seen = TextSet::default();
    let fresh: Vec<T> = planned
        .into_iter()
        .filter(|p| {
            let id = &entry(p).id;
            !existing_ids.contains(id) && seen.insert(id)
        })
        .collect();
    let duplicates = total - fresh.len();
    (fresh, duplicates)
}

/// The notice after an import, e.g. "Imported 3 images; 1 already in your history was skipped."
pub fn import_summary(imported: usize, duplicates: usize, skipped_invalid: usize) -> String {
    let t = crate::i18n::later();
    let mut text = match imported {
        1 => t.gallery_imported_one.to_owned(),
        n => t.gallery_imported_other(&n),
    };
    match duplicates {
        0 => {}
        1 => text += t.gallery_import_duplicates_one,
        n => text += &t.gallery_import_duplicates_other(&n),
    }
    match skipped_invalid {
        0 => {}
        1 => text += t.gallery_import_missing_one,
        n => text += &t.gallery_import_missing_other(&n),
    }
    text.push('.');
    text
}
