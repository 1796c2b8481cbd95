//! Settings inside downloaded images: PNG iTXt chunks and a JPEG COM segment
//! written around the original bytes, read back, and hostile or truncated
//! files (generated with a seeded generator) that never panic.
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/rng.rs"]
mod rng;

use kleinbild::generation::{Resolution, output_size};
use kleinbild::storage::HistoryEntry;
use kleinbild::storage::image_meta::{
    ImageSettings, MetaError, crc32, read_settings, settings_json, with_settings,
};
use rng::Rng;

fn entry() -> HistoryEntry {
    let (width, height) = output_size("16:9", Resolution::Two).unwrap();
    HistoryEntry {
        id: "img-1700000000000-abcdef".into(),
        created_ms: 1_700_000_000_000.0,
        prompt: "a fox in the snow, \u{201c}quoted\u{201d} and 🦊".into(),
        model: "black-forest-labs/flux.2-klein-4b".into(),
        seed: 4_000_000_000,
        aspect_ratio: "16:9".into(),
        width,
        height,
        cost_usd: Some(0.015),
        mime: "image/png".into(),
        bytes: 100,
        generation_id: Some("gen-123".into()),
        favorite: false,
        references: Vec::new(),
    }
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(&[kind, data]).to_be_bytes());
    out
}

/// A PNG's chunk layout (the pixels need not decode here: the browser test does that).
fn png() -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &[0, 0, 5, 160, 0, 0, 3, 48, 8, 6, 0, 0, 0]));
    out.extend(chunk(b"IDAT", &[0x78, 0x01, 1, 2, 3, 4, 5]));
    out.extend(chunk(b"IEND", &[]));
    out
}

/// (type, data) of every chunk, checking each CRC.
fn chunks(png: &[u8]) -> Vec<([u8; 4], Vec<u8>)> {
    let mut at = 8;
    let mut out = Vec::new();
    while at < png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
        let kind: [u8; 4] = png[at + 4..at + 8].try_into().unwrap();
        let data = png[at + 8..at + 8 + len].to_vec();
        let crc = u32::from_be_bytes(png[at + 8 + len..at + 12 + len].try_into().unwrap());
        assert_eq!(
            crc,
            crc32(&[&kind, &data]),
            "CRC of {:?}",
            String::from_utf8_lossy(&kind)
        );
        out.push((kind, data));
        at += 12 + len;
    }
    out
}

fn expected() -> ImageSettings {
    let e = entry();
    ImageSettings {
        prompt: e.prompt,
        model: e.model,
        seed: e.seed,
        aspect_ratio: e.aspect_ratio,
        resolution: Resolution::Two,
    }
}

#[test]
fn crc32_matches_the_standard_check_values() {
    assert_eq!(crc32(&[b"123456789"]), 0xCBF4_3926);
    assert_eq!(crc32(&[b"IEND"]), 0xAE42_6082);
    assert_eq!(crc32(&[b"1234", b"56789"]), 0xCBF4_3926);
}

#[test]
fn a_png_carries_description_and_kleinbild_chunks_after_its_header() {
    let original = png();
    let tagged = with_settings(&original, &entry()).expect("a PNG takes settings");
    let all = chunks(&tagged);
    let kinds: Vec<&[u8]> = all.iter().map(|(k, _)| &k[..]).collect();
    assert_eq!(kinds, [&b"IHDR"[..], b"iTXt", b"iTXt", b"IDAT", b"IEND"]);
    // The original chunks are untouched, in their order.
    let originals = chunks(&original);
    assert_eq!(originals[0], all[0]);
    assert_eq!(originals[1..], all[3..]);
    // iTXt: keyword, NUL, uncompressed, method 0, no language, no translation, UTF-8 text.
    let description = [
        b"Description\0\0\0\0\0".as_slice(),
        entry().prompt.as_bytes(),
    ]
    .concat();
    assert_eq!(all[1].1, description);
    let json = [
        b"kleinbild\0\0\0\0\0".as_slice(),
        settings_json(&entry()).as_bytes(),
    ]
    .concat();
    assert_eq!(all[2].1, json);
    assert_eq!(read_settings(&tagged), Ok(expected()));
}

#[test]
fn the_settings_json_has_what_made_the_image_and_nothing_secret() {
    let json = settings_json(&entry());
    for field in [
        "\"kleinbild\":1",
        "\"prompt\":",
        "\"model\":\"black-forest-labs/flux.2-klein-4b\"",
        "\"seed\":4000000000",
        "\"aspect_ratio\":\"16:9\"",
        "\"resolution_mp\":2",
        "\"created_ms\":1700000000000",
        "\"generation_id\":\"gen-123\"",
        "\"cost_usd\":0.015",
    ] {
        assert!(json.contains(field), "{field} in {json}");
    }
    assert!(!json.contains("sk-or") && !json.contains("key"), "{json}");
}

#[test]
fn a_jpeg_carries_the_json_in_a_comment_segment() {
    let jpeg = [
        &[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x06, b'J', b'F', b'I', b'F'][..],
        &[0xFF, 0xDA, 0x00, 0x04, 1, 2, 9, 9, 9, 0xFF, 0xD9],
    ]
    .concat();
    let tagged = with_settings(&jpeg, &entry()).expect("a JPEG takes settings");
    assert_eq!(&tagged[..4], &[0xFF, 0xD8, 0xFF, 0xFE]);
    assert!(
        tagged.ends_with(&jpeg[2..]),
        "the rest of the file is unchanged"
    );
    assert_eq!(read_settings(&tagged), Ok(expected()));
    assert_eq!(read_settings(&jpeg), Err(MetaError::NoSettings));
}

#[test]
fn files_without_settings_or_with_damaged_ones_say_so() {
    assert_eq!(read_settings(&png()), Err(MetaError::NoSettings));
    assert_eq!(read_settings(b"GIF89a...."), Err(MetaError::NotPngOrJpeg));
    assert_eq!(read_settings(b""), Err(MetaError::NotPngOrJpeg));
    assert_eq!(with_settings(b"RIFF....WEBP", &entry()), None);
    let mut tagged = with_settings(&png(), &entry()).unwrap();
    // Flip one byte of the kleinbild chunk's text: its CRC no longer matches.
    let at = tagged.windows(9).rposition(|w| w == b"kleinbild").unwrap() + 20;
    tagged[at] ^= 0x20;
    assert!(matches!(read_settings(&tagged), Err(MetaError::Damaged(_))));
    let message = MetaError::NoSettings.message("cat.png");
    assert!(
        message.contains("cat.png") && message.contains("unchanged"),
        "{message}"
    );
}

#[test]
fn truncated_and_random_files_never_panic() {
    let tagged = with_settings(&png(), &entry()).unwrap();
    for cut in 0..tagged.len() {
        let _ = read_settings(&tagged[..cut]);
    }
    let jpeg = with_settings(&[0xFF, 0xD8, 0xFF, 0xD9], &entry()).unwrap();
    for cut in 0..jpeg.len() {
        let _ = read_settings(&jpeg[..cut]);
    }
    let mut rng = Rng(0x1234_5678);
    for case in 0..20_000 {
        let mut bytes = match case % 3 {
            0 => b"\x89PNG\r\n\x1a\n".to_vec(),
            1 => vec![0xFF, 0xD8],
            _ => tagged[..rng.below(tagged.len() as u64) as usize].to_vec(),
        };
        for _ in 0..rng.below(64) {
            let random = rng.next() as u8;
            bytes.push(*rng.pick(&[0xFF, 0, b'i', random, random, random]));
        }
        // Mutate a tagged file here and there, too.
        if case % 7 == 0 {
            let mut mutated = tagged.clone();
            let at = rng.below(mutated.len() as u64) as usize;
            mutated[at] = rng.next() as u8;
            let _ = read_settings(&mutated);
        }
        let _ = read_settings(&bytes);
        let _ = with_settings(&bytes, &entry());
    }
}
