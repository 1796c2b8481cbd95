//! The app's own JSON reader and writer (`kleinbild::json`), checked against
//! serde_json on generated documents: same values, same verdicts, never a panic.

#[path = "support/rng.rs"]
mod rng;

use kleinbild::json::{Loose, MAX_DEPTH, ObjectWriter, write_string};
use rng::Rng;
use serde_json::Value;

/// serde_json's view of a document, in the reader's shape.
fn loose(value: &Value) -> Loose {
    match value {
        Value::Null => Loose::Null,
        Value::Bool(b) => Loose::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => Loose::UInt(u),
            (None, Some(i), _) => Loose::Int(i),
            (_, _, Some(f)) => Loose::Float(f),
            _ => unreachable!("a JSON number is one of the three"),
        },
        Value::String(s) => Loose::Text(s.clone()),
        Value::Array(items) => Loose::List(items.iter().map(loose).collect()),
        Value::Object(fields) => {
            Loose::Object(fields.iter().map(|(k, v)| (k.clone(), loose(v))).collect())
        }
    }
}

/// Objects as serde_json's map holds them: sorted by key, a repeated key's
/// last value kept (the reader itself keeps every pair, in order).
fn as_map(value: Loose) -> Loose {
    match value {
        Loose::List(items) => Loose::List(items.into_iter().map(as_map).collect()),
        Loose::Object(fields) => {
            let map: std::collections::BTreeMap<String, Loose> =
                fields.into_iter().map(|(k, v)| (k, as_map(v))).collect();
            Loose::Object(map.into_iter().collect())
        }
        other => other,
    }
}

const CHARS: &[char] = &[
    'a',
    'Z',
    '0',
    ' ',
    '"',
    '\\',
    '/',
    '\n',
    '\r',
    '\t',
    '\u{0}',
    '\u{1f}',
    '\u{7f}',
    'é',
    'ß',
    '\u{2028}',
    '中',
    '😀',
    '\u{10ffff}',
    '{',
    '}',
    '[',
    ']',
    ':',
    ',',
];

fn text(rng: &mut Rng) -> String {
    (0..rng.below(12)).map(|_| *rng.pick(CHARS)).collect()
}

fn number(rng: &mut Rng) -> Value {
    match rng.below(5) {
        0 => Value::from(rng.below(1000)),
        1 => Value::from(rng.next()),
        2 => Value::from(-(rng.below(1 << 62) as i64) - 1),
        3 => Value::from((rng.next() % 2_000_000) as f64 / 7.0 - 100_000.0),
        _ => Value::from(f64::from_bits(rng.next() & 0x7fef_ffff_ffff_ffff)),
    }
}

fn value(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth > 4 { 4 } else { 7 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.below(2) == 1),
        2 => number(rng),
        3 => Value::String(text(rng)),
        4 | 5 => Value::Array((0..rng.below(5)).map(|_| value(rng, depth + 1)).collect()),
        _ => Value::Object(
            (0..rng.below(5))
                .map(|_| (text(rng), value(rng, depth + 1)))
                .collect(),
        ),
    }
}

#[test]
fn reads_what_serde_json_writes_exactly() {
    let mut rng = Rng(0x5eed_1234);
    for case in 0..20_000 {
        let original = value(&mut rng, 0);
        for written in [
            serde_json::to_string(&original).unwrap(),
            serde_json::to_string_pretty(&original).unwrap(),
        ] {
            let read =
                Loose::parse(&written).unwrap_or_else(|e| panic!("case {case}: {e} in {written}"));
            assert_eq!(as_map(read), loose(&original), "case {case}: {written}");
        }
    }
}

/// Pieces that make near-JSON: most mutations of a document are still close
/// to valid, which is where parsers disagree.
const PIECES: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    "\\u",
    "\\ud83d",
    "\\ude00",
    "\\x",
    "0",
    "-",
    "01",
    "1.",
    ".5",
    "1e",
    "1e+",
    "-0",
    "true",
    "tru",
    "null",
    "nul",
    " ",
    "\n",
    "\u{1}",
    "1e999",
    "18446744073709551616",
    "-9223372036854775809",
];

#[test]
fn agrees_with_serde_json_on_damaged_documents_and_never_panics() {
    let mut rng = Rng(0xdead_beef);
    for case in 0..30_000 {
        let mut doc = serde_json::to_string(&value(&mut rng, 0)).unwrap();
        for _ in 0..=rng.below(3) {
            let mut at = rng.below(doc.len() as u64 + 1) as usize;
            while !doc.is_char_boundary(at) {
                at -= 1;
            }
            match rng.below(3) {
                0 => {
                    let piece = *rng.pick(PIECES);
                    doc.insert_str(at, piece)
                }
                1 => doc.truncate(at),
                _ => {
                    let mut end = (at + 1 + rng.below(4) as usize).min(doc.len());
                    while !doc.is_char_boundary(end) {
                        end += 1;
                    }
                    doc.replace_range(at..end, "");
                }
            }
        }
        let ours = Loose::parse(&doc);
        let theirs = serde_json::from_str::<Value>(&doc);
        match (&ours, &theirs) {
            (Ok(ours), Ok(theirs)) => {
                assert_eq!(as_map(ours.clone()), loose(theirs), "case {case}: {doc:?}")
            }
            (Err(_), Err(_)) => {}
            _ => panic!("case {case}: ours {ours:?}, serde_json {theirs:?}, for {doc:?}"),
        }
    }
}

#[test]
fn errors_say_where() {
    let error = Loose::parse("{\n  \"a\": tru }").unwrap_err();
    assert_eq!(error.line(), 2);
    assert_eq!(error.column(), 11);
    assert!(error.to_string().contains("at line 2 column 11"), "{error}");
    let eof = Loose::parse("[1, 2").unwrap_err();
    assert!(eof.is_eof());
    assert!(!Loose::parse("[1, x]").unwrap_err().is_eof());
}

#[test]
fn hostile_nesting_is_refused_not_overflowed() {
    let ok = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
    assert!(Loose::parse(&ok).is_ok());
    let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 2), "]".repeat(MAX_DEPTH + 2));
    assert!(Loose::parse(&deep).is_err());
    assert!(
        serde_json::from_str::<Value>(&deep).is_err(),
        "same limit as serde_json"
    );
    let absurd = "[".repeat(1_000_000);
    assert!(Loose::parse(&absurd).is_err());
}

#[test]
fn written_strings_and_objects_read_back() {
    let mut rng = Rng(42);
    for _ in 0..20_000 {
        let original = text(&mut rng);
        let mut written = String::new();
        write_string(&mut written, &original);
        assert_eq!(serde_json::from_str::<String>(&written).unwrap(), original);
    }
    let object = ObjectWriter::default()
        .text("a\"b", "line\nbreak")
        .flag("on", true)
        .whole("n", u64::MAX)
        .finish();
    assert_eq!(
        serde_json::from_str::<Value>(&object).unwrap(),
        serde_json::json!({"a\"b": "line\nbreak", "on": true, "n": u64::MAX})
    );
    assert_eq!(ObjectWriter::default().finish(), "{}");
}
