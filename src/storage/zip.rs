//! Just enough ZIP for history export and import: stored entries only (images
//! are already compressed, so no deflate code ships), read through the central
//! directory, with every offset checked. Pure Rust; never panics on any input.

use std::collections::HashSet;

/// More entries than any export holds (the manifest allows 10,000 images).
pub const MAX_ENTRIES: usize = 10_001;

const LOCAL_SIG: u32 = 0x0403_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const END_SIG: u32 = 0x0605_4b50;
const LOCAL_LEN: usize = 30;
const CENTRAL_LEN: usize = 46;
const END_LEN: usize = 22;
/// ZIP 2.0, made on Unix: the same header values Python's `zipfile` writes.
const VERSION: u16 = 20;
const MADE_BY: u16 = 3 << 8 | VERSION;
/// Bit 11: the name is UTF-8.
const UTF8_FLAG: u16 = 0x0800;
/// 1980-01-01 00:00, the first DOS date: exports carry no clock.
const DOS_TIME: u16 = 0;
const DOS_DATE: u16 = 1 << 5 | 1;
/// Unix mode rw------- in the high half, so unzip does not make files unreadable.
const FILE_MODE: u32 = 0o600 << 16;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZipError {
    #[error("the history is too large for one zip file (over 4 GiB or 65,535 files)")]
    TooLarge,
    #[error("the file is not a zip archive")]
    NotAZip,
    #[error("the zip file is damaged ({0})")]
    Damaged(&'static str),
    #[error("compressed zip entries are not supported: export from Kleinbild")]
    Compressed,
    #[error("encrypted zip entries are not supported")]
    Encrypted,
    #[error("zip files split into parts or in ZIP64 format are not supported")]
    Unsupported,
    #[error("the zip holds more than {MAX_ENTRIES} files")]
    TooManyEntries,
    #[error("the zip contains an unsafe file name: {0:?}")]
    UnsafeName(String),
    #[error("the zip contains {0:?} twice")]
    DuplicateName(String),
    #[error("the file {0:?} in the zip is damaged (checksum mismatch)")]
    Checksum(String),
}

const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// CRC-32 (ISO-HDLC), as ZIP, PNG and gzip use it.
pub fn crc32(data: &[u8]) -> u32 {
    !data.iter().fold(!0u32, |c, &b| {
        CRC_TABLE[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8)
    })
}

/// Names a reader may meet: relative, `/`-separated, no way out of the folder.
pub fn is_safe_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 1024
        && !name.starts_with('/')
        && !name.contains("..")
        && !name.contains(['\\', ':'])
        && !name.chars().any(|c| c < ' ' || c == '\u{7f}')
}

/// Writes a ZIP with every file stored as is.
pub fn write_stored(files: &[(&str, &[u8])]) -> Result<Vec<u8>, ZipError> {
    if files.len() > usize::from(u16::MAX) {
        return Err(ZipError::TooLarge);
    }
    let total: usize = files
        .iter()
        .map(|(name, data)| LOCAL_LEN + CENTRAL_LEN + 2 * name.len() + data.len())
        .sum::<usize>()
        + END_LEN;
    if u32::try_from(total).is_err() {
        return Err(ZipError::TooLarge);
    }
    let mut out = Vec::with_capacity(total);
    let mut central = Vec::new();
    for &(name, data) in files {
        if !is_safe_name(name) {
            return Err(ZipError::UnsafeName(name.to_owned()));
        }
        let flags = if name.is_ascii() { 0 } else { UTF8_FLAG };
        // Both fit in u32: the total was checked above.
        let offset = out.len() as u32;
        let size = data.len() as u32;
        let crc = crc32(data);
        let common = |buf: &mut Vec<u8>| {
            put16(buf, VERSION);
            put16(buf, flags);
            put16(buf, 0); // stored
            put16(buf, DOS_TIME);
            put16(buf, DOS_DATE);
            put32(buf, crc);
            put32(buf, size);
            put32(buf, size);
            put16(buf, name.len() as u16);
            put16(buf, 0); // extra
        };
        put32(&mut out, LOCAL_SIG);
        common(&mut out);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);

        put32(&mut central, CENTRAL_SIG);
        put16(&mut central, MADE_BY);
        common(&mut central);
        put16(&mut central, 0); // comment
        put16(&mut central, 0); // disk
        put16(&mut central, 0); // internal attributes
        put32(&mut central, FILE_MODE);
        put32(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let central_offset = out.len() as u32;
    out.extend_from_slice(&central);
    put32(&mut out, END_SIG);
    put16(&mut out, 0);
    put16(&mut out, 0);
    put16(&mut out, files.len() as u16);
    put16(&mut out, files.len() as u16);
    put32(&mut out, central.len() as u32);
    put32(&mut out, central_offset);
    put16(&mut out, 0);
    Ok(out)
}

fn put16(buf: &mut Vec<u8>, v: u16) {
    buf.extend_from_slice(&v.to_le_bytes());
}

fn put32(buf: &mut Vec<u8>, v: u32) {
    buf.extend_from_slice(&v.to_le_bytes());
}

/// Bounds-checked little-endian reads; offsets are u64 so nothing overflows on wasm32.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn bytes(&self, at: u64, len: u64) -> Option<&'a [u8]> {
        let start = usize::try_from(at).ok()?;
        let end = usize::try_from(at.checked_add(len)?).ok()?;
        self.0.get(start..end)
    }
    fn u16(&self, at: u64) -> Option<u16> {
        Some(u16::from_le_bytes(self.bytes(at, 2)?.try_into().ok()?))
    }
    fn u32(&self, at: u64) -> Option<u32> {
        Some(u32::from_le_bytes(self.bytes(at, 4)?.try_into().ok()?))
    }
}

/// Reads every file of a stored ZIP through its central directory. Folders are
/// skipped; names are checked, sizes bounded by the input and CRCs verified.
pub fn read_stored(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, ZipError> {
    let r = Reader(bytes);
    let end = find_end(bytes).ok_or(ZipError::NotAZip)?;
    let damaged = ZipError::Damaged;
    let field = |at: u64| r.u16(end + at).ok_or(damaged("end record"));
    let (disk, cd_disk, on_disk, count) = (field(4)?, field(6)?, field(8)?, field(10)?);
    let cd_size = u64::from(r.u32(end + 12).ok_or(damaged("end record"))?);
    let cd_offset = u64::from(r.u32(end + 16).ok_or(damaged("end record"))?);
    if disk != 0
        || cd_disk != 0
        || on_disk != count
        || count == u16::MAX
        || cd_offset == u64::from(u32::MAX)
    {
        return Err(ZipError::Unsupported);
    }
    if usize::from(count) > MAX_ENTRIES {
        return Err(ZipError::TooManyEntries);
    }
    if cd_offset + cd_size > end {
        return Err(damaged("central directory out of range"));
    }
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut names = HashSet::new();
    let mut total: u64 = 0;
    let mut at = cd_offset;
    for _ in 0..count {
        let cd = |off: u64| r.u16(at + off).ok_or(damaged("central directory"));
        if r.u32(at) != Some(CENTRAL_SIG) {
            return Err(damaged("central directory"));
        }
        let (flags, method) = (cd(8)?, cd(10)?);
        let crc = r.u32(at + 16).ok_or(damaged("central directory"))?;
        let packed = u64::from(r.u32(at + 20).ok_or(damaged("central directory"))?);
        let size = u64::from(r.u32(at + 24).ok_or(damaged("central directory"))?);
        let (name_len, extra_len, comment_len) = (cd(28)?, cd(30)?, cd(32)?);
        let local = u64::from(r.u32(at + 42).ok_or(damaged("central directory"))?);
        let name_bytes = r
            .bytes(at + CENTRAL_LEN as u64, u64::from(name_len))
            .ok_or(damaged("central directory"))?;
        at += CENTRAL_LEN as u64
            + u64::from(name_len)
            + u64::from(extra_len)
            + u64::from(comment_len);
        if at > cd_offset + cd_size {
            return Err(damaged("central directory"));
        }
        let name = String::from_utf8_lossy(name_bytes).into_owned();
        if flags & 1 != 0 {
            return Err(ZipError::Encrypted);
        }
        if method != 0 {
            return Err(ZipError::Compressed);
        }
        if packed != size {
            return Err(damaged("stored entry with two sizes"));
        }
        if std::str::from_utf8(name_bytes).is_err() || !is_safe_name(&name) {
            return Err(ZipError::UnsafeName(name));
        }
        if !names.insert(name.clone()) {
            return Err(ZipError::DuplicateName(name));
        }
        // The local header repeats the name; its extra field may differ.
        if r.u32(local) != Some(LOCAL_SIG)
            || r.bytes(local + LOCAL_LEN as u64, u64::from(name_len)) != Some(name_bytes)
        {
            return Err(damaged("local header"));
        }
        let local_extra = r.u16(local + 28).ok_or(damaged("local header"))?;
        let start = local + LOCAL_LEN as u64 + u64::from(name_len) + u64::from(local_extra);
        let data = r
            .bytes(start, size)
            .ok_or(damaged("file data out of range"))?;
        // Stored entries cannot overlap in a real zip: the sum is bounded by the input.
        total += size;
        if total > bytes.len() as u64 {
            return Err(damaged("overlapping entries"));
        }
        if crc32(data) != crc {
            return Err(ZipError::Checksum(name));
        }
        if name.ends_with('/') && data.is_empty() {
            continue;
        }
        files.push((name, data.to_vec()));
    }
    Ok(files)
}

/// The end-of-central-directory record: the last signature whose comment runs
/// exactly to the end of the file.
fn find_end(bytes: &[u8]) -> Option<u64> {
    let r = Reader(bytes);
    let last = bytes.len().checked_sub(END_LEN)?;
    let first = last.saturating_sub(usize::from(u16::MAX));
    (first..=last).rev().map(|i| i as u64).find(|&i| {
        r.u32(i) == Some(END_SIG)
            && r.u16(i + 20)
                .is_some_and(|c| i + END_LEN as u64 + u64::from(c) == bytes.len() as u64)
    })
}
