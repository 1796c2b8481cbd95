//! Native tests of the stored-zip reader/writer and the export manifest,
//! including hostile archives and manifests. Everything runs through the code
//! the browser runs (`storage::transfer` over byte slices instead of Blobs):
//! zips are read with `Archive`, imports checked with `check_import`, exports
//! laid out with `plan_export`, test zips written with `ZipWriter`.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::cell::RefCell;

use kleinbild::order::TextSet;
use kleinbild::storage::HistoryEntry;
use kleinbild::storage::history::{ReferenceRecord, content_id};
use kleinbild::storage::manifest::{
    ManifestError, build_manifest, image_path, import_summary, reference_path, split_duplicates,
};
use kleinbild::storage::transfer::{Archive, ExportError, ImportError, RangeRead};
use kleinbild::storage::zip::{TAIL_LEN, ZipError, ZipWriter, crc32, read_directory, read_end};
use support::block_on;
use support::export::{
    Imported, MemorySource, check_zip, export_from, export_items, import_checked,
};
use support::zip::{names, read_all, write_owned, write_zip};

const PY_STORED: &[u8] = include_bytes!("fixtures/history/python_stored.zip");
const PY_DEFLATED: &[u8] = include_bytes!("fixtures/history/python_deflated.zip");
const PY_ID: &str = "img-1732470000000-0badc0de";

// ---------------------------------------------------------------------------
// Tiny but genuine image headers: enough for magic numbers and pixel size.

fn png(w: u32, h: u32) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    b.extend_from_slice(&w.to_be_bytes());
    b.extend_from_slice(&h.to_be_bytes());
    b.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    b
}

fn gif(w: u16, h: u16) -> Vec<u8> {
    let mut b = b"GIF89a".to_vec();
    b.extend_from_slice(&w.to_le_bytes());
    b.extend_from_slice(&h.to_le_bytes());
    b.extend_from_slice(&[0, 0, 0, 0x3b]);
    b
}

fn jpeg(w: u16, h: u16) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0, 0xFF, 0xC0, 0, 11, 8];
    b.extend_from_slice(&h.to_be_bytes());
    b.extend_from_slice(&w.to_be_bytes());
    b.extend_from_slice(&[1, 1, 0x11, 0, 0xFF, 0xD9]);
    b
}

fn webp(w: u32, h: u32) -> Vec<u8> {
    let mut b = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
    b.extend_from_slice(&(w - 1).to_le_bytes()[..3]);
    b.extend_from_slice(&(h - 1).to_le_bytes()[..3]);
    b
}

fn entry(id: &str, mime: &str, w: u32, h: u32) -> HistoryEntry {
    HistoryEntry {
        id: id.into(),
        created_ms: 1_732_470_000_000.0,
        prompt: format!("prompt of {id}"),
        model: "black-forest-labs/flux.2-klein-4b".into(),
        seed: 7,
        aspect_ratio: "1:1".into(),
        width: w,
        height: h,
        cost_usd: Some(0.014),
        mime: mime.into(),
        bytes: 0,
        generation_id: None,
        favorite: false,
        references: Vec::new(),
    }
}

fn sample() -> Vec<(HistoryEntry, Vec<u8>)> {
    let mut items = vec![
        (entry("img-4-png", "image/png", 1024, 1024), png(1024, 1024)),
        (
            entry("img-3-jpeg", "image/jpeg", 1344, 768),
            jpeg(1344, 768),
        ),
        (
            entry("img-2-webp", "image/webp", 832, 1248),
            webp(832, 1248),
        ),
        (entry("img-1-gif", "image/gif", 16, 9), gif(16, 9)),
    ];
    for (e, bytes) in &mut items {
        e.bytes = bytes.len() as u64;
    }
    items[0].0.favorite = true;
    items[0].0.generation_id = Some("gen-xyz".into());
    items[1].0.cost_usd = None;
    items[2].0.prompt =
        "<img src=x onerror=alert(1)> & <script>alert(2)</script>\n\tsecond line".into();
    items
}

// ---------------------------------------------------------------------------
// zip

/// The error reading `zip` whole through `Archive` gives, as a zip error.
fn zip_error(zip: &[u8]) -> ZipError {
    match read_all(zip) {
        Err(ImportError::Zip(err)) => err,
        other => panic!("expected a zip error, got {other:?}"),
    }
}

#[test]
fn crc32_matches_the_standard_check_value() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    assert_eq!(crc32(b""), 0);
    assert_eq!(
        crc32(b"The quick brown fox jumps over the lazy dog"),
        0x414F_A339
    );
}

#[test]
fn reads_a_zip_written_by_python() {
    let files = read_all(PY_STORED).unwrap();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "history.json",
            &format!("images/{PY_ID}.png"),
            "notes/café.txt"
        ]
    );
    assert_eq!(files[2].1, "Grüße\n".as_bytes());
    assert!(files[1].1.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!(files[1].1.len(), 73);
    assert!(files[0].1.starts_with(b"{"));
}

#[test]
fn writes_the_same_bytes_python_writes() {
    // Python's zipfile wrote the fixture; identical bytes mean Python (and
    // every reader that opens Python's zips) accepts what ZipWriter lays out.
    let files = read_all(PY_STORED).unwrap();
    let ours = write_owned(&files).unwrap();
    assert_eq!(ours.len(), PY_STORED.len());
    assert!(
        ours == PY_STORED,
        "ZipWriter's output differs from Python's zipfile output"
    );
}

#[test]
fn written_zips_have_sound_structure_and_read_back() {
    let files: [(&str, &[u8]); 3] = [
        ("a.txt", b"hello"),
        ("dir/b.bin", &[0, 1, 2, 255]),
        ("empty", b""),
    ];
    let zip = write_zip(&files).unwrap();
    assert_eq!(&zip[..4], b"PK\x03\x04");
    let end = zip.len() - 22;
    assert_eq!(&zip[end..end + 4], b"PK\x05\x06");
    assert_eq!(u16::from_le_bytes([zip[end + 10], zip[end + 11]]), 3);
    let cd_size = u32::from_le_bytes(zip[end + 12..end + 16].try_into().unwrap()) as usize;
    let cd_offset = u32::from_le_bytes(zip[end + 16..end + 20].try_into().unwrap()) as usize;
    assert_eq!(cd_offset + cd_size, end);
    assert_eq!(&zip[cd_offset..cd_offset + 4], b"PK\x01\x02");
    let back = read_all(&zip).unwrap();
    assert_eq!(back.len(), 3);
    for ((name, data), (n, d)) in files.iter().zip(&back) {
        assert_eq!((*name, *data), (n.as_str(), d.as_slice()));
    }
    assert_eq!(write_zip(&[]).unwrap().len(), 22);
    assert_eq!(read_all(&write_zip(&[]).unwrap()).unwrap(), vec![]);
}

#[test]
fn writer_refuses_unsafe_names() {
    for bad in ["../x", "/abs", "a\\b", "a\0b", "", "c:/x"] {
        assert!(
            matches!(write_zip(&[(bad, b"x")]), Err(ZipError::UnsafeName(_))),
            "{bad:?}"
        );
    }
}

#[test]
fn deflated_entries_are_refused_clearly() {
    let err = zip_error(PY_DEFLATED);
    assert_eq!(err, ZipError::Compressed);
    assert_eq!(
        err.to_string(),
        "compressed zip entries are not supported: export from Kleinbild"
    );
    let import = import_checked(PY_DEFLATED).unwrap_err();
    assert_eq!(
        import.to_string(),
        "Import failed: compressed zip entries are not supported: export from Kleinbild."
    );
}

#[test]
fn every_truncation_fails_without_panicking() {
    let zip = write_zip(&[("a.txt", b"hello"), ("b.txt", b"world!")]).unwrap();
    for len in 0..zip.len() {
        assert!(
            read_all(&zip[..len]).is_err(),
            "prefix of {len} bytes was accepted"
        );
    }
    assert!(read_all(&zip).is_ok());

    // A real export: no prefix imports.
    let export = export_items(&sample(), &[], 0.0).unwrap();
    for len in 0..export.zip.len() {
        assert!(
            check_zip(&export.zip[..len]).is_err(),
            "prefix of {len} bytes of an export was imported"
        );
    }
    assert!(check_zip(&export.zip).is_ok());
}

#[test]
fn corrupted_bytes_never_panic_and_data_damage_is_caught() {
    let zip = write_zip(&[("a.txt", b"hello"), ("b.txt", b"world!")]).unwrap();
    for i in 0..zip.len() {
        for flip in [0x01, 0x80, 0xFF] {
            let mut bad = zip.clone();
            bad[i] ^= flip;
            let _ = read_all(&bad);
        }
    }
    // Byte 30 + 5 is the first byte of "hello".
    let mut bad = zip.clone();
    bad[35] ^= 0x20;
    assert_eq!(zip_error(&bad), ZipError::Checksum("a.txt".into()));
    // Same for the Python fixture, and for arbitrary junk.
    for len in 0..PY_STORED.len() {
        let _ = read_all(&PY_STORED[..len]);
    }
    let mut seed = 0x1234_5678u32;
    for len in [0, 1, 21, 22, 23, 100, 4096] {
        let junk: Vec<u8> = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                seed as u8
            })
            .collect();
        assert!(read_all(&junk).is_err());
        assert!(check_zip(&junk).is_err());
    }
    assert_eq!(zip_error(b"PK\x05\x06"), ZipError::NotAZip);

    // A real export with references: any damage either refuses the import or
    // imports only what was exported, never something else. (A file whose name
    // is damaged in the directory is not found: its entry is skipped and
    // counted, or its reference dropped, as when someone removed the file.)
    let (items, refs) = sample_with_references();
    let export = export_items(&items, &refs, 0.0).unwrap();
    let good = import_checked(&export.zip).unwrap();
    let data = file_spans(&export.zip);
    assert_eq!(data.len(), 1 + 4 + 2);
    let (mut unchanged, mut partial) = (0, 0);
    for i in 0..export.zip.len() {
        let in_data = data
            .iter()
            .any(|&(start, size)| (start..start + size).contains(&i));
        for flip in [0x01, 0x80, 0xFF] {
            let mut bad = export.zip.clone();
            bad[i] ^= flip;
            if let Ok(got) = import_checked(&bad) {
                assert!(!in_data, "damage to file data at byte {i} was not caught");
                assert_imports_part_of(&got, &good, &format!("byte {i} ^ {flip:#x}"));
                if got == good {
                    unchanged += 1;
                } else {
                    partial += 1;
                }
            }
        }
    }
    // Fields no reader needs (times, attributes) may change; damaged names skip.
    assert!(unchanged > 0 && partial > 0, "{unchanged} {partial}");
}

/// `got` imports some of `good`'s entries, unchanged but for references left
/// out, with the same bytes; the others are counted as skipped.
fn assert_imports_part_of(got: &Imported, good: &Imported, what: &str) {
    assert_eq!(
        got.entries.len() + got.skipped_invalid,
        good.entries.len() + good.skipped_invalid,
        "{what}"
    );
    for (entry, bytes) in &got.entries {
        let (mut expected, expected_bytes) = good
            .entries
            .iter()
            .find(|(e, _)| e.id == entry.id)
            .cloned()
            .unwrap_or_else(|| panic!("{what} imported {} from nowhere", entry.id));
        expected.references.retain(|r| entry.references.contains(r));
        assert_eq!((entry, bytes), (&expected, &expected_bytes), "{what}");
    }
    for reference in &got.references {
        assert!(good.references.contains(reference), "{what}: {reference:?}");
    }
}

/// Where each file's data is in `zip`: (start, size), as `Archive::read` finds it.
fn file_spans(zip: &[u8]) -> Vec<(usize, usize)> {
    block_on(async {
        let archive = Archive::open(zip).await.unwrap();
        let mut spans = Vec::new();
        for name in archive.names() {
            let (start, data) = archive.read(archive.find(name).unwrap()).await.unwrap();
            spans.push((start as usize, data.len()));
        }
        spans
    })
}

/// Renames an entry in place (local header and central directory): CRCs do
/// not cover names, so this is how a hostile archive would look.
fn rename(zip: &mut [u8], from: &[u8], to: &[u8]) {
    assert_eq!(from.len(), to.len());
    let mut hits = 0;
    for i in 0..=zip.len() - from.len() {
        if &zip[i..i + from.len()] == from {
            zip[i..i + from.len()].copy_from_slice(to);
            hits += 1;
        }
    }
    assert_eq!(hits, 2);
}

#[test]
fn hostile_names_are_refused() {
    for bad in [
        &b"../evil.png"[..],
        b"/etc/passwd",
        b"images\\a.png",
        b"images/\0.png",
        b"a/../../x.p",
        b"C:/win.png",
        b"bad\xff\xfe.png",
    ] {
        let safe = vec![b'x'; bad.len()];
        let mut zip = write_zip(&[(std::str::from_utf8(&safe).unwrap(), b"data")]).unwrap();
        rename(&mut zip, &safe, bad);
        assert!(
            matches!(zip_error(&zip), ZipError::UnsafeName(_)),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
        assert!(
            matches!(
                import_checked(&zip),
                Err(ImportError::Zip(ZipError::UnsafeName(_)))
            ),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn duplicate_names_encryption_and_too_many_entries_are_refused() {
    let mut zip = write_zip(&[("a.png", b"one"), ("b.png", b"two")]).unwrap();
    rename(&mut zip, b"b.png", b"a.png");
    assert_eq!(zip_error(&zip), ZipError::DuplicateName("a.png".into()));

    let mut zip = write_zip(&[("a.png", b"one")]).unwrap();
    let cd = zip.len() - 22 - (46 + 5);
    zip[cd + 8] |= 1;
    assert_eq!(zip_error(&zip), ZipError::Encrypted);

    let names: Vec<String> = (0..10_002).map(|i| format!("{i}")).collect();
    let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
    let zip = write_zip(&files).unwrap();
    assert_eq!(zip_error(&zip), ZipError::TooManyEntries);
}

// ---------------------------------------------------------------------------
// manifest, export and import

/// Records with their stored bytes.
type Stored<T> = Vec<(T, Vec<u8>)>;

/// The sample with two reference images (the fox used twice), and the stored
/// reference images.
fn sample_with_references() -> (Stored<HistoryEntry>, Stored<ReferenceRecord>) {
    let (fox, cat) = (png(64, 64), png(32, 48));
    let (fox_ref, cat_ref) = (reference(&fox, "fox.png"), reference(&cat, "cat <b>.png"));
    let mut items = sample();
    items[0].0.references = vec![fox_ref.clone(), cat_ref.clone()];
    items[1].0.references = vec![fox_ref.clone()];
    (items, vec![(fox_ref, fox), (cat_ref, cat)])
}

#[test]
fn export_then_import_restores_identical_entries_and_bytes() {
    let items = sample();
    let export = export_items(&items, &[], 1_732_480_000_000.0).unwrap();
    assert_eq!((export.count, export.skipped), (4, 0));
    assert_eq!(export.progress, [(0, 4)]);
    let files = read_all(&export.zip).unwrap();
    assert_eq!(files[0].0, "history.json");
    assert_eq!(files[1].0, "images/img-4-png.png");
    assert_eq!(files[2].0, "images/img-3-jpeg.jpg");
    let plan = import_checked(&export.zip).unwrap();
    assert_eq!(plan.skipped_invalid, 0);
    assert_eq!(plan.entries, items);
    assert_eq!(plan.progress, [(0, 4)]);

    // Export, clear, import: everything is new; importing again adds nothing.
    let (fresh, duplicates) = split_duplicates(plan.entries.clone(), &TextSet::default(), |p| &p.0);
    assert_eq!((fresh.len(), duplicates), (4, 0));
    let existing: TextSet = items.iter().map(|(e, _)| e.id.clone()).collect();
    let (fresh, duplicates) = split_duplicates(plan.entries, &existing, |p| &p.0);
    assert_eq!((fresh.len(), duplicates), (0, 4));
}

#[test]
fn export_leaves_out_what_import_would_refuse() {
    let mut items = sample();
    items[1].1 = b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec();
    items[2].0.width = 1;
    items.push(items[0].clone());
    let export = export_items(&items, &[], 0.0).unwrap();
    assert_eq!((export.count, export.skipped), (2, 3));
    let plan = import_checked(&export.zip).unwrap();
    let ids: Vec<&str> = plan.entries.iter().map(|(e, _)| e.id.as_str()).collect();
    assert_eq!(ids, ["img-4-png", "img-1-gif"]);

    // Stored images that are missing, or nothing at all to export.
    let mut source = MemorySource::new(&items, &[]);
    source.images.remove("img-1-gif");
    let entries: Vec<HistoryEntry> = items.iter().map(|(e, _)| e.clone()).collect();
    let export = export_from(entries.clone(), &source, 0.0).unwrap();
    assert_eq!((export.count, export.skipped), (1, 4));
    source.images.clear();
    assert_eq!(
        export_from(entries, &source, 0.0).unwrap_err(),
        ExportError::Nothing
    );
    assert_eq!(
        export_from(Vec::new(), &source, 0.0).unwrap_err(),
        ExportError::Nothing
    );
}

#[test]
fn imports_the_python_fixture_with_html_kept_as_text() {
    let plan = import_checked(PY_STORED).unwrap();
    assert_eq!(plan.skipped_invalid, 0);
    let [(entry, bytes)] = plan.entries.as_slice() else {
        panic!("expected one entry, got {}", plan.entries.len());
    };
    assert_eq!(entry.id, PY_ID);
    assert_eq!(entry.prompt, "a red <b>fox</b> & \"friends\"");
    assert_eq!((entry.width, entry.height, entry.seed), (3, 2, 42));
    assert_eq!(entry.cost_usd, Some(0.014));
    assert_eq!(entry.generation_id.as_deref(), Some("gen-123"));
    assert!(entry.favorite);
    assert_eq!(entry.bytes, 73);
    assert_eq!(bytes, &read_all(PY_STORED).unwrap()[1].1);
}

#[test]
fn manifest_has_the_documented_shape() {
    let items = sample();
    let entries: Vec<HistoryEntry> = items.iter().map(|(e, _)| e.clone()).collect();
    let json = build_manifest(&entries, &[], 5.0);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["format"], "kleinbild-history");
    assert_eq!(value["version"], 1);
    assert_eq!(value["exported_ms"], 5.0);
    assert_eq!(value["entries"][3]["file"], "images/img-1-gif.gif");
    assert_eq!(value["entries"][0]["generation_id"], "gen-xyz");
    assert_eq!(value["entries"][1]["cost_usd"], serde_json::Value::Null);
    assert_eq!(value["entries"][2]["prompt"], entries[2].prompt.as_str());
    assert_eq!(
        image_path(&entries[1]).as_deref(),
        Some("images/img-3-jpeg.jpg")
    );
    // The export writes exactly this manifest first.
    let export = export_items(&items, &[], 5.0).unwrap();
    let files = read_all(&export.zip).unwrap();
    assert_eq!(files[0], ("history.json".to_owned(), json.into_bytes()));
}

/// A one-entry manifest with `field` replaced by raw JSON (or removed when `None`).
fn manifest_with(field: &str, value: Option<&str>) -> String {
    let mut fields = vec![
        ("id", "\"img-1\"".to_owned()),
        ("created_ms", "1732470000000".to_owned()),
        ("prompt", "\"a fox\"".to_owned()),
        ("model", "\"m\"".to_owned()),
        ("seed", "42".to_owned()),
        ("aspect_ratio", "\"1:1\"".to_owned()),
        ("width", "4".to_owned()),
        ("height", "2".to_owned()),
        ("cost_usd", "0.01".to_owned()),
        ("mime", "\"image/png\"".to_owned()),
        ("bytes", "33".to_owned()),
        ("generation_id", "null".to_owned()),
        ("favorite", "false".to_owned()),
        ("file", "\"images/img-1.png\"".to_owned()),
    ];
    fields.retain(|(k, _)| *k != field);
    if let Some(v) = value {
        fields.push((field, v.to_owned()));
    }
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
    format!(
        r#"{{"format":"kleinbild-history","version":1,"exported_ms":1,"entries":[{{{}}}]}}"#,
        body.join(",")
    )
}

/// Imports a zip holding `json` as history.json and `files`: what it would
/// add, or the manifest's problem.
fn import_manifest(json: &str, files: &[(&str, &[u8])]) -> Result<Imported, ManifestError> {
    let mut all = vec![("history.json", json.as_bytes())];
    all.extend_from_slice(files);
    match import_checked(&write_zip(&all).unwrap()) {
        Ok(imported) => Ok(imported),
        Err(ImportError::Manifest(err)) => Err(err),
        Err(other) => panic!("expected a manifest error, got {other:?}"),
    }
}

fn parse_with(json: &str, name: &str, data: &[u8]) -> Result<Imported, ManifestError> {
    import_manifest(json, &[(name, data)])
}

fn entry_problem(json: &str, data: &[u8]) -> String {
    match parse_with(json, "images/img-1.png", data) {
        Err(ManifestError::Entry { index: 1, problem }) => problem,
        other => panic!("expected an entry error, got {other:?}"),
    }
}

#[test]
fn a_valid_manifest_parses() {
    let plan = parse_with(&manifest_with("", None), "images/img-1.png", &png(4, 2)).unwrap();
    assert_eq!(plan.entries.len(), 1);
    assert_eq!(plan.entries[0].0.bytes, png(4, 2).len() as u64);
    assert_eq!(plan.entries[0].1, png(4, 2));
}

#[test]
fn malformed_manifests_are_refused_with_the_reason() {
    let cases = [
        ("{", "history.json is not valid JSON (line 1, column 1)"),
        ("[]", "history.json is not a Kleinbild history file"),
        (
            r#"{"format":"other","version":1,"entries":[]}"#,
            "history.json is not a Kleinbild history file",
        ),
        (
            r#"{"format":"kleinbild-history","version":1}"#,
            "history.json is not a Kleinbild history file",
        ),
        (
            r#"{"format":"kleinbild-history","version":1,"entries":{}}"#,
            "history.json is not a Kleinbild history file",
        ),
        (
            r#"{"format":"kleinbild-history","format":"kleinbild-history","version":1,"entries":[]}"#,
            "history.json is not a Kleinbild history file",
        ),
        (
            r#"{"format":"kleinbild-history","version":2,"entries":[]}"#,
            "history.json has version 2, which this version of Kleinbild cannot read",
        ),
        (
            r#"{"format":"kleinbild-history","entries":[]}"#,
            "history.json has version (none), which this version of Kleinbild cannot read",
        ),
        (
            r#"{"format":"kleinbild-history","version":1,"entries":[42]}"#,
            "history.json entry 1: must be an object, not a number",
        ),
    ];
    for (json, message) in cases {
        let err = import_manifest(json, &[]).unwrap_err();
        assert_eq!(err.to_string(), message, "{json}");
    }
    let many = format!(
        r#"{{"format":"kleinbild-history","version":1,"entries":[{}0]}}"#,
        "0,".repeat(10_000)
    );
    assert_eq!(
        import_manifest(&many, &[]),
        Err(ManifestError::TooManyEntries)
    );
    let empty = r#"{"format":"kleinbild-history","version":1,"entries":[]}"#;
    assert_eq!(import_manifest(empty, &[]).unwrap().entries, vec![]);
}

#[test]
fn wrong_types_and_missing_fields_name_the_field() {
    let image = png(4, 2);
    let cases = [
        (
            "seed",
            Some("\"42\""),
            "\"seed\" must be a whole number from 0 to 4294967295",
        ),
        ("seed", Some("-1"), "\"seed\" must be a whole number"),
        (
            "seed",
            Some("4294967296"),
            "\"seed\" must be a whole number",
        ),
        ("seed", Some("4.5"), "\"seed\" must be a whole number"),
        ("seed", None, "\"seed\" is missing"),
        ("prompt", None, "\"prompt\" is missing"),
        (
            "prompt",
            Some("[\"a\"]"),
            "\"prompt\" must be text, not a list",
        ),
        (
            "prompt",
            Some("{\"html\":1}"),
            "\"prompt\" must be text, not an object",
        ),
        ("width", Some("true"), "\"width\" must be a whole number"),
        (
            "width",
            Some("0"),
            "\"width\" must be from 1 to 16384 pixels",
        ),
        (
            "height",
            Some("16385"),
            "\"height\" must be from 1 to 16384 pixels",
        ),
        (
            "created_ms",
            Some("\"today\""),
            "\"created_ms\" must be a number, not text",
        ),
        ("created_ms", Some("-5"), "\"created_ms\" must be a time"),
        (
            "cost_usd",
            Some("-0.5"),
            "\"cost_usd\" must be a positive amount",
        ),
        (
            "cost_usd",
            Some("\"free\""),
            "\"cost_usd\" must be a number",
        ),
        (
            "favorite",
            Some("1"),
            "\"favorite\" must be true or false, not a number",
        ),
        ("mime", Some("\"image/svg+xml\""), "\"mime\""),
        ("mime", Some("\"text/html\""), "\"mime\""),
        (
            "aspect_ratio",
            Some("\"<b>\""),
            "\"aspect_ratio\" must look like 16:9",
        ),
        (
            "id",
            Some("\"../../etc/passwd\""),
            "is not a valid image id",
        ),
        ("id", Some("7"), "\"id\" must be text, not a number"),
        (
            "generation_id",
            Some("false"),
            "\"generation_id\" must be text",
        ),
        (
            "model",
            Some(&format!("\"{}\"", "m".repeat(201))),
            "\"model\" is longer than 200 characters",
        ),
        (
            "prompt",
            Some(&format!("\"{}\"", "p".repeat(10_001))),
            "\"prompt\" is longer than 10000 characters",
        ),
        (
            "prompt",
            Some("\"esc \\u001b[31m red\""),
            "\"prompt\" contains control characters",
        ),
        (
            "prompt",
            Some("\"nul \\u0000\""),
            "\"prompt\" contains control characters",
        ),
        ("file", None, "\"file\" is missing"),
    ];
    for (field, value, expected) in cases {
        let problem = entry_problem(&manifest_with(field, value), &image);
        assert!(problem.contains(expected), "{field}={value:?}: {problem}");
    }
    // Limits are inclusive.
    let longest = manifest_with("prompt", Some(&format!("\"{}\"", "p".repeat(10_000))));
    assert!(parse_with(&longest, "images/img-1.png", &image).is_ok());
    let repeated = manifest_with("seed", Some("1,\"seed\":2"));
    assert!(entry_problem(&repeated, &image).contains("\"seed\" appears twice"));
}

#[test]
fn html_in_text_fields_is_kept_verbatim_as_text() {
    let hostile = r#"<img src=x onerror="alert(1)"><script>alert('x')</script>&amp;"#;
    let json = manifest_with("prompt", Some(&serde_json::to_string(hostile).unwrap()));
    let json = json.replace(
        "\"model\":\"m\"",
        "\"model\":\"<iframe src=javascript:alert(1)>\"",
    );
    let plan = parse_with(&json, "images/img-1.png", &png(4, 2)).unwrap();
    let entry = &plan.entries[0].0;
    assert_eq!(entry.prompt, hostile);
    assert_eq!(entry.model, "<iframe src=javascript:alert(1)>");
    let ok = manifest_with("prompt", Some("\"two\\nlines\\tand a tab\""));
    let plan = parse_with(&ok, "images/img-1.png", &png(4, 2)).unwrap();
    assert_eq!(plan.entries[0].0.prompt, "two\nlines\tand a tab");
}

#[test]
fn image_bytes_must_be_the_image_described() {
    let json = manifest_with("", None);
    let cases: [(&[u8], &str); 6] = [
        (
            b"<html><script>alert(1)</script></html>",
            "the file images/img-1.png is not a PNG image",
        ),
        (
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
            "the file images/img-1.png is not a PNG image",
        ),
        (b"", "the file images/img-1.png is not a PNG image"),
        (
            b"\x89PNG\r\n\x1a\n",
            "the file images/img-1.png is not a PNG image",
        ),
        (
            &jpeg(4, 2),
            "the file images/img-1.png is not a PNG image (it is JPG)",
        ),
        (
            &png(8, 2),
            "the file images/img-1.png is 8×2 pixels, not 4×2",
        ),
    ];
    for (data, expected) in cases {
        let err = parse_with(&json, "images/img-1.png", data).unwrap_err();
        assert_eq!(err.to_string(), format!("history.json entry 1: {expected}"));
    }
}

#[test]
fn file_paths_must_be_exactly_the_entry_image() {
    let image = png(4, 2);
    for path in [
        "images/../history.json",
        "/images/img-1.png",
        "images\\img-1.png",
        "images/img-2.png",
        "images/img-1.jpg",
        "img-1.png",
        "images/img-1.png\u{0}",
        "images//img-1.png",
    ] {
        let json = manifest_with("file", Some(&serde_json::to_string(path).unwrap()));
        let problem = entry_problem(&json, &image);
        assert!(
            problem.starts_with("\"file\" must be images/img-1.png"),
            "{path:?}: {problem}"
        );
    }
}

#[test]
fn duplicate_ids_and_missing_images_are_reported_per_entry() {
    let one = manifest_with("", None);
    let entry_json = &one[one.find("[{").unwrap() + 1..one.rfind("}]").unwrap() + 1];
    let other = entry_json.replace("img-1", "img-2");
    let image = png(4, 2);
    let files: [(&str, &[u8]); 1] = [("images/img-1.png", &image)];
    let dup = one.replace(entry_json, &format!("{entry_json},{other},{entry_json}"));
    assert_eq!(
        import_manifest(&dup, &files).unwrap_err().to_string(),
        "history.json entry 3: the id img-1 appears twice"
    );
    // img-2's image is not in the zip: skipped and counted, the rest imports.
    let missing = one.replace(entry_json, &format!("{other},{entry_json}"));
    let plan = import_manifest(&missing, &files).unwrap();
    assert_eq!(plan.skipped_invalid, 1);
    assert_eq!(plan.entries.len(), 1);
    assert_eq!(plan.entries[0].0.id, "img-1");
}

#[test]
fn import_refuses_zips_without_a_manifest_or_with_a_broken_one() {
    let zip = write_zip(&[("images/img-1.png", &png(4, 2))]).unwrap();
    assert_eq!(import_checked(&zip), Err(ImportError::NoManifest));
    let zip = write_zip(&[("history.json", b"\xff\xfe not utf-8")]).unwrap();
    assert!(matches!(
        import_checked(&zip),
        Err(ImportError::Manifest(ManifestError::NotJson { .. }))
    ));
    let zip = write_zip(&[("history.json", br#"{"format":"x"}"#)]).unwrap();
    assert_eq!(
        import_checked(&zip).unwrap_err().to_string(),
        "Import failed: history.json is not a Kleinbild history file."
    );
    assert_eq!(
        import_checked(b"not a zip").unwrap_err().to_string(),
        "Import failed: the file is not a zip archive."
    );
}

#[test]
fn import_summary_reads_naturally() {
    assert_eq!(import_summary(0, 0, 0), "Imported 0 images.");
    assert_eq!(import_summary(1, 0, 0), "Imported 1 image.");
    assert_eq!(
        import_summary(3, 1, 2),
        "Imported 3 images; 1 already in your history was skipped; 2 images missing from the file were skipped."
    );
    assert_eq!(
        import_summary(2, 5, 1),
        "Imported 2 images; 5 already in your history were skipped; 1 image missing from the file was skipped."
    );
}

// ---------------------------------------------------------------------------
// reference images

fn reference(data: &[u8], name: &str) -> ReferenceRecord {
    ReferenceRecord {
        id: content_id(data),
        mime: "image/png".into(),
        name: name.into(),
        from: None,
    }
}

#[test]
fn content_ids_follow_the_bytes() {
    let a = png(10, 10);
    let mut b = a.clone();
    b[20] ^= 1;
    assert_eq!(content_id(&a), content_id(&a.clone()));
    assert_ne!(content_id(&a), content_id(&b));
    assert_eq!(content_id(&a).len(), 24);
    assert!(content_id(b"").chars().all(|c| c.is_ascii_hexdigit()));
}

#[test]
fn references_are_exported_once_and_restored_with_their_entries() {
    let (items, refs) = sample_with_references();
    let [(fox_ref, fox), (cat_ref, cat)] = refs.as_slice() else {
        unreachable!()
    };
    let export = export_items(&items, &refs, 0.0).unwrap();
    let names = names(&export.zip);
    let fox_path = reference_path(fox_ref).unwrap();
    assert_eq!(names.iter().filter(|n| **n == fox_path).count(), 1);
    assert_eq!(names.len(), 1 + 4 + 2);

    let plan = import_checked(&export.zip).unwrap();
    assert_eq!(plan.entries, items);
    let mut got = plan.references.clone();
    got.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    assert_eq!(
        got,
        vec![
            (cat_ref.clone(), cat.clone()),
            (fox_ref.clone(), fox.clone())
        ]
    );

    // The stored files go into the zip unchanged, exactly where import reads them.
    let checked = check_zip(&export.zip).unwrap();
    let mut paths: Vec<String> = checked.entries.iter().map(|p| p.file.clone()).collect();
    paths.extend(
        checked
            .references
            .iter()
            .map(|r| reference_path(r).unwrap()),
    );
    let starts: Vec<u64> = paths
        .iter()
        .map(|path| checked.span(path).unwrap().0)
        .collect();
    assert_eq!(export.file_starts, starts);
}

#[test]
fn a_reference_missing_from_the_export_is_left_out_of_its_entry() {
    let fox = png(64, 64);
    let mut items = sample();
    items[0].0.references = vec![reference(&fox, "fox.png")];
    // No bytes for it (e.g. lost from storage): the entry is kept without it.
    let export = export_items(&items, &[], 0.0).unwrap();
    let plan = import_checked(&export.zip).unwrap();
    assert_eq!(plan.entries[0].0.references, []);
    assert_eq!(plan.entries.len(), 4);
}

#[test]
fn forged_or_broken_references_are_refused() {
    let fox = png(64, 64);
    let mut items = sample();
    let fox_ref = reference(&fox, "fox.png");
    items[0].0.references = vec![fox_ref.clone()];
    let export = export_items(&items, &[(fox_ref.clone(), fox.clone())], 0.0).unwrap();
    let path = reference_path(&fox_ref).unwrap();

    // Other bytes under the fox's id: someone wants to replace a stored reference.
    let mut files = read_all(&export.zip).unwrap();
    let at = files.iter().position(|(n, _)| *n == path).unwrap();
    files[at].1 = png(65, 64);
    let err = import_checked(&write_owned(&files).unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("does not match its content id"), "{err}");

    // Not an image at all.
    files[at].1 = b"<html><script>alert(1)</script>".to_vec();
    let err = import_checked(&write_owned(&files).unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("is not the image its name says"), "{err}");

    // Export never writes what import would refuse: the entry goes without it.
    let export = export_items(&items, &[(fox_ref, png(1, 1))], 0.0).unwrap();
    assert!(!names(&export.zip).contains(&path));
    let plan = import_checked(&export.zip).unwrap();
    assert_eq!(plan.entries[0].0.references, []);
}

#[test]
fn malformed_reference_lists_name_the_problem() {
    let base = manifest_with("references", Some("[]"));
    assert!(import_manifest(&base, &[]).is_ok());
    for (value, expected) in [
        ("{}", "\"references\" must be a list"),
        ("[1]", "a reference must be an object"),
        (
            r#"[{"id":"../x","mime":"image/png","name":"a"}]"#,
            "reference id",
        ),
        (
            r#"[{"id":"0123456789abcdef01234567","mime":"text/html","name":"a"}]"#,
            "mime",
        ),
        (
            r#"[{"id":"0123456789abcdef01234567","mime":"image/png"}]"#,
            "\"name\" is missing",
        ),
    ] {
        let json = manifest_with("references", Some(value));
        let err = import_manifest(&json, &[]).unwrap_err().to_string();
        assert!(err.contains(expected), "{value}: {err}");
    }
    let five = format!(
        "[{}]",
        [r#"{"id":"0123456789abcdef01234567","mime":"image/png","name":"a"}"#; 5].join(",")
    );
    let err = import_manifest(&manifest_with("references", Some(&five)), &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("more than 4"), "{err}");
}

// ---------------------------------------------------------------------------
// streaming pieces: what the browser uses to read and write without whole-file buffers

/// A byte slice that records every range read from it, as a Blob would be sliced.
struct Recording<'a> {
    bytes: &'a [u8],
    reads: RefCell<Vec<(u64, u64)>>,
}

impl RangeRead for Recording<'_> {
    fn size(&self) -> u64 {
        self.bytes.len() as u64
    }

    async fn read_range(&self, start: u64, len: u64) -> Result<Vec<u8>, ImportError> {
        self.reads.borrow_mut().push((start, len));
        self.bytes.read_range(start, len).await
    }
}

#[test]
fn the_piecewise_writer_and_reader_agree() {
    let files: Vec<(String, Vec<u8>)> = (0..5)
        .map(|i| (format!("images/{i}.png"), png(i + 1, 7)))
        .collect();
    // Written as the export does: each header, then the file's bytes on their own.
    let mut writer = ZipWriter::default();
    let mut whole = Vec::new();
    let mut starts = Vec::new();
    for (name, data) in &files {
        whole.extend(writer.add(name, data.len() as u64, crc32(data)).unwrap());
        starts.push(whole.len() as u64);
        whole.extend_from_slice(data);
    }
    whole.extend(writer.finish().unwrap());
    assert_eq!(whole, write_owned(&files).unwrap());

    // Read with the pieces Archive is made of: tail, directory, then each file's header and data.
    let total = whole.len() as u64;
    let tail_start = total.saturating_sub(TAIL_LEN) as usize;
    let end = read_end(&whole[tail_start..], total).unwrap();
    let dir = &whole[end.directory_offset as usize..][..end.directory_size as usize];
    let entries = read_directory(dir, &end, total).unwrap();
    assert_eq!(entries.len(), 5);
    for ((entry, (name, data)), &expected) in entries.iter().zip(&files).zip(&starts) {
        assert_eq!(&entry.name, name);
        let header = &whole[entry.local_offset as usize..][..entry.header_len() as usize];
        let start = entry.data_start(header, total).unwrap();
        assert_eq!(start, expected);
        let got = &whole[start as usize..][..entry.size as usize];
        assert_eq!(got, data.as_slice());
        entry.verify(got).unwrap();
        assert!(entry.verify(&got[1..]).is_err());
    }

    // And through Archive, which reads only those ranges.
    let file = Recording {
        bytes: &whole,
        reads: RefCell::default(),
    };
    block_on(async {
        let archive = Archive::open(&file).await.unwrap();
        for ((name, data), &expected) in files.iter().zip(&starts) {
            let entry = archive.find(name).unwrap();
            assert_eq!(archive.read(entry).await.unwrap(), (expected, data.clone()));
            assert_eq!(
                archive.read_named(name).await.unwrap(),
                (expected, data.clone())
            );
        }
    });
    let reads = file.reads.into_inner();
    assert_eq!(
        reads[..2],
        [(0, total), (end.directory_offset, end.directory_size)]
    );
    assert_eq!(reads.len(), 2 + 5 * 4);
    for (i, (entry, &start)) in entries.iter().zip(&starts).enumerate() {
        let header = (entry.local_offset, entry.header_len());
        let data = (start, entry.size);
        assert_eq!(reads[2 + 4 * i..][..4], [header, data, header, data]);
    }
}

#[test]
fn a_tail_shorter_than_the_file_still_finds_the_directory() {
    // A 100 kB file: the tail read is the last 65,557 bytes, not the whole file.
    let big = vec![7u8; 100_000];
    let zip = write_zip(&[("images/a.bin", &big), ("history.json", b"{}")]).unwrap();
    let total = zip.len() as u64;
    let tail = &zip[(total - TAIL_LEN) as usize..];
    let end = read_end(tail, total).unwrap();
    let dir = &zip[end.directory_offset as usize..][..end.directory_size as usize];
    let names: Vec<String> = read_directory(dir, &end, total)
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(names, ["images/a.bin", "history.json"]);

    // Archive reads just that tail and the directory, then only the file asked for.
    let file = Recording {
        bytes: &zip,
        reads: RefCell::default(),
    };
    let manifest = block_on(async {
        let archive = Archive::open(&file).await.unwrap();
        let mut listed: Vec<&str> = archive.names().collect();
        listed.sort_unstable();
        assert_eq!(listed, ["history.json", "images/a.bin"]);
        archive.read_named("history.json").await.unwrap().1
    });
    assert_eq!(manifest, b"{}");
    let reads = file.reads.into_inner();
    assert_eq!(
        reads[..2],
        [
            (total - TAIL_LEN, TAIL_LEN),
            (end.directory_offset, end.directory_size)
        ]
    );
    assert_eq!(reads.len(), 4);
    assert!(reads.iter().all(|&(_, len)| len <= TAIL_LEN), "{reads:?}");
}

#[test]
fn the_writer_refuses_what_a_zip_without_zip64_cannot_hold() {
    let mut writer = ZipWriter::default();
    assert!(writer.add("images/a.png", 3_000_000_000, 0).is_ok());
    assert_eq!(
        writer.add("images/b.png", 2_000_000_000, 0),
        Err(ZipError::TooLarge)
    );
}
