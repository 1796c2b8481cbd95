//! Large images kept in the browser. An answer's `data:` URL (or the Images
//! API's raw base64) can be 4 MB: it is cut out of the answer's text where it
//! stands (found by walking the text's strings, never by parsing 4 MB), kept
//! here as a JS string under a handle, and replaced by a small placeholder with
//! its head, so wasm reads a tiny answer and the image goes to the `<img>`
//! without ever being copied.

use std::cell::RefCell;

use js_sys::JsString;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use crate::api::data_url::held_placeholder;

/// Strings at least this long are kept in the browser.
const HOLD_FROM: u32 = 64 * 1024;
/// How much of the head goes into the placeholder: enough base64 for any
/// image header the app reads (a JPEG's frame header may follow metadata).
const HEAD_CHARS: u32 = 96 * 1024;

struct Kept {
    text: JsString,
    /// Raw base64 (no `data:` header).
    raw: bool,
}

thread_local! {
    static KEPT: RefCell<Vec<Option<Kept>>> = const { RefCell::new(Vec::new()) };
}

fn keep(text: JsString, raw: bool) -> u32 {
    KEPT.with_borrow_mut(|kept| {
        kept.push(Some(Kept { text, raw }));
        (kept.len() - 1) as u32
    })
}

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse` on a JS string (js-sys's takes a Rust `&str`: a copy).
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn parse_js(text: &JsString) -> Result<JsValue, JsValue>;
}

/// An answer's text as Rust text, with every large image string replaced by
/// its placeholder when the answer is large. It walks the text's strings
/// quote to quote (each step a fast search in the browser) and puts a
/// placeholder in place of each image string: a `data:` string, or the value
/// of a `"b64_json"` key. Text whose quotes do not pair up (not JSON) comes
/// through as it is, for the parsers to report.
pub fn small_answer(text: &JsString) -> String {
    if text.length() < HOLD_FROM {
        return text.into();
    }
    cut_images_out(text).unwrap_or_else(|| text.into())
}

fn cut_images_out(text: &JsString) -> Option<String> {
    let quote = |from: u32| u32::try_from(text.index_of("\"", from as i32)).ok();
    let mut small = String::new();
    let (mut copied, mut from) = (0, 0);
    // Where the last string ended, if it was the key `"b64_json"`.
    let mut b64_key_end = None;
    while let Some(open) = quote(from) {
        let start = open + 1;
        let mut end = quote(start)?;
        while escaped(text, end) {
            end = quote(end + 1)?;
        }
        from = end + 1;
        let raw = b64_key_end
            .take()
            .is_some_and(|key_end| text.slice(key_end + 1, open).trim() == ":");
        if end - start < HOLD_FROM {
            if text.slice(start, end) == "b64_json" {
                b64_key_end = Some(end);
            }
            continue;
        }
        let Some(placeholder) =
            unescaped(text.slice(start, end)).and_then(|value| placeholder_for(&value, raw))
        else {
            continue;
        };
        small.push_str(&String::from(text.slice(copied, start)));
        small.push_str(&placeholder);
        copied = end;
    }
    small.push_str(&String::from(text.slice(copied, text.length())));
    Some(small)
}

/// A JSON string's content as it reads: only one with escapes (`\/`, say,
/// which some encoders write) goes through the browser's JSON parser.
fn unescaped(value: JsString) -> Option<JsString> {
    if value.index_of("\\", 0) < 0 {
        return Some(value);
    }
    let quoted = JsString::from("\"").concat(&value).concat(&"\"".into());
    parse_js(&quoted).ok()?.dyn_into().ok()
}

/// Whether the quote at `at` is escaped: after an odd run of backslashes.
fn escaped(text: &JsString, at: u32) -> bool {
    let backslash = f64::from(b'\\');
    let run = (0..at)
        .rev()
        .take_while(|&i| text.char_code_at(i) == backslash)
        .count();
    run % 2 == 1
}

/// [`small_answer`] for text already in wasm (an SSE `data:` line): only a
/// large one makes the round trip through the browser.
pub(super) fn small_answer_of(text: String) -> String {
    if text.len() < HOLD_FROM as usize {
        text
    } else {
        small_answer(&text.as_str().into())
    }
}

/// The placeholder of a large image string (kept here), or `None`.
fn placeholder_for(text: &JsString, raw: bool) -> Option<String> {
    if text.length() < HOLD_FROM || !(raw || text.starts_with("data:", 0)) {
        return None;
    }
    let comma = (!raw).then(|| text.index_of(",", 0));
    let base64_len = match comma {
        Some(at) if at >= 0 => text.length() - at as u32 - 1,
        Some(_) => return None,
        None => text.length(),
    };
    let padding = (text.length().saturating_sub(2)..text.length())
        .filter(|&i| text.char_code_at(i) == f64::from(b'='))
        .count();
    let head: String = text.slice(0, HEAD_CHARS.min(text.length())).into();
    let handle = keep(text.clone(), raw);
    Some(held_placeholder(
        handle,
        base64_len as usize,
        padding,
        &head,
    ))
}

/// The image as a `data:` URL of type `mime`, for an `<img>` or a link: the
/// kept text itself when it already is one of that type, else a new string
/// made in the browser (no copy through wasm).
pub fn data_url(handle: u32, mime: &str) -> Option<JsString> {
    let header = format!("data:{mime};base64,");
    let as_kept = KEPT.with_borrow(|kept| {
        let kept = kept.get(handle as usize)?.as_ref()?;
        (!kept.raw && kept.text.starts_with(&header, 0)).then(|| kept.text.clone())
    });
    as_kept.or_else(|| {
        let base64: JsValue = base64(handle)?.into();
        Some(JsString::from(header).concat(&base64))
    })
}

/// The image's base64 alone, as the browser holds it.
pub fn base64(handle: u32) -> Option<JsString> {
    KEPT.with_borrow(|kept| {
        let kept = kept.get(handle as usize)?.as_ref()?;
        if kept.raw {
            return Some(kept.text.clone());
        }
        let comma = u32::try_from(kept.text.index_of(",", 0)).ok()?;
        Some(kept.text.slice(comma + 1, kept.text.length()))
    })
}

/// Lets go of a kept image (once it is saved, or will not be).
pub fn release(handle: u32) {
    KEPT.with_borrow_mut(|kept| {
        if let Some(slot) = kept.get_mut(handle as usize) {
            *slot = None;
        }
    });
}
