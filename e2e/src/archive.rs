//! History zips outside the browser, through the app's own code: an export is read back the way
//! Import reads it ([`Archive`] + [`check_import`]), a made-up export is laid out by
//! [`plan_export`] like Export does, and a hand-made zip is written with the app's
//! [`ZipWriter`]. Over byte slices nothing here ever waits, so [`block_on`] is all the runtime
//! these futures need.

use std::collections::HashMap;
use std::future::Future;
use std::task::{Context, Poll, Waker};

use kleinbild::storage::HistoryEntry;
use kleinbild::storage::history::ReferenceRecord;
use kleinbild::storage::manifest::reference_path;
use kleinbild::storage::transfer::{Archive, ExportSource, ZipPart, check_import, plan_export};
use kleinbild::storage::zip::{ZipWriter, crc32};

use crate::Result;

/// Runs a future that never waits on anything outside itself (the app's zip code over byte
/// slices) to completion on this thread.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
        // Nothing will wake us: just ask again.
        std::thread::yield_now();
    }
}

/// A stored (uncompressed) zip of `files`, in order, written with the app's [`ZipWriter`].
pub fn write_stored(files: &[(&str, &[u8])]) -> Result<Vec<u8>> {
    let mut writer = ZipWriter::default();
    let mut zip = Vec::new();
    for &(name, data) in files {
        zip.extend(writer.add(name, data.len() as u64, crc32(data))?);
        zip.extend_from_slice(data);
    }
    zip.extend(writer.finish()?);
    Ok(zip)
}

/// What an import of an export zip would add, everything checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadExport {
    /// The entries with their image bytes, in manifest order.
    pub entries: Vec<(HistoryEntry, Vec<u8>)>,
    /// Every reference image the entries use, once each, with its bytes.
    pub references: Vec<(ReferenceRecord, Vec<u8>)>,
    /// Entries whose image is not in the zip: skipped.
    pub skipped_invalid: usize,
}

/// Reads an export zip the way the app's Import does: the archive's directory, then the
/// manifest, then every file it names, each checked; the bytes are taken from where the check
/// found them. Errors are the app's own messages ("Import failed: …").
pub fn read_export(zip: &[u8]) -> Result<ReadExport> {
    block_on(async {
        let archive = Archive::open(zip).await?;
        let checked = check_import(&archive, &|_, _| {}).await?;
        let bytes = |path: &str| -> Result<Vec<u8>> {
            let (start, size) = checked
                .span(path)
                .ok_or_else(|| format!("{path} was not checked"))?;
            let range = usize::try_from(start)?..usize::try_from(start + size)?;
            Ok(zip.get(range).ok_or("a span outside the zip")?.to_vec())
        };
        let entries = checked
            .entries
            .iter()
            .map(|planned| Ok((planned.entry.clone(), bytes(&planned.file)?)))
            .collect::<Result<_>>()?;
        let references = checked
            .references
            .iter()
            .map(|reference| {
                let path = reference_path(reference).ok_or("a reference without a path")?;
                Ok((reference.clone(), bytes(&path)?))
            })
            .collect::<Result<_>>()?;
        Ok(ReadExport {
            entries,
            references,
            skipped_invalid: checked.skipped_invalid,
        })
    })
}

/// Stored images by id, as the app's IndexedDB holds them.
struct InMemory {
    images: HashMap<String, Vec<u8>>,
    references: HashMap<String, Vec<u8>>,
}

impl ExportSource for InMemory {
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

/// The export zip the app would write for these stored images and reference images
/// ([`plan_export`], joined in memory instead of into a Blob). Images that would not import
/// are left out, as Export leaves them out; none left is an error.
pub fn export_zip(
    items: &[(HistoryEntry, Vec<u8>)],
    references: &[(ReferenceRecord, Vec<u8>)],
    exported_ms: f64,
) -> Result<Vec<u8>> {
    let source = InMemory {
        images: items
            .iter()
            .map(|(e, b)| (e.id.clone(), b.clone()))
            .collect(),
        references: references
            .iter()
            .map(|(r, b)| (r.id.clone(), b.clone()))
            .collect(),
    };
    let entries = items.iter().map(|(e, _)| e.clone()).collect();
    let plan = block_on(plan_export(entries, &[], &source, exported_ms, &|_, _| {}))?;
    let mut zip = Vec::new();
    for part in plan.parts {
        match part {
            ZipPart::Bytes(bytes) | ZipPart::File(bytes) => zip.extend(bytes),
        }
    }
    Ok(zip)
}

/// Every chunk of a PNG but the iTXt ones, as bytes: what the API sent.
pub fn without_text_chunks(png: &[u8]) -> Vec<u8> {
    let mut out = png[..8].to_vec();
    let mut at = 8;
    while at + 12 <= png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap_or_default()) as usize;
        if &png[at + 4..at + 8] != b"iTXt" {
            out.extend_from_slice(&png[at..at + 12 + len]);
        }
        at += 12 + len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hand_made_zip_is_refused_like_the_app_refuses_it() {
        let zip = write_stored(&[("readme.txt", b"hello")]).unwrap();
        let error = read_export(&zip).unwrap_err().to_string();
        assert!(error.contains("no history.json"), "{error}");
        let error = read_export(b"not a zip").unwrap_err().to_string();
        assert!(error.starts_with("Import failed"), "{error}");
    }
}
