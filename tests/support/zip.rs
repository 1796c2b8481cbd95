//! Writing arbitrary test zips with the app's [`ZipWriter`], and reading whole
//! archives through the app's [`Archive`].

use kleinbild::storage::transfer::{Archive, ImportError};
use kleinbild::storage::zip::{ZipError, ZipWriter, crc32};

use super::block_on;

/// A stored zip of `files`, in order: each file's header from [`ZipWriter::add`]
/// followed by its bytes, then [`ZipWriter::finish`], as the export lays it out.
pub fn write_zip(files: &[(&str, &[u8])]) -> Result<Vec<u8>, ZipError> {
    let mut writer = ZipWriter::default();
    let mut out = Vec::new();
    for &(name, data) in files {
        out.extend(writer.add(name, data.len() as u64, crc32(data))?);
        out.extend_from_slice(data);
    }
    out.extend(writer.finish()?);
    Ok(out)
}

/// [`write_zip`] of owned names and bytes.
pub fn write_owned(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, ZipError> {
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    write_zip(&borrowed)
}

/// Every file of `zip`, read by name through [`Archive::read`] (checksums
/// verified), in the order they sit in the archive.
pub fn read_all(zip: &[u8]) -> Result<Vec<(String, Vec<u8>)>, ImportError> {
    block_on(async {
        let archive = Archive::open(zip).await?;
        let mut entries: Vec<_> = archive
            .names()
            .map(|name| archive.find(name).expect("a listed name is found"))
            .collect();
        entries.sort_by_key(|entry| entry.local_offset);
        let mut files = Vec::with_capacity(entries.len());
        for entry in entries {
            let (start, data) = archive.read(entry).await?;
            assert_eq!(
                zip.get(start as usize..start as usize + data.len()),
                Some(&data[..])
            );
            files.push((entry.name.clone(), data));
        }
        Ok(files)
    })
}

/// The names of `zip`'s files, in archive order.
pub fn names(zip: &[u8]) -> Vec<String> {
    read_all(zip)
        .expect("a readable zip")
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}
