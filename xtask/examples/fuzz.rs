//! `cargo xtask fuzz`: generated inputs through the app's parsers, the ones
//! that read what others wrote: the SSE decoder, the stream accumulator, the
//! zip reader, the history manifest, records and index, the settings in PNG
//! and JPEG files, and share links. Each case is a valid input built from a
//! grammar (with the round trip or the events it must give checked), a
//! damaged valid input, or random bytes. A panic or a broken property is
//! reported with its target, seed, case number and input, and fails the run.
//!
//! Every case draws from its own generator (seed, target, case number), so a
//! failure replays alone: `cargo xtask fuzz --seed S --target T --case I`.
//!
//! An example of the xtask package rather than a module of its binary, so
//! that only it (and `cargo test`) builds the app natively. `cargo test` runs
//! a seeded subset of it: the CI gate.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::ops::Range;
use std::panic::{self, AssertUnwindSafe};
use std::pin::pin;
use std::process::ExitCode;
use std::sync::Once;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use kleinbild::api::ApiError;
use kleinbild::api::data_url::held_placeholder;
use kleinbild::api::sse::{SseDecoder, SseError, SseEvent};
use kleinbild::api::stream::StreamAccumulator;
use kleinbild::generation::{
    ASPECT_RATIOS, GenerationOutput, ImageFormat, KLEIN_MODEL, MAX_BATCH, MAX_PROMPT_CHARS,
    MAX_REFERENCES, OutputFormat, Resolution, SharedSettings,
};
use kleinbild::json::{ObjectWriter, list_of, write_string};
use kleinbild::storage::HistoryEntry;
use kleinbild::storage::history::{
    HistoryIndex, LoadedIndex, MAX_SIDE, ReferenceRecord, content_id, sort_newest_first,
};
use kleinbild::storage::image_meta::{
    self, ImageSettings, MetaError, read_settings, with_settings,
};
use kleinbild::storage::manifest::{
    PlannedEntry, build_manifest, check_image, image_path, plan_manifest, reference_path,
};
use kleinbild::storage::presets::{Preset, preset_name};
use kleinbild::storage::transfer::{
    Archive, ExportError, ExportSource, ImportError, ZipPart, check_import, plan_export,
};
use kleinbild::storage::zip::{ZipError, ZipWriter, crc32, is_safe_name};

const USAGE: &str = "\
usage: cargo xtask fuzz [--cases N] [--seed S] [--target NAME] [--case I]

  --cases N      cases in all, shared evenly by the targets (default 1000000)
  --seed S       the run's seed (default 1)
  --target NAME  only this target: sse, stream, zip, manifest, png_text or share
  --case I       only case I (of each target run), its input shown whole
";

const DEFAULT_CASES: u64 = 1_000_000;
const DEFAULT_SEED: u64 = 1;
/// Failures shown per target; the rest are only counted.
const SHOWN_FAILURES: usize = 3;
/// Characters shown of a failure's message and input (`--case` shows all).
const SHOWN_CHARS: usize = 400;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match Options::parse(&args) {
        Ok(options) => options,
        Err(message) => {
            eprint!("fuzz: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let targets: Vec<&Target> = TARGETS
        .iter()
        .filter(|t| options.target.as_deref().is_none_or(|name| name == t.name))
        .collect();
    let shown_chars = if options.case.is_some() {
        usize::MAX
    } else {
        SHOWN_CHARS
    };
    let (mut cases, mut panics, mut property_failures, mut ms) = (0, 0, 0, 0);
    for (i, target) in targets.iter().enumerate() {
        let range = match options.case {
            Some(case) => case..case + 1,
            None => 0..share_of(options.cases, targets.len(), i),
        };
        let tally = run_target(target, options.seed, range);
        println!("{}", tally.line());
        for failure in &tally.failures {
            println!("{}", failure.report(target.name, options.seed, shown_chars));
        }
        cases += tally.cases;
        panics += tally.panics;
        property_failures += tally.property_failures;
        ms += tally.ms;
    }
    println!(
        "fuzz total_cases={cases} panics={panics} property_failures={property_failures} ms={ms}"
    );
    if panics + property_failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

struct Options {
    cases: u64,
    seed: u64,
    target: Option<String>,
    case: Option<u64>,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options, String> {
        let mut options = Options {
            cases: DEFAULT_CASES,
            seed: DEFAULT_SEED,
            target: None,
            case: None,
        };
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            let number = || {
                value
                    .replace('_', "")
                    .parse::<u64>()
                    .map_err(|_| format!("{flag} {value}: not a whole number"))
            };
            match flag.as_str() {
                "--cases" => options.cases = number()?,
                "--seed" => options.seed = number()?,
                "--case" => options.case = Some(number()?),
                "--target" if TARGETS.iter().any(|t| t.name == value) => {
                    options.target = Some(value.clone());
                }
                "--target" => return Err(format!("no target named {value}")),
                other => return Err(format!("unknown option {other}")),
            }
        }
        Ok(options)
    }
}

/// Target `i`'s share of `total` cases split over `targets` (the first ones
/// take the remainder).
fn share_of(total: u64, targets: usize, i: usize) -> u64 {
    let targets = targets as u64;
    total / targets + u64::from((i as u64) < total % targets)
}

// ---------------------------------------------------------------------------
// Running cases

/// One parser under test. `check` builds a case from the generator, keeps
/// the input in its second argument (so a panic can show it) and feeds it to
/// the parser; `Err` is a broken property.
struct Target {
    name: &'static str,
    check: fn(&mut Rng, &mut Vec<u8>) -> Result<(), String>,
}

const TARGETS: [Target; 6] = [
    Target {
        name: "sse",
        check: sse,
    },
    Target {
        name: "stream",
        check: stream,
    },
    Target {
        name: "zip",
        check: zip,
    },
    Target {
        name: "manifest",
        check: manifest,
    },
    Target {
        name: "png_text",
        check: png_text,
    },
    Target {
        name: "share",
        check: share,
    },
];

struct Failure {
    case: u64,
    what: String,
    input: Vec<u8>,
}

impl Failure {
    fn report(&self, target: &str, seed: u64, shown_chars: usize) -> String {
        format!(
            "fuzz FAILED target={target} seed={seed} case={case}: {what}\n  input ({len} bytes): \"{input}\"\n  replay: cargo xtask fuzz --seed {seed} --target {target} --case {case}",
            case = self.case,
            what = shortened(&self.what, shown_chars),
            len = self.input.len(),
            input = shortened(&self.input.escape_ascii().to_string(), shown_chars),
        )
    }
}

struct Tally {
    target: &'static str,
    cases: u64,
    panics: u64,
    property_failures: u64,
    ms: u128,
    /// The first few failures.
    failures: Vec<Failure>,
}

impl Tally {
    fn line(&self) -> String {
        format!(
            "fuzz target={} cases={} panics={} property_failures={} ms={}",
            self.target, self.cases, self.panics, self.property_failures, self.ms
        )
    }
}

fn run_target(target: &Target, seed: u64, cases: Range<u64>) -> Tally {
    keep_panic_messages_of_cases();
    let started = Instant::now();
    let mut tally = Tally {
        target: target.name,
        cases: 0,
        panics: 0,
        property_failures: 0,
        ms: 0,
        failures: Vec::new(),
    };
    for case in cases {
        let mut rng = Rng::for_case(seed, target.name, case);
        let mut input = Vec::new();
        let outcome = catch_case(|| (target.check)(&mut rng, &mut input));
        tally.cases += 1;
        let what = match outcome {
            Ok(Ok(())) => continue,
            Ok(Err(property)) => {
                tally.property_failures += 1;
                format!("property broken: {property}")
            }
            Err(panic) => {
                tally.panics += 1;
                panic
            }
        };
        if tally.failures.len() < SHOWN_FAILURES {
            tally.failures.push(Failure { case, what, input });
        }
    }
    tally.ms = started.elapsed().as_millis();
    tally
}

thread_local! {
    /// Set while a case runs: its panic message is kept, not printed.
    static IN_CASE: Cell<bool> = const { Cell::new(false) };
    static PANIC_MESSAGE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// A panic hook that keeps a case's message for the report instead of
/// printing it (a million cases could print a million backtraces); panics
/// outside cases are printed as usual.
fn keep_panic_messages_of_cases() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let usual = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if IN_CASE.get() {
                PANIC_MESSAGE.set(Some(info.to_string().replace('\n', " ")));
            } else {
                usual(info);
            }
        }));
    });
}

/// Runs one case; `Err` holds the message of its panic.
fn catch_case<T>(case: impl FnOnce() -> T) -> Result<T, String> {
    IN_CASE.set(true);
    let outcome = panic::catch_unwind(AssertUnwindSafe(case));
    IN_CASE.set(false);
    outcome.map_err(|_| {
        PANIC_MESSAGE
            .take()
            .unwrap_or_else(|| "panicked without a message".into())
    })
}

/// `text` with its middle left out beyond `limit` characters (a failing
/// case may hold a 10,000-character prompt).
fn shortened(text: &str, limit: usize) -> String {
    let count = text.chars().count();
    if count <= limit {
        return text.to_owned();
    }
    let (head, tail) = (limit * 3 / 4, limit / 4);
    format!(
        "{}\u{2026}[{} characters left out]\u{2026}{}",
        text.chars().take(head).collect::<String>(),
        count - head - tail,
        text.chars().skip(count - tail).collect::<String>()
    )
}

/// Runs a future that is ready at once: the app's readers over a byte slice
/// never wait (if one did, this fuzzer would need an executor).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    for _ in 0..8 {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
    panic!("the future is still pending: byte-slice reads should never wait");
}

// ---------------------------------------------------------------------------
// Generating

/// SplitMix64: tiny, and every seed gives a well-mixed stream.
struct Rng(u64);

impl Rng {
    /// The generator of one case, independent of every other case.
    fn for_case(seed: u64, target: &str, case: u64) -> Rng {
        let name = target.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        let mut mixer = Rng(seed);
        let mut rng = Rng(mixer.next() ^ name ^ case.wrapping_mul(0xd605_bbb5_8c8a_bbfd));
        rng.next();
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// In `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// What a case feeds the parser.
enum Kind {
    /// Built from the format's grammar: the result is known and checked.
    Valid,
    /// A valid input, damaged: only "no panic" and invariants are checked.
    Damaged,
    /// Random bytes, or random pieces of the format.
    Random,
}

fn kind(rng: &mut Rng) -> Kind {
    match rng.below(20) {
        0..8 => Kind::Valid,
        8..17 => Kind::Damaged,
        _ => Kind::Random,
    }
}

/// Values of length, count and offset fields that readers must distrust.
const EDGE_NUMBERS: [u32; 10] = [
    0,
    1,
    0x7F,
    0x80,
    0xFF,
    0xFFFF,
    0x7FFF_FFFF,
    0x8000_0000,
    0xFFFF_FFFE,
    0xFFFF_FFFF,
];

/// Byte sequences that trip UTF-8 handling: overlong NUL, a surrogate, beyond
/// U+10FFFF, a lone continuation byte, a cut 3-byte character, a BOM, NUL, a
/// 4-byte character, a combining mark, an RTL override, the last code point.
const UTF8_EDGES: [&[u8]; 11] = [
    b"\xC0\x80",
    b"\xED\xA0\x80",
    b"\xF4\x90\x80\x80",
    b"\x80",
    b"\xE2\x82",
    b"\xEF\xBB\xBF",
    b"\0",
    "\u{1f98a}".as_bytes(),
    "e\u{301}".as_bytes(),
    "\u{202e}".as_bytes(),
    "\u{10ffff}".as_bytes(),
];

/// Damages `bytes` one to four times: flipped bits, odd bytes, cuts,
/// insertions, removed, duplicated and swapped spans, edge values in what
/// may be a length field, broken UTF-8, and `words` of the format.
fn damage(rng: &mut Rng, bytes: &mut Vec<u8>, words: &[&[u8]]) {
    for _ in 0..1 + rng.below(4) {
        let len = bytes.len();
        let at = rng.below(len + 1);
        match rng.below(10) {
            0 if len > 0 => bytes[at.min(len - 1)] ^= 1 << rng.below(8),
            1 if len > 0 => bytes[at.min(len - 1)] = *rng.pick(b"\0\xff\x7f\x80\r\n:\"%&=\\{}[]"),
            2 => bytes.truncate(at),
            3 => {
                let count = 1 + rng.below(8);
                let extra = rng.bytes(count);
                bytes.splice(at..at, extra);
            }
            4 => {
                let end = (at + 1 + rng.below(16)).min(len);
                bytes.drain(at..end);
            }
            5 => {
                let end = (at + rng.below(32)).min(len);
                let copy = bytes[at..end].to_vec();
                let to = rng.below(len + 1);
                bytes.splice(to..to, copy);
            }
            6 => {
                let mut cuts = [0; 4].map(|_| rng.below(len + 1));
                cuts.sort_unstable();
                let [a, b, c, d] = cuts;
                *bytes = [
                    &bytes[..a],
                    &bytes[c..d],
                    &bytes[b..c],
                    &bytes[a..b],
                    &bytes[d..],
                ]
                .concat();
            }
            7 => {
                let value = *rng.pick(&EDGE_NUMBERS);
                let field = match rng.below(4) {
                    0 => (value as u16).to_le_bytes().to_vec(),
                    1 => (value as u16).to_be_bytes().to_vec(),
                    2 => value.to_le_bytes().to_vec(),
                    _ => value.to_be_bytes().to_vec(),
                };
                let end = (at + field.len()).min(len);
                bytes.splice(at..end, field);
            }
            8 => {
                let edge = *rng.pick(&UTF8_EDGES);
                bytes.splice(at..at, edge.iter().copied());
            }
            _ => {
                let word = *rng.pick(words);
                bytes.splice(at..at, word.iter().copied());
            }
        }
    }
}

/// Random bytes, or a soup of the format's words and random bytes.
fn random_input(rng: &mut Rng, words: &[&[u8]]) -> Vec<u8> {
    if rng.one_in(3) {
        let len = rng.below(200);
        return rng.bytes(len);
    }
    let mut out = Vec::new();
    for _ in 0..rng.below(30) {
        if rng.one_in(4) {
            let len = 1 + rng.below(4);
            out.extend(rng.bytes(len));
        } else {
            let word = *rng.pick(words);
            out.extend_from_slice(word);
        }
    }
    out
}

/// Characters that stress text handling: quotes and escapes, markup, 2-, 3-
/// and 4-byte UTF-8, a BOM, an RTL override, a combining mark, a line
/// separator, the replacement character and the last code point.
const CHARS: &[char] = &[
    'a',
    'Z',
    '0',
    ' ',
    ' ',
    '"',
    '\\',
    '/',
    '<',
    '&',
    '%',
    '+',
    '#',
    '=',
    ':',
    '\n',
    '\t',
    'é',
    'ß',
    '中',
    '\u{1f98a}',
    '\u{feff}',
    '\u{202e}',
    '\u{301}',
    '\u{2028}',
    '\u{a0}',
    '\u{fffd}',
    '\u{10ffff}',
];

/// Text without control characters (but line breaks and tabs), up to `most` characters.
fn plain_text(rng: &mut Rng, most: usize) -> String {
    (0..rng.below(most + 1)).map(|_| *rng.pick(CHARS)).collect()
}

/// A prompt: mostly short, now and then exactly the longest allowed.
fn prompt(rng: &mut Rng) -> String {
    if rng.one_in(500) {
        "\u{1f98a}".repeat(MAX_PROMPT_CHARS)
    } else {
        plain_text(rng, 60)
    }
}

/// `author/slug[:variant]`, as OpenRouter names models.
fn model_id(rng: &mut Rng) -> String {
    if rng.one_in(2) {
        return KLEIN_MODEL.into();
    }
    const PARTS: [&str; 8] = [
        "black-forest-labs",
        "flux.2-klein-4b",
        "openai",
        "gpt-5-image",
        "a",
        "0",
        "x_y",
        "m.1",
    ];
    let mut id = format!("{}/{}", rng.pick(&PARTS), rng.pick(&PARTS));
    if rng.one_in(3) {
        id += ":free";
    }
    id
}

fn aspect_ratio(rng: &mut Rng) -> String {
    rng.pick(ASPECT_RATIOS).0.to_owned()
}

fn resolution(rng: &mut Rng) -> Resolution {
    *rng.pick(&Resolution::ALL)
}

fn edge_or_random_u32(rng: &mut Rng) -> u32 {
    if rng.one_in(4) {
        *rng.pick(&EDGE_NUMBERS)
    } else {
        rng.next() as u32
    }
}

/// A finite amount: edge cases of float printing, or an ordinary price.
fn amount(rng: &mut Rng) -> f64 {
    const EDGES: [f64; 8] = [
        0.0,
        -0.0,
        0.014,
        1e-9,
        5e-324,
        0.1 + 0.2,
        123_456.789,
        f64::MAX,
    ];
    if rng.one_in(3) {
        *rng.pick(&EDGES)
    } else {
        rng.below(1_000_000) as f64 / 1e4
    }
}

/// A valid image of `format`: its header, then bytes no reader looks at.
fn image_of(rng: &mut Rng, format: ImageFormat, width: u32, height: u32) -> Vec<u8> {
    let mut out = match format {
        ImageFormat::Png => {
            let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
            b.extend_from_slice(&width.to_be_bytes());
            b.extend_from_slice(&height.to_be_bytes());
            b.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
            b
        }
        ImageFormat::Gif => {
            let mut b = b"GIF89a".to_vec();
            b.extend_from_slice(&(width as u16).to_le_bytes());
            b.extend_from_slice(&(height as u16).to_le_bytes());
            b.extend_from_slice(&[0, 0, 0]);
            b
        }
        ImageFormat::Jpeg => {
            // Sometimes large metadata first: the size is then read from a longer prefix.
            let app_len = if rng.one_in(50) { 6000 } else { 4 };
            let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0];
            b.extend_from_slice(&(app_len as u16).to_be_bytes());
            b.extend(rng.bytes(app_len - 2).iter().map(|&x| x & 0x7F));
            b.extend_from_slice(&[0xFF, 0xC0, 0, 11, 8]);
            b.extend_from_slice(&(height as u16).to_be_bytes());
            b.extend_from_slice(&(width as u16).to_be_bytes());
            b.extend_from_slice(&[1, 1, 0x11, 0]);
            b
        }
        ImageFormat::Webp => {
            let mut b = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
            b.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
            b.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
            b
        }
    };
    let tail = rng.below(40);
    out.extend(rng.bytes(tail));
    out
}

const FORMATS: [ImageFormat; 4] = [
    ImageFormat::Png,
    ImageFormat::Jpeg,
    ImageFormat::Webp,
    ImageFormat::Gif,
];

/// A side each format can hold, up to `most`.
fn side(rng: &mut Rng, format: ImageFormat, most: u32) -> u32 {
    let most = match format {
        ImageFormat::Gif | ImageFormat::Jpeg => most.min(u32::from(u16::MAX)),
        ImageFormat::Webp => most.min(1 << 24),
        ImageFormat::Png => most,
    };
    if rng.one_in(8) {
        most
    } else {
        1 + rng.below(most.min(5000) as usize) as u32
    }
}

// ---------------------------------------------------------------------------
// SSE decoder

/// Events, and the end's verdict (or the error that stopped decoding).
type Decoded = (Vec<SseEvent>, Result<(), SseError>);

const SSE_WORDS: &[&[u8]] = &[
    b"data:",
    b"data: ",
    b"data",
    b"[DONE]",
    b": OPENROUTER PROCESSING",
    b"\n",
    b"\r\n",
    b"\r",
    b"\n\n",
    b":",
    b"{\"a\":1}",
    b"id: 7",
    b"\xEF\xBB\xBF",
    b"\xff",
];

fn sse(rng: &mut Rng, input: &mut Vec<u8>) -> Result<(), String> {
    let (stream, expected) = sse_stream(rng);
    match kind(rng) {
        Kind::Valid => {
            *input = stream;
            let whole = decode(&[input.as_slice()]);
            if whole != expected {
                return Err(format!("decoded {whole:?}, expected {expected:?}"));
            }
            let chunks = split(rng, input);
            let pieces = decode(&chunks);
            if pieces != expected {
                return Err(format!(
                    "in {} chunks decoded {pieces:?}, expected {expected:?}",
                    chunks.len()
                ));
            }
            Ok(())
        }
        Kind::Damaged => {
            *input = stream;
            damage(rng, input, SSE_WORDS);
            same_in_pieces(rng, input)
        }
        Kind::Random => {
            *input = random_input(rng, SSE_WORDS);
            same_in_pieces(rng, input)
        }
    }
}

fn decode(chunks: &[&[u8]]) -> Decoded {
    let mut decoder = SseDecoder::new();
    let mut events = Vec::new();
    for chunk in chunks {
        match decoder.push(chunk) {
            Ok(more) => events.extend(more),
            Err(e) => return (events, Err(e)),
        }
    }
    (events, decoder.finish())
}

/// Any input decodes the same whole as in pieces; `[DONE]` is the last
/// event and the only way to end well.
fn same_in_pieces(rng: &mut Rng, input: &[u8]) -> Result<(), String> {
    let whole = decode(&[input]);
    let chunks = split(rng, input);
    let pieces = decode(&chunks);
    if whole.1 == Err(SseError::NotText) {
        // Events decoded before the bad one are returned with earlier chunks.
        if pieces.1 != whole.1 {
            return Err(format!(
                "whole: {whole:?}; in {} chunks: {pieces:?}",
                chunks.len()
            ));
        }
        return Ok(());
    }
    if pieces != whole {
        return Err(format!(
            "whole: {whole:?}; in {} chunks: {pieces:?}",
            chunks.len()
        ));
    }
    let done = whole.0.iter().position(|e| *e == SseEvent::Done);
    let ended_well = whole.1.is_ok();
    if done.is_some_and(|at| at + 1 != whole.0.len()) || ended_well != done.is_some() {
        return Err(format!(
            "events after [DONE], or an end that disagrees: {whole:?}"
        ));
    }
    Ok(())
}

/// `bytes` in random pieces (sometimes one byte each), with empty ones between.
fn split<'a>(rng: &mut Rng, bytes: &'a [u8]) -> Vec<&'a [u8]> {
    if rng.one_in(8) {
        return bytes.chunks(1).collect();
    }
    let mut chunks = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let most = if rng.one_in(4) { 3 } else { 40 };
        let end = (at + 1 + rng.below(most)).min(bytes.len());
        chunks.push(&bytes[at..end]);
        if rng.one_in(8) {
            chunks.push(&[]);
        }
        at = end;
    }
    chunks
}

/// Writes SSE lines with one line ending, or a mix of all three.
struct SseWriter {
    bytes: Vec<u8>,
    ending: Option<&'static str>,
    after_cr: bool,
}

impl SseWriter {
    fn line(&mut self, rng: &mut Rng, text: &str) {
        self.bytes.extend_from_slice(text.as_bytes());
        let ending = self.ending.unwrap_or_else(|| {
            // A lone CR then an empty line's LF would read as one CRLF.
            if text.is_empty() && self.after_cr {
                *rng.pick(&["\r", "\r\n"])
            } else {
                *rng.pick(&["\n", "\r\n", "\r"])
            }
        });
        self.after_cr = ending == "\r";
        self.bytes.extend_from_slice(ending.as_bytes());
    }
}

/// Text of a data or comment line (no line breaks).
fn sse_text(rng: &mut Rng) -> String {
    const PIECES: [&str; 15] = [
        "a",
        "{",
        "}",
        "\"",
        " ",
        "[DONE",
        "]",
        "x",
        "é",
        "\u{1f98a}",
        "中",
        ":",
        "data",
        "\t",
        "\u{feff}",
    ];
    (0..rng.below(8)).map(|_| *rng.pick(&PIECES)).collect()
}

/// A well-formed stream and what it must decode to: keep-alive comments,
/// events of one or more data lines, fields the app ignores, blank lines, a
/// BOM, every line ending, and an end that is `[DONE]` (maybe with bytes
/// after it) or a cut.
fn sse_stream(rng: &mut Rng) -> (Vec<u8>, Decoded) {
    let mut w = SseWriter {
        bytes: Vec::new(),
        ending: *rng.pick(&[Some("\n"), Some("\r\n"), Some("\r"), None]),
        after_cr: false,
    };
    if rng.one_in(10) {
        w.bytes.extend_from_slice(b"\xEF\xBB\xBF");
    }
    let mut events = Vec::new();
    for _ in 0..rng.below(6) {
        match rng.below(5) {
            0 => {
                let comment = if rng.one_in(2) {
                    "OPENROUTER PROCESSING".to_owned()
                } else {
                    sse_text(rng)
                };
                let space = if rng.one_in(2) { " " } else { "" };
                w.line(rng, &format!(":{space}{comment}"));
                events.push(SseEvent::Comment);
            }
            1 => {
                let field = *rng.pick(&[
                    "id: 7",
                    "event: message",
                    "retry: 100",
                    "nocolon",
                    "Data: x",
                    "data-x: y",
                ]);
                w.line(rng, field);
                w.line(rng, "");
            }
            2 => w.line(rng, ""),
            _ => {
                let lines: Vec<String> = (0..1 + rng.below(3)).map(|_| sse_text(rng)).collect();
                for line in &lines {
                    if line.is_empty() && rng.one_in(3) {
                        w.line(rng, "data");
                    } else {
                        let space = if line.starts_with(' ') || rng.one_in(2) {
                            " "
                        } else {
                            ""
                        };
                        w.line(rng, &format!("data:{space}{line}"));
                    }
                    if rng.one_in(6) {
                        w.line(rng, "id: 1");
                    }
                }
                let data = lines.join("\n");
                events.push(if data == "[DONE]" {
                    SseEvent::Done
                } else {
                    SseEvent::Data(data)
                });
                w.line(rng, "");
            }
        }
    }
    let mut end = Err(SseError::Interrupted);
    if rng.one_in(4) {
        // Cut off: an unfinished event or line is not an event.
        match rng.below(3) {
            0 => w.line(rng, "data: {\"partial\":"),
            1 => w.bytes.extend_from_slice(b"data: {\"cut"),
            _ => w.bytes.extend_from_slice(b": OPENROUTER"),
        }
    } else {
        w.line(rng, "data: [DONE]");
        w.line(rng, "");
        events.push(SseEvent::Done);
        if rng.one_in(3) {
            let len = rng.below(20);
            w.bytes.extend(rng.bytes(len));
        }
    }
    if let Some(done) = events.iter().position(|e| *e == SseEvent::Done) {
        events.truncate(done + 1);
        end = Ok(());
    }
    (w.bytes, (events, end))
}

// ---------------------------------------------------------------------------
// Stream accumulator

/// What a streamed answer gave, in comparable form.
#[derive(Debug, Default, PartialEq)]
struct StreamSummary {
    /// Format, width, height and byte length of each image.
    images: Vec<(ImageFormat, u32, u32, u64)>,
    remote_urls: Vec<String>,
    id: Option<String>,
    model: Option<String>,
    provider: Option<String>,
    cost: Option<f64>,
}

impl StreamSummary {
    fn of(output: GenerationOutput) -> StreamSummary {
        StreamSummary {
            images: output
                .images
                .iter()
                .map(|i| (i.format, i.width, i.height, i.byte_len))
                .collect(),
            remote_urls: output.remote_urls,
            id: output.generation_id,
            model: output.model,
            provider: output.provider,
            cost: output.cost_usd,
        }
    }
}

const STREAM_WORDS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"\"choices\"",
    b"\"delta\"",
    b"\"images\"",
    b"\"image_url\"",
    b"\"url\"",
    b"\"usage\"",
    b"\"cost\"",
    b"\"error\"",
    b"\"finish_reason\"",
    b"\"error\"",
    b"\"data:image/png;base64,iVBORw0KGgo=\"",
    b"\"kleinbild-held:1:8:0:",
    b"\"https://x/a.png\"",
    b"null",
    b"1e999",
    b"-0",
    b"\"\\ud800\"",
];

fn stream(rng: &mut Rng, input: &mut Vec<u8>) -> Result<(), String> {
    let (mut chunks, expected) = stream_chunks(rng);
    match kind(rng) {
        Kind::Valid => {
            *input = chunks.join("\n").into_bytes();
            let got = accumulate(&chunks).map(StreamSummary::of);
            let agrees = match (&got, &expected) {
                (Ok(got), Some(expected)) => got == expected,
                (Err(_), None) => true,
                _ => false,
            };
            if !agrees {
                return Err(format!("got {got:?}, expected {expected:?}"));
            }
        }
        Kind::Damaged => {
            let i = rng.below(chunks.len());
            let mut bytes = std::mem::take(&mut chunks[i]).into_bytes();
            damage(rng, &mut bytes, STREAM_WORDS);
            chunks[i] = String::from_utf8_lossy(&bytes).into_owned();
            *input = chunks.join("\n").into_bytes();
            let _ = accumulate(&chunks);
        }
        Kind::Random => {
            let chunks: Vec<String> = (0..1 + rng.below(3))
                .map(|_| String::from_utf8_lossy(&random_input(rng, STREAM_WORDS)).into_owned())
                .collect();
            *input = chunks.join("\n").into_bytes();
            let _ = accumulate(&chunks);
        }
    }
    Ok(())
}

fn accumulate(chunks: &[String]) -> Result<GenerationOutput, ApiError> {
    let mut accumulator = StreamAccumulator::default();
    for chunk in chunks {
        accumulator.push(chunk)?;
    }
    accumulator.finish()
}

/// The `data:` payloads of a streamed answer as OpenRouter sends them, and
/// what they add up to (`None`: an error, or no image).
fn stream_chunks(rng: &mut Rng) -> (Vec<String>, Option<StreamSummary>) {
    let mut expected = StreamSummary::default();
    let mut failed = false;
    let mut chunks = Vec::new();
    for _ in 0..1 + rng.below(5) {
        let mut chunk = ObjectWriter::default();
        let mut text = |rng: &mut Rng, key: &str, seen: &mut Option<String>| {
            if rng.one_in(2) {
                let value = plain_text(rng, 12);
                chunk = std::mem::take(&mut chunk).text(key, &value);
                *seen = Some(value);
            }
        };
        text(rng, "id", &mut expected.id);
        text(rng, "model", &mut expected.model);
        text(rng, "provider", &mut expected.provider);
        let choice = |delta: &str, finish: Option<&str>| {
            let choice = ObjectWriter::default()
                .whole("index", 0)
                .raw("delta", delta);
            let choice = match finish {
                Some(reason) => choice.text("finish_reason", reason),
                None => choice.null("finish_reason"),
            };
            list_of([choice.finish()])
        };
        chunk = match rng.below(7) {
            0 => {
                let cost = amount(rng);
                expected.cost = Some(cost);
                let usage = ObjectWriter::default().number("cost", cost).finish();
                chunk.raw("choices", "[]").raw("usage", &usage)
            }
            1 => chunk.raw(
                "choices",
                &choice("{\"role\":\"assistant\",\"content\":\"\"}", None),
            ),
            2 => chunk.raw("choices", &choice("{}", Some("stop"))),
            3 if rng.one_in(3) => {
                failed = true;
                if rng.one_in(2) {
                    let error = "{\"code\":502,\"message\":\"Provider returned error\"}";
                    chunk.raw("error", error)
                } else {
                    chunk.raw("choices", &choice("{}", Some("error")))
                }
            }
            _ => {
                let entries = (0..1 + rng.below(3)).map(|_| image_entry(rng, &mut expected));
                let delta = ObjectWriter::default()
                    .raw("images", &list_of(entries))
                    .finish();
                chunk.raw("choices", &choice(&delta, None))
            }
        };
        let padding = *rng.pick(&["", " ", "\n", " \t"]);
        chunks.push(format!("{padding}{}{padding}", chunk.finish()));
        if failed {
            break;
        }
    }
    let has_image = !expected.images.is_empty() || !expected.remote_urls.is_empty();
    (chunks, (has_image && !failed).then_some(expected))
}

/// One `images[]` entry: an image as a `data:` URL (or the client's held
/// placeholder for one), a link, or something that is no image; what it adds
/// goes into `expected`.
fn image_entry(rng: &mut Rng, expected: &mut StreamSummary) -> String {
    let format = *rng.pick(&FORMATS);
    let (width, height) = (side(rng, format, u32::MAX), side(rng, format, u32::MAX));
    let image = image_of(rng, format, width, height);
    let base64 = STANDARD.encode(&image);
    let declared = if rng.one_in(5) {
        ""
    } else {
        rng.pick(&FORMATS).mime()
    };
    let url = match rng.below(5) {
        0 | 1 => {
            expected
                .images
                .push((format, width, height, image.len() as u64));
            // Some encoders break long base64 into lines.
            let base64 = if rng.one_in(4) {
                let lines: Vec<&str> = base64
                    .as_bytes()
                    .chunks(76)
                    .map(|l| std::str::from_utf8(l).unwrap_or_default())
                    .collect();
                lines.join("\r\n")
            } else {
                base64
            };
            format!("data:{declared};base64,{base64}")
        }
        2 => {
            expected
                .images
                .push((format, width, height, image.len() as u64));
            let padding = base64.bytes().rev().take_while(|&b| b == b'=').count();
            let head = if rng.one_in(2) {
                format!("data:{declared};base64,{base64}")
            } else {
                base64.clone()
            };
            held_placeholder(rng.next() as u32, base64.len(), padding, &head)
        }
        3 => {
            let url = format!("https://example.com/{}.png", rng.below(100));
            expected.remote_urls.push(url.clone());
            url
        }
        _ => rng
            .pick(&[
                "data:text/html;base64,PGI+",
                "http://example.com/a.png",
                "data:image/png,raw",
                "",
            ])
            .to_string(),
    };
    let mut json = String::new();
    write_string(&mut json, &url);
    if rng.one_in(3) {
        json
    } else {
        format!("{{\"type\":\"image_url\",\"image_url\":{{\"url\":{json}}}}}")
    }
}

// ---------------------------------------------------------------------------
// Zip reader

const ZIP_WORDS: &[&[u8]] = &[
    b"PK\x03\x04",
    b"PK\x01\x02",
    b"PK\x05\x06",
    b"PK\x06\x06",
    b"\0\0\0\0",
    b"\xff\xff\xff\xff",
    b"../",
    b"/",
    b"history.json",
];

fn zip(rng: &mut Rng, input: &mut Vec<u8>) -> Result<(), String> {
    let files = zip_archive(rng, input)?;
    match kind(rng) {
        Kind::Valid => {
            let got = read_zip(input).map_err(|e| format!("a written zip reads as {e:?}"))?;
            let expected: Vec<(String, Vec<u8>)> = files
                .iter()
                .filter(|f| !(f.name.ends_with('/') && f.data.is_empty()))
                .map(|f| (f.name.clone(), f.data.clone()))
                .collect();
            if got != expected {
                return Err(format!("read back {got:?}, wrote {expected:?}"));
            }
            // Any changed byte of a file's data fails that file's checksum.
            let with_data: Vec<&Written> = files.iter().filter(|f| !f.data.is_empty()).collect();
            if !with_data.is_empty() {
                let Written { name, data, start } = rng.pick(&with_data);
                input[start + rng.below(data.len())] ^= 1 + rng.below(255) as u8;
                let read = block_on(async {
                    let archive = Archive::open(&input[..]).await?;
                    archive.read_named(name).await
                });
                if read != Err(ImportError::Zip(ZipError::Checksum(name.clone()))) {
                    return Err(format!("damaged data of {name} read as {read:?}"));
                }
            }
            Ok(())
        }
        Kind::Damaged => {
            if rng.one_in(2) {
                damage_zip_field(rng, input);
            } else {
                damage(rng, input, ZIP_WORDS);
            }
            read_zip_soundly(input)
        }
        Kind::Random => {
            *input = random_input(rng, ZIP_WORDS);
            if rng.one_in(2) {
                // An end record, so the reader goes on to its fields.
                input.extend_from_slice(b"PK\x05\x06");
                input.extend(rng.bytes(16));
                input.extend_from_slice(&[0, 0]);
            }
            read_zip_soundly(input)
        }
    }
}

/// A file written into a zip, and where its data starts.
struct Written {
    name: String,
    data: Vec<u8>,
    start: usize,
}

/// Writes a stored zip of a few files (folders among them) into `out` with
/// the app's writer.
fn zip_archive(rng: &mut Rng, out: &mut Vec<u8>) -> Result<Vec<Written>, String> {
    const SEGMENTS: [&str; 10] = [
        "images",
        "a",
        "history.json",
        "caf\u{e9}",
        "\u{1f98a}",
        "x.png",
        "a b",
        "\u{4e2d}",
        "-",
        "_",
    ];
    let mut writer = ZipWriter::default();
    let mut files = Vec::new();
    for i in 0..rng.below(6) {
        let segments: Vec<&str> = (0..1 + rng.below(3))
            .map(|_| *rng.pick(&SEGMENTS))
            .collect();
        let mut name = format!("{}{i}", segments.join("/"));
        let data = if rng.one_in(8) {
            name.push('/');
            Vec::new()
        } else if rng.one_in(200) {
            // Larger than the tail the reader looks for the end record in.
            rng.bytes(70_000)
        } else {
            let len = rng.below(100);
            rng.bytes(len)
        };
        let header = writer
            .add(&name, data.len() as u64, crc32(&data))
            .map_err(|e| format!("the writer refused {name:?}: {e}"))?;
        out.extend(header);
        let start = out.len();
        out.extend_from_slice(&data);
        files.push(Written { name, data, start });
    }
    out.extend(writer.finish().map_err(|e| e.to_string())?);
    Ok(files)
}

/// Every file of `zip` through the app's `Archive`, in archive order.
fn read_zip(zip: &[u8]) -> Result<Vec<(String, Vec<u8>)>, ImportError> {
    block_on(async {
        let archive = Archive::open(zip).await?;
        let mut entries: Vec<_> = archive.names().filter_map(|n| archive.find(n)).collect();
        entries.sort_by_key(|e| e.local_offset);
        let mut files = Vec::new();
        for entry in entries {
            files.push((entry.name.clone(), archive.read(entry).await?.1));
        }
        Ok(files)
    })
}

/// Reads whatever `zip` lists: names must be safe and unique, and what reads
/// must be the bytes at the place given, matching their checksum.
fn read_zip_soundly(zip: &[u8]) -> Result<(), String> {
    block_on(async {
        let Ok(archive) = Archive::open(zip).await else {
            return Ok(());
        };
        let mut names = HashSet::new();
        for name in archive.names() {
            if !is_safe_name(name) || !names.insert(name) {
                return Err(format!("listed {name:?} (unsafe or twice)"));
            }
            let Some(entry) = archive.find(name) else {
                return Err(format!("listed {name:?} but cannot find it"));
            };
            if let Ok((start, data)) = archive.read(entry).await {
                let at = usize::try_from(start).unwrap_or(usize::MAX);
                if zip.get(at..at.saturating_add(data.len())) != Some(&data[..])
                    || crc32(&data) != entry.crc
                {
                    return Err(format!("{name} read as other bytes than stored"));
                }
            }
        }
        Ok(())
    })
}

/// Rewrites one header field of a zip to an edge value or off by one: the
/// lengths, offsets and counts a reader must not trust.
fn damage_zip_field(rng: &mut Rng, zip: &mut Vec<u8>) {
    type Fields = (&'static [u8; 4], &'static [(usize, usize)]);
    const HEADERS: [Fields; 3] = [
        (
            b"PK\x01\x02",
            &[
                (8, 2),
                (10, 2),
                (16, 4),
                (20, 4),
                (24, 4),
                (28, 2),
                (30, 2),
                (32, 2),
                (42, 4),
            ],
        ),
        (
            b"PK\x03\x04",
            &[(6, 2), (8, 2), (18, 4), (22, 4), (26, 2), (28, 2)],
        ),
        (
            b"PK\x05\x06",
            &[(4, 2), (6, 2), (8, 2), (10, 2), (12, 4), (16, 4), (20, 2)],
        ),
    ];
    let (signature, fields) = rng.pick(&HEADERS);
    let starts: Vec<usize> = zip
        .windows(4)
        .enumerate()
        .filter(|(_, w)| w == signature)
        .map(|(i, _)| i)
        .collect();
    if starts.is_empty() {
        return damage(rng, zip, ZIP_WORDS);
    }
    let start = *rng.pick(&starts);
    let &(offset, width) = rng.pick(fields);
    let Some(field) = zip.get_mut(start + offset..start + offset + width) else {
        return;
    };
    let mut old = [0; 4];
    old[..width].copy_from_slice(field);
    let old = u32::from_le_bytes(old);
    let new = match rng.below(3) {
        0 => *rng.pick(&EDGE_NUMBERS),
        1 => old.wrapping_add(1),
        _ => old.wrapping_sub(1),
    };
    field.copy_from_slice(&new.to_le_bytes()[..width]);
}

// ---------------------------------------------------------------------------
// History manifest, records and index

const MANIFEST_WORDS: &[&[u8]] = &[
    b"{\"format\":\"kleinbild-history\",\"version\":1,\"exported_ms\":1,\"entries\":[",
    b"]}",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"\"id\":\"img-1\"",
    b"\"file\":\"images/img-1.png\"",
    b"\"width\":",
    b"\"references\":[",
    b"\"version\":0",
    b"\"entries\":",
    b"\"mime\":\"image/png\"",
    b"1e309",
    b"-1",
    b"18446744073709551616",
    b"null",
    b"\"\\u0000\"",
    b"\"\\ud83e\\udd8a\"",
    b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
];

fn manifest(rng: &mut Rng, input: &mut Vec<u8>) -> Result<(), String> {
    match (rng.below(4), kind(rng)) {
        (0, Kind::Valid) => manifest_round_trip(rng, input),
        (1, Kind::Valid) => export_round_trip(rng, input),
        (2, Kind::Valid) => {
            let entry = history_entry(rng, "img-1".into());
            *input = entry.to_json().into_bytes();
            let back = HistoryEntry::from_json(&entry.to_json());
            if back.as_ref() != Ok(&entry) {
                return Err(format!("read back {back:?}"));
            }
            Ok(())
        }
        (_, Kind::Valid) => index_round_trip(rng, input),
        (1, Kind::Damaged) => {
            let entries = history_entries(rng);
            let (items, references) = with_images(rng, entries);
            *input = export_zip(rng, items, references)?;
            if rng.one_in(2) {
                damage_zip_field(rng, input);
            } else {
                damage(rng, input, ZIP_WORDS);
            }
            import_soundly(input)
        }
        (which, Kind::Damaged) => {
            let entries = history_entries(rng);
            let json = match which {
                0 => build_manifest(&entries, &presets(rng), 1.0),
                2 => entries
                    .first()
                    .map(HistoryEntry::to_json)
                    .unwrap_or_default(),
                _ => HistoryIndex { entries }.to_json(),
            };
            *input = json.into_bytes();
            damage(rng, input, MANIFEST_WORDS);
            read_json_soundly(rng, input)
        }
        (_, Kind::Random) => {
            *input = if rng.one_in(50) {
                "[".repeat(rng.below(300)).into_bytes()
            } else {
                random_input(rng, MANIFEST_WORDS)
            };
            read_json_soundly(rng, input)
        }
    }
}

/// A valid record with id `id`: every field within its rules, text with
/// markup and odd characters, edge numbers.
fn history_entry(rng: &mut Rng, id: String) -> HistoryEntry {
    let format = *rng.pick(&FORMATS);
    let short_text = |rng: &mut Rng| plain_text(rng, 20);
    HistoryEntry {
        id,
        created_ms: match rng.below(4) {
            0 => 0.0,
            1 => 8.64e15,
            2 => rng.below(2_000_000_000_000) as f64,
            _ => rng.below(2_000_000_000_000) as f64 + rng.below(1000) as f64 / 1000.0,
        },
        prompt: prompt(rng),
        model: if rng.one_in(2) {
            model_id(rng)
        } else {
            short_text(rng)
        },
        seed: edge_or_random_u32(rng),
        aspect_ratio: if rng.one_in(4) {
            format!("{}:{}", rng.below(100_000), rng.below(100_000))
        } else {
            aspect_ratio(rng)
        },
        width: side(rng, format, MAX_SIDE),
        height: side(rng, format, MAX_SIDE),
        cost_usd: rng.one_in(2).then(|| amount(rng).abs()),
        mime: format.mime().into(),
        bytes: rng.next() >> rng.below(64),
        generation_id: rng.one_in(2).then(|| short_text(rng)),
        favorite: rng.one_in(2),
        references: (0..rng.below(MAX_REFERENCES + 1))
            .map(|_| {
                let format = *rng.pick(&FORMATS);
                ReferenceRecord {
                    id: content_id(&rng.bytes(8)),
                    mime: format.mime().into(),
                    name: short_text(rng),
                    from: rng.one_in(2).then(|| format!("img-{}", rng.below(1000))),
                }
            })
            .collect(),
    }
}

/// A few valid records with distinct ids.
fn history_entries(rng: &mut Rng) -> Vec<HistoryEntry> {
    (0..rng.below(5))
        .map(|i| {
            let id = if rng.one_in(4) {
                format!("{}_{i}", "x-".repeat(rng.below(30)))
            } else {
                format!("img-{}-{i:08x}", rng.below(2_000_000_000_000))
            };
            history_entry(rng, id)
        })
        .collect()
}

/// Valid presets with distinct names.
fn presets(rng: &mut Rng) -> Vec<Preset> {
    let mut names = HashSet::new();
    (0..rng.below(4))
        .filter_map(|_| {
            let name = preset_name(&plain_text(rng, 70))?;
            names.insert(name.clone()).then(|| Preset {
                name,
                model: model_id(rng),
                aspect_ratio: aspect_ratio(rng),
                resolution: resolution(rng),
                output_format: *rng.pick(&[OutputFormat::Png, OutputFormat::Jpeg]),
                keep_seed: rng.one_in(2),
                batch_size: 1 + rng.below(MAX_BATCH as usize) as u32,
            })
        })
        .collect()
}

/// A manifest written by the export reads back as its entries, with each
/// entry's size taken from its file, entries whose file is missing counted
/// as skipped, and references whose file is missing left out.
fn manifest_round_trip(rng: &mut Rng, input: &mut Vec<u8>) -> Result<(), String> {
    let entries = history_entries(rng);
    let presets = presets(rng);
    let json = build_manifest(&entries, &presets, amount(rng));
    *input = json.clone().into_bytes();
    let mut sizes = HashMap::new();
    let mut expected = Vec::new();
    let mut skipped = 0;
    for entry in &entries {
        for reference in &entry.references {
            if rng.one_in(4) {
                continue;
            }
            if let Some(path) = reference_path(reference) {
                sizes.insert(path, 1);
            }
        }
    }
    for (i, entry) in entries.into_iter().enumerate() {
        let file = image_path(&entry).unwrap_or_default();
        if rng.one_in(6) {
            skipped += 1;
            continue;
        }
        let size = rng.next() >> rng.below(64);
        sizes.insert(file.clone(), size);
        let mut entry = HistoryEntry {
            bytes: size,
            ..entry
        };
        entry
            .references
            .retain(|r| reference_path(r).is_some_and(|p| sizes.contains_key(&p)));
        expected.push(PlannedEntry {
            index: i + 1,
            entry,
            file,
        });
    }
    let plan = plan_manifest(&json, |name| sizes.get(name).copied())
        .map_err(|e| format!("a written manifest was refused: {e}"))?;
    if plan.entries != expected || plan.skipped_invalid != skipped || plan.presets != presets {
        return Err(format!(
            "planned {:?} (skipped {}), expected {expected:?} (skipped {skipped})",
            plan.entries, plan.skipped_invalid
        ));
    }
    Ok(())
}

/// Image bytes that are what each record says, and reference images.
#[allow(clippy::type_complexity)]
fn with_images(
    rng: &mut Rng,
    entries: Vec<HistoryEntry>,
) -> (Vec<(HistoryEntry, Vec<u8>)>, HashMap<String, Vec<u8>>) {
    let mut references = HashMap::new();
    let items = entries
        .into_iter()
        .map(|mut entry| {
            let format = entry.format().unwrap_or(ImageFormat::Png);
            let image = image_of(rng, format, entry.width, entry.height);
            for reference in &mut entry.references {
                let format = reference.format().unwrap_or(ImageFormat::Gif);
                let width = 1 + rng.below(64) as u32;
                let bytes = image_of(rng, format, width, 7);
                reference.id = content_id(&bytes);
                references.insert(reference.id.clone(), bytes);
            }
            entry.bytes = image.len() as u64;
            (entry, image)
        })
        .collect();
    (items, references)
}

/// Stored images and reference images, as IndexedDB holds them.
struct Stored {
    images: HashMap<String, Vec<u8>>,
    references: HashMap<String, Vec<u8>>,
}

impl ExportSource for Stored {
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

/// The export zip of `items` as the app lays it out.
fn export_zip(
    rng: &mut Rng,
    items: Vec<(HistoryEntry, Vec<u8>)>,
    references: HashMap<String, Vec<u8>>,
) -> Result<Vec<u8>, String> {
    let entries = items.iter().map(|(e, _)| e.clone()).collect();
    let source = Stored {
        images: items.into_iter().map(|(e, bytes)| (e.id, bytes)).collect(),
        references,
    };
    let presets = presets(rng);
    let plan = match block_on(plan_export(entries, &presets, &source, 1.0, &|_, _| {})) {
        Ok(plan) => plan,
        Err(ExportError::Nothing) => return Ok(Vec::new()),
        Err(e) => return Err(format!("the export failed: {e}")),
    };
    Ok(plan
        .parts
        .into_iter()
        .flat_map(|part| match part {
            ZipPart::Bytes(bytes) | ZipPart::File(bytes) => bytes,
        })
        .collect())
}

/// Exported records with their images import as they were, byte for byte.
fn export_round_trip(rng: &mut Rng, input: &mut Vec<u8>) -> Result<(), String> {
    let entries = history_entries(rng);
    let (items, references) = with_images(rng, entries);
    *input = export_zip(rng, items.clone(), references.clone())?;
    if items.is_empty() {
        return Ok(());
    }
    let checked = block_on(async {
        let archive = Archive::open(&input[..]).await?;
        check_import(&archive, &|_, _| {}).await
    })
    .map_err(|e| format!("an export was refused: {e}"))?;
    let imported: Vec<&HistoryEntry> = checked.entries.iter().map(|p| &p.entry).collect();
    let exported: Vec<&HistoryEntry> = items.iter().map(|(e, _)| e).collect();
    if imported != exported {
        return Err(format!("imported {imported:?}, exported {exported:?}"));
    }
    let bytes_at = |path: &str| {
        let (start, size) = checked.span(path)?;
        input.get(start as usize..(start + size) as usize)
    };
    for (entry, image) in &items {
        let path = image_path(entry).unwrap_or_default();
        if bytes_at(&path) != Some(&image[..]) {
            return Err(format!("{path} imported as other bytes"));
        }
    }
    for reference in &checked.references {
        let path = reference_path(reference).unwrap_or_default();
        if bytes_at(&path) != references.get(&reference.id).map(Vec::as_slice) {
            return Err(format!("{path} imported as other bytes"));
        }
    }
    Ok(())
}

/// A damaged export either is refused or imports only records that pass
/// every check, with image bytes that are what they claim to be.
fn import_soundly(zip: &[u8]) -> Result<(), String> {
    let Ok(checked) = block_on(async {
        let archive = Archive::open(zip).await?;
        check_import(&archive, &|_, _| {}).await
    }) else {
        return Ok(());
    };
    for planned in &checked.entries {
        let Some((start, size)) = checked.span(&planned.file) else {
            return Err(format!("no span for {}", planned.file));
        };
        let data = zip.get(start as usize..(start + size) as usize);
        if let Some(problem) = data.map_or(Some("outside the zip".into()), |data| {
            check_image(&planned.entry, data).err()
        }) {
            return Err(format!("imported {:?}: {problem}", planned.entry));
        }
    }
    Ok(())
}

/// Records and the index round trip through their JSON, in both index
/// versions (the old bare list is migrated).
fn index_round_trip(rng: &mut Rng, input: &mut Vec<u8>) -> Result<(), String> {
    let mut entries = history_entries(rng);
    let old_version = rng.one_in(3);
    let json = if old_version {
        list_of(entries.iter().map(HistoryEntry::to_json))
    } else {
        HistoryIndex {
            entries: entries.clone(),
        }
        .to_json()
    };
    *input = json.clone().into_bytes();
    sort_newest_first(&mut entries, |e| e);
    let expected = LoadedIndex {
        index: HistoryIndex { entries },
        skipped: 0,
        migrated_from: old_version.then_some(0),
    };
    let loaded = HistoryIndex::from_json(&json);
    if loaded.as_ref() != Ok(&expected) {
        return Err(format!("loaded {loaded:?}, expected {expected:?}"));
    }
    Ok(())
}

/// Whatever JSON the three readers accept obeys the record rules, and
/// writing it again reads back the same.
fn read_json_soundly(rng: &mut Rng, input: &[u8]) -> Result<(), String> {
    let json = String::from_utf8_lossy(input);
    let mut sizes = HashMap::new();
    for _ in 0..rng.below(3) {
        sizes.insert(format!("images/img-{}.png", rng.below(3)), 33);
    }
    if let Ok(plan) = plan_manifest(&json, |name| sizes.get(name).copied()) {
        let mut ids = HashSet::new();
        for planned in &plan.entries {
            let entry = &planned.entry;
            if entry.check().is_err()
                || image_path(entry).as_ref() != Some(&planned.file)
                || !ids.insert(&entry.id)
            {
                return Err(format!("planned {planned:?}"));
            }
        }
    }
    if let Ok(entry) = HistoryEntry::from_json(&json) {
        let again = HistoryEntry::from_json(&entry.to_json());
        if again.as_ref() != Ok(&entry) {
            return Err(format!("{entry:?} written again reads as {again:?}"));
        }
    }
    if let Ok(loaded) = HistoryIndex::from_json(&json) {
        let entries = &loaded.index.entries;
        let mut sorted = entries.clone();
        sort_newest_first(&mut sorted, |e| e);
        let ids: HashSet<&str> = entries.iter().map(|e| e.id.as_str()).collect();
        if entries.iter().any(|e| e.check().is_err())
            || ids.len() != entries.len()
            || sorted != *entries
        {
            return Err(format!("loaded an index of bad records: {entries:?}"));
        }
        let again = HistoryIndex::from_json(&loaded.index.to_json()).map(|l| l.index);
        if again.as_ref() != Ok(&loaded.index) {
            return Err(format!("the index written again reads as {again:?}"));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Settings in PNG and JPEG files

const PNG_WORDS: &[&[u8]] = &[
    b"\x89PNG\r\n\x1a\n",
    b"IHDR",
    b"iTXt",
    b"tEXt",
    b"IEND",
    b"kleinbild\0",
    b"kleinbild\0\0\0\0\0",
    b"kleinbild\0\x01\0",
    b"\xff\xd8",
    b"\xff\xfe",
    b"\xff\xda",
    b"{\"kleinbild\":1",
];

fn png_text(rng: &mut Rng, input: &mut Vec<u8>) -> Result<(), String> {
    let image = untagged_image(rng);
    let entry = settings_entry(rng);
    match kind(rng) {
        Kind::Valid => {
            *input = image;
            let untagged = read_settings(input);
            if untagged != Err(MetaError::NoSettings) {
                return Err(format!("an untagged image read as {untagged:?}"));
            }
            let Some(tagged) = with_settings(input, &entry) else {
                return Err("a valid image took no settings".into());
            };
            *input = tagged;
            let got = read_settings(input);
            if got != Ok(settings_of(&entry)) {
                return Err(format!("read {got:?} from {entry:?}"));
            }
            // Tagged again, the newer settings come first and win.
            tag_then_read(input, &settings_entry(rng))
        }
        Kind::Damaged => {
            *input = with_settings(&image, &entry).unwrap_or(image);
            damage(rng, input, PNG_WORDS);
            let _ = read_settings(input);
            tag_then_read(input, &entry)
        }
        Kind::Random => {
            *input = random_image(rng);
            let _ = read_settings(input);
            tag_then_read(input, &entry)
        }
    }
}

/// Whatever file takes settings gives exactly those back.
fn tag_then_read(bytes: &[u8], entry: &HistoryEntry) -> Result<(), String> {
    let Some(tagged) = with_settings(bytes, entry) else {
        return Ok(());
    };
    let got = read_settings(&tagged);
    if got != Ok(settings_of(entry)) {
        return Err(format!("tagged with {entry:?}, read {got:?}"));
    }
    Ok(())
}

/// A record whose settings an image can carry.
fn settings_entry(rng: &mut Rng) -> HistoryEntry {
    let (width, height) = (1 + rng.below(3000) as u32, 1 + rng.below(3000) as u32);
    HistoryEntry {
        model: model_id(rng),
        aspect_ratio: aspect_ratio(rng),
        generation_id: rng.one_in(2).then(|| plain_text(rng, 20)),
        width,
        height,
        ..history_entry(rng, "img-1".into())
    }
}

fn settings_of(entry: &HistoryEntry) -> ImageSettings {
    ImageSettings {
        prompt: entry.prompt.clone(),
        model: entry.model.clone(),
        seed: entry.seed,
        aspect_ratio: entry.aspect_ratio.clone(),
        resolution: Resolution::of_pixels(entry.width, entry.height),
    }
}

fn png_chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&image_meta::crc32(&[kind, data]).to_be_bytes());
    out
}

/// A PNG or JPEG as cameras and editors write them, without Kleinbild's settings.
fn untagged_image(rng: &mut Rng) -> Vec<u8> {
    let len = rng.below(30);
    let pixels = rng.bytes(len);
    if rng.one_in(2) {
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut header = (1 + rng.below(5000) as u32).to_be_bytes().to_vec();
        header.extend_from_slice(&(1 + rng.below(5000) as u32).to_be_bytes());
        header.extend_from_slice(&[8, 6, 0, 0, 0]);
        out.extend(png_chunk(b"IHDR", &header));
        for _ in 0..rng.below(3) {
            const CHUNKS: [(&[u8; 4], &[u8]); 4] = [
                (b"tEXt", b"Comment\0made elsewhere"),
                (b"iTXt", b"Description\0\0\0\0\0a fox"),
                (b"zTXt", b"Comment\0\0x\x9c"),
                (b"pHYs", b"\0\0\x0b\x13\0\0\x0b\x13\x01"),
            ];
            let (kind, data) = *rng.pick(&CHUNKS);
            out.extend(png_chunk(kind, data));
        }
        out.extend(png_chunk(b"IDAT", &pixels));
        out.extend(png_chunk(b"IEND", b""));
        out
    } else {
        let mut out = b"\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0".to_vec();
        if rng.one_in(2) {
            out.extend_from_slice(b"\xff\xfe\0\x13Created with GIMP");
        }
        out.extend_from_slice(b"\xff\xc0\0\x0b\x08\x01\x00\x01\x00\x01\x01\x11\0");
        out.extend_from_slice(b"\xff\xda\0\x08\x01\x01\0\0\x3f\0");
        out.extend(pixels);
        out.extend_from_slice(b"\xff\xd9");
        out
    }
}

/// Random bytes behind a PNG signature (chunks with random kinds, lengths
/// and checksums) or a JPEG start (segments with random markers and lengths).
fn random_image(rng: &mut Rng) -> Vec<u8> {
    match rng.below(3) {
        0 => {
            let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
            for _ in 0..rng.below(5) {
                let kind = *rng.pick(&[
                    &b"IHDR"[..],
                    b"iTXt",
                    b"tEXt",
                    b"IEND",
                    b"IDAT",
                    b"\0\0\0\0",
                ]);
                let mut data = if rng.one_in(2) {
                    b"kleinbild\0".to_vec()
                } else {
                    Vec::new()
                };
                let len = rng.below(40);
                data.extend(rng.bytes(len));
                let mut chunk = png_chunk(kind, &data);
                if rng.one_in(4) {
                    chunk[..4].copy_from_slice(&rng.pick(&EDGE_NUMBERS).to_be_bytes());
                }
                if rng.one_in(4) {
                    chunk.truncate(rng.below(chunk.len()));
                }
                out.extend(chunk);
            }
            out
        }
        1 => {
            let mut out = vec![0xFF, 0xD8];
            for _ in 0..rng.below(6) {
                let any = rng.next() as u8;
                let marker = *rng.pick(&[0xE0, 0xFE, 0xC0, 0xDA, 0xD8, 0x01, 0xFF, any]);
                out.extend_from_slice(&[0xFF, marker]);
                let len = rng.below(40);
                let length = if rng.one_in(4) {
                    *rng.pick(&EDGE_NUMBERS) as u16
                } else {
                    len as u16 + 2
                };
                out.extend_from_slice(&length.to_be_bytes());
                if marker == 0xFE && rng.one_in(2) {
                    out.extend_from_slice(b"{\"kleinbild\":1,");
                }
                out.extend(rng.bytes(len));
            }
            out
        }
        _ => random_input(rng, PNG_WORDS),
    }
}

// ---------------------------------------------------------------------------
// Share links

const SHARE_WORDS: &[&[u8]] = &[
    b"#",
    b"kb=1",
    b"&",
    b"=",
    b"%",
    b"%2",
    b"%FF",
    b"%C3%A9",
    b"%00",
    b"+",
    b"prompt",
    b"model",
    b"seed",
    b"ratio",
    b"mp",
    b"images",
    b"refs",
    b"16%3A9",
    b"4294967296",
    b"-1",
];

fn share(rng: &mut Rng, input: &mut Vec<u8>) -> Result<(), String> {
    let settings = shared_settings(rng);
    match kind(rng) {
        Kind::Valid => {
            let fragment = reworded(rng, &settings.to_fragment());
            *input = fragment.clone().into_bytes();
            let got = SharedSettings::from_fragment(&fragment);
            if got.as_ref() != Ok(&settings) {
                return Err(format!("read {got:?}, shared {settings:?}"));
            }
            Ok(())
        }
        Kind::Damaged => {
            *input = settings.to_fragment().into_bytes();
            damage(rng, input, SHARE_WORDS);
            reshares_the_same(input)
        }
        Kind::Random => {
            *input = random_input(rng, SHARE_WORDS);
            if rng.one_in(2) {
                input.splice(0..0, b"#kb=1&".iter().copied());
            }
            reshares_the_same(input)
        }
    }
}

/// Settings a share link may carry; the prompt may hold any character.
fn shared_settings(rng: &mut Rng) -> SharedSettings {
    let prompt = if rng.one_in(3) {
        (0..rng.below(40))
            .map(|_| char::from_u32(rng.below(0x11_0000) as u32).unwrap_or('\u{fffd}'))
            .collect()
    } else {
        prompt(rng)
    };
    SharedSettings {
        prompt,
        model: model_id(rng),
        seed: rng.one_in(2).then(|| edge_or_random_u32(rng)),
        aspect_ratio: aspect_ratio(rng),
        resolution: resolution(rng),
        batch_size: 1 + rng.below(MAX_BATCH as usize) as u32,
        references_left_out: if rng.one_in(8) {
            edge_or_random_u32(rng) as usize
        } else {
            rng.below(MAX_REFERENCES + 1)
        },
    }
}

/// The same link written as other writers might: without `#`, fields in
/// another order, lower-case escapes, `+` for spaces, unknown fields and
/// repeats after the first (which wins).
fn reworded(rng: &mut Rng, fragment: &str) -> String {
    let body = fragment.strip_prefix("#kb=1&").unwrap_or(fragment);
    let mut pairs: Vec<String> = body.split('&').map(str::to_owned).collect();
    if rng.one_in(2) {
        rng.shuffle(&mut pairs);
    }
    // Not the prompt: twice the longest prompt is longer than any link.
    let short_pairs: Vec<&String> = pairs.iter().filter(|p| !p.starts_with("prompt=")).collect();
    if rng.one_in(3) {
        let repeat = rng.pick(&short_pairs).replace('=', "=%C3%A9");
        pairs.push(repeat);
    }
    if rng.one_in(3) {
        pairs.push(
            rng.pick(&["lang=de", "theme=dark", "x", "=", "new=%F0%9F%A6%8A"])
                .to_string(),
        );
    }
    let mut out = format!("#kb=1&{}", pairs.join("&"));
    if rng.one_in(3) {
        out = out.replace("%20", "+");
    }
    if rng.one_in(3) {
        out = lower_case_escapes(&out);
    }
    if rng.one_in(3) {
        out.remove(0);
    }
    out
}

/// `%C3%A9` as `%c3%a9`.
fn lower_case_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut hex_digits_left = 0;
    for c in text.chars() {
        if hex_digits_left > 0 {
            out.push(c.to_ascii_lowercase());
            hex_digits_left -= 1;
        } else {
            hex_digits_left = if c == '%' { 2 } else { 0 };
            out.push(c);
        }
    }
    out
}

/// Whatever a link gives, shared again, gives the same.
fn reshares_the_same(input: &[u8]) -> Result<(), String> {
    let fragment = String::from_utf8_lossy(input);
    if let Ok(settings) = SharedSettings::from_fragment(&fragment) {
        let again = SharedSettings::from_fragment(&settings.to_fragment());
        if again.as_ref() != Ok(&settings) {
            return Err(format!("read {settings:?}, shared again {again:?}"));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    /// Cases per target in the CI subset (the first cases of the default run).
    const CI_CASES: u64 = 8_000;

    fn subset_passes(name: &str) {
        let target = TARGETS.iter().find(|t| t.name == name).expect("a target");
        let tally = run_target(target, DEFAULT_SEED, 0..CI_CASES);
        let failures: Vec<String> = tally
            .failures
            .iter()
            .map(|f| f.report(name, DEFAULT_SEED, SHOWN_CHARS))
            .collect();
        assert!(
            tally.panics == 0 && tally.property_failures == 0,
            "{}\n{}",
            tally.line(),
            failures.join("\n")
        );
    }

    #[test]
    fn sse_subset() {
        subset_passes("sse");
    }

    #[test]
    fn stream_subset() {
        subset_passes("stream");
    }

    #[test]
    fn zip_subset() {
        subset_passes("zip");
    }

    #[test]
    fn manifest_subset() {
        subset_passes("manifest");
    }

    #[test]
    fn png_text_subset() {
        subset_passes("png_text");
    }

    #[test]
    fn share_subset() {
        subset_passes("share");
    }
}
