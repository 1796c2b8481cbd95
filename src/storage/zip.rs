//! Just enough ZIP for history export and import: stored entries only (images
//! are already compressed, so no deflate code ships), read through the central
//! directory, with every offset checked. Pure Rust; never panics on any input.

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
    TooLarge,
    NotAZip,
    /// The damaged part, as the message names it.
    Damaged(&'static str),
    Compressed,
    Encrypted,
    Unsupported,
    TooManyEntries,
    UnsafeName(String),
    DuplicateName(String),
    Checksum(String),
}

impl std::fmt::Display for ZipError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let t = crate::i18n::later();
        match self {
            ZipError::TooLarge => f.write_str(t.gallery_zip_too_large),
            ZipError::NotAZip => f.write_str(t.gallery_zip_not_zip),
            ZipError::Damaged(part) => f.write_str(&t.gallery_zip_damaged(part)),
            ZipError::Compressed => f.write_str(t.gallery_zip_compressed),
            ZipError::Encrypted => f.write_str(t.gallery_zip_encrypted),
            ZipError::Unsupported => f.write_str(t.gallery_zip_unsupported),
            ZipError::TooManyEntries => f.write_str(&t.gallery_zip_too_many(&MAX_ENTRIES)),
            ZipError::UnsafeName(name) => f.write_str(&t.gallery_zip_unsafe_name(name)),
            ZipError::DuplicateName(name) => f.write_str(&t.gallery_zip_twice(name)),
            ZipError::Checksum(name) => f.write_str(&t.gallery_zip_checksum(name)),
        }
    }
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

/// Lays out a stored ZIP piece by piece, so the file data never has to be in
/// one buffer: the caller writes each [`ZipWriter::add`] header followed by the
/// file's bytes (a Blob in the browser), then [`ZipWriter::finish`].
#[derive(Default)]
pub struct ZipWriter {
    offset: u64,
    central: Vec<u8>,
    count: usize,
}

impl ZipWriter {
    /// The local header for a file of `size` bytes with checksum `crc`.
    pub fn add(&mut self, name: &str, size: u64, crc: u32) -> Result<Vec<u8>, ZipError> {
        if !is_safe_name(name) {
            return Err(ZipError::UnsafeName(name.to_owned()));
        }
        let header_len = (LOCAL_LEN + name.len()) as u64;
        let end = self.offset + header_len + size;
        // No ZIP64: every offset and size must fit in 32 bits.
        if self.count == usize::from(u16::MAX) || end >= u64::from(u32::MAX) {
            return Err(ZipError::TooLarge);
        }
        let flags = if name.is_ascii() { 0 } else { UTF8_FLAG };
        let common = |buf: &mut Vec<u8>| {
            put16(buf, VERSION);
            put16(buf, flags);
            put16(buf, 0); // stored
            put16(buf, DOS_TIME);
            put16(buf, DOS_DATE);
            put32(buf, crc);
            put32(buf, size as u32);
            put32(buf, size as u32);
            put16(buf, name.len() as u16);
            put16(buf, 0); // extra
        };
        let mut local = Vec::with_capacity(header_len as usize);
        put32(&mut local, LOCAL_SIG);
        common(&mut local);
        local.extend_from_slice(name.as_bytes());

        let central = &mut self.central;
        put32(central, CENTRAL_SIG);
        put16(central, MADE_BY);
        common(central);
        put16(central, 0); // comment
        put16(central, 0); // disk
        put16(central, 0); // internal attributes
        put32(central, FILE_MODE);
        put32(central, self.offset as u32);
        central.extend_from_slice(name.as_bytes());

        self.offset = end;
        self.count += 1;
        Ok(local)
    }

    /// The central directory and end record that close the archive.
    pub fn finish(self) -> Result<Vec<u8>, ZipError> {
        let total = self.offset + self.central.len() as u64 + END_LEN as u64;
        if total >= u64::from(u32::MAX) {
            return Err(ZipError::TooLarge);
        }
        let mut out = self.central;
        let central_len = out.len() as u32;
        put32(&mut out, END_SIG);
        put16(&mut out, 0);
        put16(&mut out, 0);
        put16(&mut out, self.count as u16);
        put16(&mut out, self.count as u16);
        put32(&mut out, central_len);
        put32(&mut out, self.offset as u32);
        put16(&mut out, 0);
        Ok(out)
    }
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

/// Where the central directory is, from the end record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndRecord {
    pub directory_offset: u64,
    pub directory_size: u64,
    pub count: u16,
}

/// How many bytes at the end of a file can hold the end record (it may carry a
/// comment of up to 65,535 bytes).
pub const TAIL_LEN: u64 = (END_LEN + u16::MAX as usize) as u64;

/// Finds the end record in `tail`, the last bytes of a `total`-byte file.
pub fn read_end(tail: &[u8], total: u64) -> Result<EndRecord, ZipError> {
    let r = Reader(tail);
    let at = find_end(tail).ok_or(ZipError::NotAZip)?;
    let t = crate::i18n::later();
    let damaged = ZipError::Damaged;
    let field = |off: u64| r.u16(at + off).ok_or(damaged(t.gallery_zip_end_record));
    let (disk, cd_disk, on_disk, count) = (field(4)?, field(6)?, field(8)?, field(10)?);
    let directory_size = u64::from(r.u32(at + 12).ok_or(damaged(t.gallery_zip_end_record))?);
    let directory_offset = u64::from(r.u32(at + 16).ok_or(damaged(t.gallery_zip_end_record))?);
    if disk != 0
        || cd_disk != 0
        || on_disk != count
        || count == u16::MAX
        || directory_offset == u64::from(u32::MAX)
    {
        return Err(ZipError::Unsupported);
    }
    if usize::from(count) > MAX_ENTRIES {
        return Err(ZipError::TooManyEntries);
    }
    // The end record sits at `total - tail.len() + at`; the directory must end before it.
    let end_at = total - tail.len() as u64 + at;
    if directory_offset + directory_size > end_at {
        return Err(damaged(t.gallery_zip_directory_out_of_range));
    }
    Ok(EndRecord {
        directory_offset,
        directory_size,
        count,
    })
}

/// One file as the central directory describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    pub name: String,
    pub crc: u32,
    pub size: u64,
    /// Where its local header starts.
    pub local_offset: u64,
}

impl DirEntry {
    /// How many bytes of the local header [`DirEntry::data_start`] needs.
    pub fn header_len(&self) -> u64 {
        (LOCAL_LEN + self.name.len()) as u64
    }

    /// Checks the local header (`header`: [`DirEntry::header_len`] bytes at
    /// `local_offset`) and returns where the data starts.
    pub fn data_start(&self, header: &[u8], total: u64) -> Result<u64, ZipError> {
        let r = Reader(header);
        let t = crate::i18n::later();
        let damaged = ZipError::Damaged;
        if r.u32(0) != Some(LOCAL_SIG)
            || r.bytes(LOCAL_LEN as u64, self.name.len() as u64) != Some(self.name.as_bytes())
        {
            return Err(damaged(t.gallery_zip_local_header));
        }
        // The local extra field may differ from the central one.
        let extra = r.u16(28).ok_or(damaged(t.gallery_zip_local_header))?;
        let start = self.local_offset + self.header_len() + u64::from(extra);
        if start + self.size > total {
            return Err(damaged(t.gallery_zip_data_out_of_range));
        }
        Ok(start)
    }

    /// The data must match the directory's checksum.
    pub fn verify(&self, data: &[u8]) -> Result<(), ZipError> {
        if crc32(data) == self.crc {
            Ok(())
        } else {
            Err(ZipError::Checksum(self.name.clone()))
        }
    }

    fn is_folder(&self) -> bool {
        self.name.ends_with('/') && self.size == 0
    }
}

/// Reads the central directory (`directory`: the bytes the end record points
/// at) of a `total`-byte file. Folders are skipped; names are checked and sizes
/// bounded by the file.
pub fn read_directory(
    directory: &[u8],
    end: &EndRecord,
    total: u64,
) -> Result<Vec<DirEntry>, ZipError> {
    let r = Reader(directory);
    let t = crate::i18n::later();
    let damaged = ZipError::Damaged;
    let mut files = Vec::with_capacity(usize::from(end.count));
    let mut names = crate::order::TextSet::default();
    let mut sum: u64 = 0;
    let mut at = 0;
    for _ in 0..end.count {
        let cd = |off: u64| r.u16(at + off).ok_or(damaged(t.gallery_zip_directory));
        let cd32 = |off: u64| r.u32(at + off).ok_or(damaged(t.gallery_zip_directory));
        if r.u32(at) != Some(CENTRAL_SIG) {
            return Err(damaged(t.gallery_zip_directory));
        }
        let (flags, method) = (cd(8)?, cd(10)?);
        let crc = cd32(16)?;
        let (packed, size) = (u64::from(cd32(20)?), u64::from(cd32(24)?));
        let (name_len, extra_len, comment_len) = (cd(28)?, cd(30)?, cd(32)?);
        let local_offset = u64::from(cd32(42)?);
        let name_bytes = r
            .bytes(at + CENTRAL_LEN as u64, u64::from(name_len))
            .ok_or(damaged(t.gallery_zip_directory))?;
        at += CENTRAL_LEN as u64
            + u64::from(name_len)
            + u64::from(extra_len)
            + u64::from(comment_len);
        if at > end.directory_size {
            return Err(damaged(t.gallery_zip_directory));
        }
        let name = String::from_utf8_lossy(name_bytes).into_owned();
        if flags & 1 != 0 {
            return Err(ZipError::Encrypted);
        }
        if method != 0 {
            return Err(ZipError::Compressed);
        }
        if packed != size {
            return Err(damaged(t.gallery_zip_two_sizes));
        }
        if std::str::from_utf8(name_bytes).is_err() || !is_safe_name(&name) {
            return Err(ZipError::UnsafeName(name));
        }
        if !names.insert(&name) {
            return Err(ZipError::DuplicateName(name));
        }
        // Stored entries cannot overlap in a real zip: the sum is bounded by the file.
        sum += size;
        if sum > total || local_offset + LOCAL_LEN as u64 + size > end.directory_offset {
            return Err(damaged(t.gallery_zip_overlapping));
        }
        let entry = DirEntry {
            name,
            crc,
            size,
            local_offset,
        };
        if !entry.is_folder() {
            files.push(entry);
        }
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
