//! Bytes in and out of browser Blobs (what IndexedDB, downloads and object URLs hold).

use base64::Engine as _;
use js_sys::{JsString, Uint8Array};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;
use web_sys::Blob;

#[wasm_bindgen]
extern "C" {
    /// `Uint8Array.fromBase64` (2025 browsers; throws where it is missing).
    #[wasm_bindgen(js_namespace = Uint8Array, js_name = fromBase64, catch)]
    fn decode_in_browser(base64: &JsString) -> Result<Uint8Array, JsValue>;
}

/// The bytes of a Blob, copied into wasm memory.
pub async fn blob_bytes(blob: &Blob) -> Result<Vec<u8>, wasm_bindgen::JsValue> {
    let buffer = wasm_bindgen_futures::JsFuture::from(blob.array_buffer()).await?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// A Blob of `mime` holding a copy of `bytes`.
pub fn blob_from_bytes(bytes: &[u8], mime: &str) -> Option<Blob> {
    blob_of(&Uint8Array::from(bytes), mime)
}

fn blob_of(bytes: &Uint8Array, mime: &str) -> Option<Blob> {
    let parts = js_sys::Array::of1(bytes);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()
}

/// A Blob of `mime` from base64 the browser holds: decoded by the browser
/// where it can (a 4 MB image copied into wasm and decoded there blocked the
/// page for ~100 ms), else in wasm. `None` if the base64 is damaged.
pub fn blob_from_base64(base64: &JsString, mime: &str) -> Option<Blob> {
    match decode_in_browser(base64) {
        Ok(bytes) => blob_of(&bytes, mime),
        Err(_) => {
            let text = String::from(base64);
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text.as_bytes())
                .ok()?;
            blob_from_bytes(&bytes, mime)
        }
    }
}

/// The image file of `data` as a Blob of type `mime`: bytes copied as they
/// are, a base64 `data:` URL decoded. `None` if the base64 is damaged, or for
/// an image still held by the browser (the caller resolves those first).
pub fn blob_from_image(data: &crate::generation::ImageData, mime: &str) -> Option<Blob> {
    match data {
        crate::generation::ImageData::Bytes(bytes) => blob_from_bytes(bytes, mime),
        crate::generation::ImageData::DataUrl(url) => {
            let (_, base64) = url.split_once(',')?;
            blob_from_base64(&base64.into(), mime)
        }
        crate::generation::ImageData::Held(_) => None,
    }
}
