//! Export and import as the app runs them, over in-memory stores: export
//! through [`plan_export`] with an [`ExportSource`] of byte vectors, import
//! through [`check_import`] over the zip's bytes.

use std::cell::RefCell;
use std::collections::HashMap;

use kleinbild::storage::HistoryEntry;
use kleinbild::storage::history::ReferenceRecord;
use kleinbild::storage::manifest::reference_path;
use kleinbild::storage::transfer::{
    Archive, CheckedImport, ExportError, ExportSource, ImportError, ZipPart, check_import,
    plan_export,
};

use super::block_on;

/// Stored images and reference images by id, as IndexedDB holds them.
#[derive(Default)]
pub struct MemorySource {
    pub images: HashMap<String, Vec<u8>>,
    pub references: HashMap<String, Vec<u8>>,
}

impl MemorySource {
    pub fn new(
        images: &[(HistoryEntry, Vec<u8>)],
        references: &[(ReferenceRecord, Vec<u8>)],
    ) -> MemorySource {
        MemorySource {
            images: images
                .iter()
                .map(|(e, d)| (e.id.clone(), d.clone()))
                .collect(),
            references: references
                .iter()
                .map(|(r, d)| (r.id.clone(), d.clone()))
                .collect(),
        }
    }
}

impl ExportSource for MemorySource {
    type File = Vec<u8>;

    async fn image(&self, id: &str) -> Option<Vec<u8>> {
        self.images.get(id).cloned()
    }

    async fn reference(&self, id: &str) -> Option<Vec<u8>> {
        self.references.get(id).cloned()
    }

    async fn bytes(&self, file: &Vec<u8>) -> Option<Vec<u8>> {
        Some(file.clone())
    }
}

/// A finished export: the zip the browser would assemble from the parts.
#[derive(Debug)]
pub struct Exported {
    pub zip: Vec<u8>,
    /// Images in the zip.
    pub count: usize,
    /// Stored images left out.
    pub skipped: usize,
    /// Where each stored file's bytes start in `zip`, in part order.
    pub file_starts: Vec<u64>,
    /// Every `progress(done, total)` call.
    pub progress: Vec<(usize, usize)>,
}

/// Exports `items` (entries with their stored bytes) and the stored reference
/// images through [`plan_export`], joining the parts in order.
pub fn export_items(
    items: &[(HistoryEntry, Vec<u8>)],
    references: &[(ReferenceRecord, Vec<u8>)],
    exported_ms: f64,
) -> Result<Exported, ExportError> {
    let source = MemorySource::new(items, references);
    let entries = items.iter().map(|(e, _)| e.clone()).collect();
    export_from(entries, &source, exported_ms)
}

/// Exports `entries` from `source` through [`plan_export`], joining the parts.
pub fn export_from(
    entries: Vec<HistoryEntry>,
    source: &MemorySource,
    exported_ms: f64,
) -> Result<Exported, ExportError> {
    let progress = RefCell::new(Vec::new());
    let plan = block_on(plan_export(
        entries,
        &[],
        source,
        exported_ms,
        &|done, total| progress.borrow_mut().push((done, total)),
    ))?;
    let mut zip = Vec::new();
    let mut file_starts = Vec::new();
    for part in plan.parts {
        match part {
            ZipPart::Bytes(bytes) => zip.extend(bytes),
            ZipPart::File(file) => {
                file_starts.push(zip.len() as u64);
                zip.extend(file);
            }
        }
    }
    Ok(Exported {
        zip,
        count: plan.count,
        skipped: plan.skipped,
        file_starts,
        progress: progress.into_inner(),
    })
}

/// What an import would add, with the bytes of every file taken from the zip
/// at the span [`check_import`] checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// Entries with their image bytes, in manifest order.
    pub entries: Vec<(HistoryEntry, Vec<u8>)>,
    /// Reference images with their bytes.
    pub references: Vec<(ReferenceRecord, Vec<u8>)>,
    pub skipped_invalid: usize,
    /// Every `progress(done, total)` call.
    pub progress: Vec<(usize, usize)>,
}

/// Opens `zip` as an [`Archive`] and runs [`check_import`] on it.
pub fn check_zip(zip: &[u8]) -> Result<CheckedImport, ImportError> {
    block_on(async {
        let archive = Archive::open(zip).await?;
        check_import(&archive, &|_, _| {}).await
    })
}

/// [`check_import`] of `zip`, with each checked file's bytes.
pub fn import_checked(zip: &[u8]) -> Result<Imported, ImportError> {
    let progress = RefCell::new(Vec::new());
    let checked = block_on(async {
        let archive = Archive::open(zip).await?;
        check_import(&archive, &|done, total| {
            progress.borrow_mut().push((done, total))
        })
        .await
    })?;
    let bytes = |path: &str| {
        let (start, size) = checked
            .span(path)
            .unwrap_or_else(|| panic!("{path} was checked, so it has a span"));
        zip[start as usize..(start + size) as usize].to_vec()
    };
    let entries = checked
        .entries
        .iter()
        .map(|planned| (planned.entry.clone(), bytes(&planned.file)))
        .collect();
    let references = checked
        .references
        .iter()
        .map(|r| {
            (
                r.clone(),
                bytes(&reference_path(r).expect("a checked reference has a path")),
            )
        })
        .collect();
    Ok(Imported {
        entries,
        references,
        skipped_invalid: checked.skipped_invalid,
        progress: progress.into_inner(),
    })
}
