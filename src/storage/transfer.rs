//! Export and import of the whole history as one zip, written once for every
//! kind of file: the browser runs it over Blobs, the native tests over byte
//! slices, so the tests exercise exactly what the app does.

use crate::order::{TextSet, sort_by};
use std::future::Future;

use super::HistoryEntry;
use super::history::ReferenceRecord;
use super::manifest::{
    MANIFEST_NAME, ManifestError, Part, PlannedEntry, check_planned, check_reference, export_image,
    export_layout, export_reference, plan_manifest, reference_path,
};
use super::presets::Preset;
use super::zip::{self, DirEntry, ZipError};

/// Why an import file was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    Zip(#[from] ZipError),
    NoManifest,
    Manifest(#[from] ManifestError),
    Unreadable,
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let t = crate::i18n::later();
        match self {
            ImportError::Zip(e) => f.write_str(&t.gallery_import_failed(e)),
            ImportError::NoManifest => f.write_str(t.gallery_import_no_manifest),
            ImportError::Manifest(e) => f.write_str(&t.gallery_import_failed(e)),
            ImportError::Unreadable => f.write_str(t.gallery_import_unreadable),
        }
    }
}

/// Why there is no export.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExportError {
    Nothing,
    Zip(#[from] ZipError),
}

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let t = crate::i18n::later();
        match self {
            ExportError::Nothing => f.write_str(t.gallery_export_nothing),
            ExportError::Zip(e) => f.write_str(&t.gallery_export_failed(e)),
        }
    }
}

/// A file read a range at a time: a Blob in the browser, a slice in tests.
pub trait RangeRead {
    fn size(&self) -> u64;
    fn read_range(
        &self,
        start: u64,
        len: u64,
    ) -> impl Future<Output = Result<Vec<u8>, ImportError>>;
}

impl RangeRead for [u8] {
    fn size(&self) -> u64 {
        self.len() as u64
    }

    async fn read_range(&self, start: u64, len: u64) -> Result<Vec<u8>, ImportError> {
        let start = usize::try_from(start).map_err(|_| ImportError::Unreadable)?;
        let end = start.saturating_add(usize::try_from(len).map_err(|_| ImportError::Unreadable)?);
        self.get(start..end.min(self.len()))
            .map(<[u8]>::to_vec)
            .ok_or(ImportError::Unreadable)
    }
}

impl RangeRead for web_sys::Blob {
    fn size(&self) -> u64 {
        web_sys::Blob::size(self) as u64
    }

    async fn read_range(&self, start: u64, len: u64) -> Result<Vec<u8>, ImportError> {
        let piece = self
            .slice_with_f64_and_f64(start as f64, (start + len) as f64)
            .map_err(|_| ImportError::Unreadable)?;
        super::blob::blob_bytes(&piece)
            .await
            .map_err(|_| ImportError::Unreadable)
    }
}

/// A stored zip read through its central directory, a piece at a time.
pub struct Archive<'a, R: RangeRead + ?Sized> {
    file: &'a R,
    /// Sorted by name (names are unique: the directory reader refuses repeats).
    files: Vec<DirEntry>,
}

impl<'a, R: RangeRead + ?Sized> Archive<'a, R> {
    pub async fn open(file: &'a R) -> Result<Archive<'a, R>, ImportError> {
        let total = file.size();
        let tail_start = total.saturating_sub(zip::TAIL_LEN);
        let tail = file.read_range(tail_start, total - tail_start).await?;
        let end = zip::read_end(&tail, total)?;
        let directory = file
            .read_range(end.directory_offset, end.directory_size)
            .await?;
        let mut files = zip::read_directory(&directory, &end, total)?;
        sort_by(&mut files, |a, b| a.name.cmp(&b.name));
        Ok(Archive { file, files })
    }

    /// Every file's name, in no particular order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(|f| f.name.as_str())
    }

    pub fn find(&self, name: &str) -> Option<&DirEntry> {
        let at = self.files.binary_search_by(|f| f.name.as_str().cmp(name));
        at.ok().map(|at| &self.files[at])
    }

    /// A file's data, checksum verified, and where it starts in the archive.
    pub async fn read(&self, entry: &DirEntry) -> Result<(u64, Vec<u8>), ImportError> {
        let total = self.file.size();
        let header = self
            .file
            .read_range(entry.local_offset, entry.header_len())
            .await?;
        let start = entry.data_start(&header, total)?;
        let data = self.file.read_range(start, entry.size).await?;
        entry.verify(&data)?;
        Ok((start, data))
    }

    /// A file by name: its start and data.
    pub async fn read_named(&self, name: &str) -> Result<(u64, Vec<u8>), ImportError> {
        let entry = self.find(name).ok_or(ImportError::NoManifest)?;
        self.read(entry).await
    }
}

/// An import checked end to end: the manifest and every file it names were
/// read and verified; nothing is stored yet.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedImport {
    /// The entries to add, in manifest order.
    pub entries: Vec<PlannedEntry>,
    /// Every reference image the entries use, once each.
    pub references: Vec<ReferenceRecord>,
    /// Entries whose image is not in the zip (someone removed it): skipped.
    pub skipped_invalid: usize,
    /// The presets the export carried.
    pub presets: Vec<Preset>,
    /// Where each checked file's bytes are in the archive: path, (start,
    /// size), sorted by path.
    spans: Vec<(String, (u64, u64))>,
}

impl CheckedImport {
    /// (start, size) of a checked file.
    pub fn span(&self, path: &str) -> Option<(u64, u64)> {
        let at = self.spans.binary_search_by(|(p, _)| p.as_str().cmp(path));
        at.ok().map(|at| self.spans[at].1)
    }
}

/// Reads the manifest, then checks every file it names, one at a time (so a
/// large file never needs the whole zip in memory). A hostile file is refused
/// whole, before anything is stored. `progress(done, total)` is told every 25 images.
pub async fn check_import<R: RangeRead + ?Sized>(
    archive: &Archive<'_, R>,
    progress: &dyn Fn(usize, usize),
) -> Result<CheckedImport, ImportError> {
    let (_, manifest) = archive.read_named(MANIFEST_NAME).await?;
    let manifest = std::str::from_utf8(&manifest)
        .map_err(|_| ManifestError::NotJson { line: 1, column: 1 })?;
    let plan = plan_manifest(manifest, |name| archive.find(name).map(|f| f.size))?;
    let mut spans = Vec::new();
    let total = plan.entries.len();
    for (done, planned) in plan.entries.iter().enumerate() {
        if done % 25 == 0 {
            progress(done, total);
        }
        let (start, data) = archive.read_named(&planned.file).await?;
        check_planned(planned, &data)?;
        spans.push((planned.file.clone(), (start, data.len() as u64)));
    }
    let references = plan.references();
    for reference in &references {
        let path = reference_path(reference).unwrap_or_default();
        let (start, data) = archive.read_named(&path).await?;
        check_reference(reference, &data).map_err(ManifestError::Reference)?;
        spans.push((path, (start, data.len() as u64)));
    }
    sort_by(&mut spans, |a, b| a.0.cmp(&b.0));
    Ok(CheckedImport {
        entries: plan.entries,
        references,
        skipped_invalid: plan.skipped_invalid,
        presets: plan.presets,
        spans,
    })
}

/// Where an export reads stored images from: IndexedDB Blobs in the browser,
/// byte vectors in tests. `File` is what ends up in the zip unchanged.
pub trait ExportSource {
    type File: Clone;
    fn image(&self, id: &str) -> impl Future<Output = Option<Self::File>>;
    fn reference(&self, id: &str) -> impl Future<Output = Option<Self::File>>;
    fn bytes(&self, file: &Self::File) -> impl Future<Output = Option<Vec<u8>>>;
}

/// A piece of the export zip, in order: bytes made here, or a stored file.
#[derive(Debug, Clone, PartialEq)]
pub enum ZipPart<F> {
    Bytes(Vec<u8>),
    File(F),
}

/// The export, ready to be joined into one file.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportPlan<F> {
    pub parts: Vec<ZipPart<F>>,
    /// Images in the zip.
    pub count: usize,
    /// Stored images that could not be read or would not import, left out.
    pub skipped: usize,
}

/// Lays out the export of `entries`: each image is read once to be checked
/// and summed, then only referenced, so memory stays flat however large the
/// history. Reference images go in once each. `progress(done, total)` is told
/// every 25 images.
pub async fn plan_export<S: ExportSource>(
    entries: Vec<HistoryEntry>,
    presets: &[Preset],
    source: &S,
    exported_ms: f64,
    progress: &dyn Fn(usize, usize),
) -> Result<ExportPlan<S::File>, ExportError> {
    let total = entries.len();
    let mut kept = Vec::with_capacity(total);
    let mut files = Vec::with_capacity(total);
    let mut stored = Vec::with_capacity(total);
    let mut ids = TextSet::default();
    for (done, entry) in entries.into_iter().enumerate() {
        if done % 25 == 0 {
            progress(done, total);
        }
        if let Some(file) = source.image(&entry.id).await
            && let Some(bytes) = source.bytes(&file).await
            && let Some((entry, export)) = export_image(&entry, &bytes)
            && ids.insert(&entry.id)
        {
            kept.push(entry);
            files.push(export);
            stored.push(file);
        }
    }
    if kept.is_empty() {
        return Err(ExportError::Nothing);
    }
    let mut seen = TextSet::default();
    let references: Vec<ReferenceRecord> = kept
        .iter()
        .flat_map(|e| e.references.iter())
        .filter(|r| seen.insert(&r.id))
        .cloned()
        .collect();
    for reference in references {
        if let Some(file) = source.reference(&reference.id).await
            && let Some(bytes) = source.bytes(&file).await
            && let Some(export) = export_reference(&reference, &bytes)
        {
            files.push(export);
            stored.push(file);
        }
    }
    let count = kept.len();
    let parts = export_layout(kept, &files, presets, exported_ms)?
        .into_iter()
        .map(|part| match part {
            Part::Bytes(bytes) => ZipPart::Bytes(bytes),
            Part::File(i) => ZipPart::File(stored[i].clone()),
        })
        .collect();
    Ok(ExportPlan {
        parts,
        count,
        skipped: total - count,
    })
}
