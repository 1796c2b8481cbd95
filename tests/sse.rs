//! The SSE decoder: framing cases, then property checks over generated streams
//! (any split gives the same events as the model that generated them; no
//! input panics), with a seeded generator so every run checks the same cases.
#![cfg(not(target_arch = "wasm32"))]

use kleinbild::api::sse::{SseDecoder, SseError, SseEvent};

fn decode_in(chunks: &[&[u8]]) -> (Vec<SseEvent>, Result<(), SseError>) {
    let mut decoder = SseDecoder::new();
    let mut events = Vec::new();
    for chunk in chunks {
        match decoder.push(chunk) {
            Ok(more) => events.extend(more),
            Err(e) => return (events, Err(e)),
        }
    }
    let end = decoder.finish();
    (events, end)
}

fn decode(stream: &[u8]) -> (Vec<SseEvent>, Result<(), SseError>) {
    decode_in(&[stream])
}

fn data(s: &str) -> SseEvent {
    SseEvent::Data(s.into())
}

/// A `:` line (what it says is not kept).
fn comment(_: &str) -> SseEvent {
    SseEvent::Comment
}

#[test]
fn openrouter_stream_with_keepalives_and_done() {
    let stream = b": OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\ndata: {\"a\":1}\n\ndata: [DONE]\n\n";
    assert_eq!(
        decode(stream),
        (
            vec![
                comment("OPENROUTER PROCESSING"),
                comment("OPENROUTER PROCESSING"),
                data("{\"a\":1}"),
                SseEvent::Done
            ],
            Ok(())
        )
    );
}

#[test]
fn line_ends_lf_crlf_and_cr_all_work() {
    for stream in [
        &b"data: x\n\ndata: [DONE]\n\n"[..],
        b"data: x\r\n\r\ndata: [DONE]\r\n\r\n",
        b"data: x\r\rdata: [DONE]\r\r",
        b"data: x\r\n\rdata: [DONE]\n\r\n",
    ] {
        assert_eq!(
            decode(stream),
            (vec![data("x"), SseEvent::Done], Ok(())),
            "{stream:?}"
        );
    }
}

#[test]
fn multi_line_data_fields_and_odd_lines() {
    let stream = b"event: message\nid: 7\nretry: 100\ndata: one\ndata:two\ndata\ndata:  three\nunknown: x\nnocolon\n\ndata: [DONE]\n\n";
    assert_eq!(
        decode(stream).0,
        vec![data("one\ntwo\n\n three"), SseEvent::Done]
    );
    // An event with no data is not dispatched; a comment never is data.
    assert_eq!(
        decode(b"event: ping\n\n:\n\ndata: [DONE]\n\n").0,
        vec![comment(""), SseEvent::Done]
    );
    // A leading byte-order mark is ignored, even when split.
    assert_eq!(
        decode_in(&[b"\xEF", b"\xBB", b"\xBFdata: y\n\ndata: [DONE]\n\n"]).0,
        vec![data("y"), SseEvent::Done]
    );
}

#[test]
fn done_ends_the_stream_and_later_bytes_are_ignored() {
    let (events, end) = decode(b"data: [DONE]\n\ndata: late\n\n");
    assert_eq!(events, vec![SseEvent::Done]);
    assert_eq!(end, Ok(()));
    // "[DONE]" inside JSON or with other text is ordinary data.
    assert_eq!(decode(b"data: [DONE] \n\n").0, vec![data("[DONE] ")]);
}

#[test]
fn eof_before_done_is_an_interruption() {
    assert_eq!(decode(b""), (vec![], Err(SseError::Interrupted)));
    assert_eq!(
        decode(b"data: {\"partial\":"),
        (vec![], Err(SseError::Interrupted))
    );
    // Complete lines count, then the connection drops: the end does not.
    assert_eq!(
        decode(b"data: {}\n\n: OPENROUTER PROCESSING\ndata: {\"cut\"}\n"),
        (
            vec![data("{}"), comment("OPENROUTER PROCESSING")],
            Err(SseError::Interrupted)
        )
    );
}

#[test]
fn utf8_split_inside_a_character_and_invalid_bytes() {
    let text = "data: {\"p\":\"fuchs \u{1f98a} \u{e9}t\u{e9}\"}\n\ndata: [DONE]\n\n";
    let bytes = text.as_bytes();
    let fox = text.find('\u{1f98a}').unwrap();
    for cut in fox + 1..fox + 4 {
        assert_eq!(
            decode_in(&[&bytes[..cut], &bytes[cut..]]).0,
            vec![
                data("{\"p\":\"fuchs \u{1f98a} \u{e9}t\u{e9}\"}"),
                SseEvent::Done
            ],
            "cut at {cut}"
        );
    }
    assert_eq!(decode(b"data: \xff\xfe\n\n").1, Err(SseError::NotText));
}

#[test]
fn a_twenty_megabyte_line_in_small_chunks_is_decoded_whole() {
    let payload: String = (0..20 * 1024 * 1024)
        .map(|i| (b'A' + (i % 26) as u8) as char)
        .collect();
    let stream = format!(": OPENROUTER PROCESSING\n\ndata: {payload}\n\ndata: [DONE]\n\n");
    let chunks: Vec<&[u8]> = stream.as_bytes().chunks(64 * 1024).collect();
    let (events, end) = decode_in(&chunks);
    assert_eq!(end, Ok(()));
    assert_eq!(events.len(), 3);
    assert!(matches!(&events[1], SseEvent::Data(d) if *d == payload));
}

// ---------------------------------------------------------------------------
// Property checks with a small deterministic generator.

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

const PIECES: &[&str] = &[
    "a",
    "{",
    "}",
    "\"",
    " ",
    "[DONE",
    "x",
    "\u{e9}",
    "\u{1f98a}",
    "\u{4e2d}",
    ":",
    "data",
    "\t",
];

fn text(rng: &mut Rng) -> String {
    (0..rng.below(6)).map(|_| *rng.pick(PIECES)).collect()
}

/// A valid stream and the events it must decode to.
fn stream(rng: &mut Rng) -> (Vec<u8>, Vec<SseEvent>) {
    let eol = *rng.pick(&["\n", "\r\n", "\r"]);
    let mut out = String::new();
    let mut expected = Vec::new();
    for _ in 0..rng.below(5) {
        match rng.below(3) {
            0 => {
                let c = text(rng);
                // One space after the colon is a separator, as in `data:`.
                out += &format!(": {c}{eol}");
                expected.push(SseEvent::Comment);
            }
            1 => {
                out += &format!("id: {}{eol}{eol}", rng.below(100));
            }
            _ => {
                let lines: Vec<String> = (0..1 + rng.below(3)).map(|_| text(rng)).collect();
                for line in &lines {
                    let space = if rng.below(2) == 0 { " " } else { "" };
                    // A value starting with a space needs the separator space to survive.
                    let sep = if line.starts_with(' ') { " " } else { space };
                    out += &format!("data:{sep}{line}{eol}");
                }
                let joined = lines.join("\n");
                out += eol;
                expected.push(if joined == "[DONE]" {
                    SseEvent::Done
                } else {
                    SseEvent::Data(joined)
                });
            }
        }
    }
    out += &format!("data: [DONE]{eol}{eol}");
    expected.push(SseEvent::Done);
    // Nothing after the first Done counts.
    if let Some(first) = expected.iter().position(|e| *e == SseEvent::Done) {
        expected.truncate(first + 1);
    }
    (out.into_bytes(), expected)
}

fn split<'a>(bytes: &'a [u8], rng: &mut Rng) -> Vec<&'a [u8]> {
    let mut chunks = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let most = if rng.below(4) == 0 { 3 } else { 24 };
        let len = 1 + rng.below(most) as usize;
        let end = (at + len).min(bytes.len());
        chunks.push(&bytes[at..end]);
        if rng.below(8) == 0 {
            chunks.push(&[]);
        }
        at = end;
    }
    chunks
}

#[test]
fn any_split_of_a_valid_stream_gives_its_events() {
    let mut rng = Rng(0x5eed_cafe_f00d_0001);
    for case in 0..100_000 {
        let (bytes, expected) = stream(&mut rng);
        let chunks = split(&bytes, &mut rng);
        let (events, end) = decode_in(&chunks);
        assert_eq!(
            (&events, &end),
            (&expected, &Ok(())),
            "case {case}: {:?} in {} chunks",
            String::from_utf8_lossy(&bytes),
            chunks.len()
        );
    }
}

#[test]
fn arbitrary_bytes_in_arbitrary_pieces_never_panic() {
    let mut rng = Rng(0xbad_5eed_0000_0002);
    let alphabet = b"data: [DONE]\r\n:\xff\xe9\x80{}x";
    for _ in 0..100_000 {
        let len = rng.below(64);
        let bytes: Vec<u8> = (0..len).map(|_| *rng.pick(alphabet)).collect();
        let chunks = split(&bytes, &mut rng);
        let (events, end) = decode_in(&chunks);
        // Whatever came in, Done is last if present, and the end agrees with it.
        if let Some(at) = events.iter().position(|e| *e == SseEvent::Done) {
            assert_eq!(at, events.len() - 1);
            assert_eq!(end, Ok(()));
        }
    }
}
