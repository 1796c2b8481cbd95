//! Bytes in and out of browser Blobs (what IndexedDB, downloads and object URLs hold).

use web_sys::Blob;

/// The bytes of a Blob, copied into wasm memory.
pub async fn blob_bytes(blob: &Blob) -> Result<Vec<u8>, wasm_bindgen::JsValue> {
    let buffer = wasm_bindgen_futures::JsFuture::from(blob.array_buffer()).await?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// A Blob of `mime` holding a copy of `bytes`.
pub fn blob_from_bytes(bytes: &[u8], mime: &str) -> Option<Blob> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()
}

/// The image file of `data` as a Blob of type `mime`: bytes copied as they
/// are, a base64 `data:` URL decoded. `None` if the base64 is damaged, or for
/// an image still held by the browser (the caller resolves those first).
pub fn blob_from_image(data: &crate::generation::ImageData, mime: &str) -> Option<Blob> {
    use base64::Engine as _;
    match data {
        crate::generation::ImageData::Bytes(bytes) => blob_from_bytes(bytes, mime),
        crate::generation::ImageData::DataUrl(url) => {
            let (_, base64) = url.split_once(',')?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(base64)
                .ok()?;
            blob_from_bytes(&bytes, mime)
        }
        crate::generation::ImageData::Held(_) => None,
    }
}
