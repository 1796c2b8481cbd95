//! Copying a history image, its prompt, the seed, a command or a link.
//! Each returns the sentence to show in a status line.

use super::HistoryStore;
use crate::storage::HistoryEntry;

/// Copies the stored image (as PNG) of `entry`.
pub async fn copy_image(history: HistoryStore, entry: &HistoryEntry) -> String {
    let done = match history.blob(&entry.id, false).await {
        Some(blob) => write_image(&blob, entry.width, entry.height).await,
        None => Err(wasm_bindgen::JsValue::NULL),
    };
    outcome(done.is_ok(), crate::i18n::core().gallery_copied_image)
}

pub async fn copy_prompt(prompt: &str) -> String {
    copy_text(prompt, crate::i18n::core().gallery_copied_prompt).await
}

pub async fn copy_seed(seed: &str) -> String {
    copy_text(seed, crate::i18n::core().gallery_copied_seed).await
}

pub async fn copy_command(command: &str) -> String {
    copy_text(command, crate::i18n::core().gallery_copied_command).await
}

pub async fn copy_share_link(link: &str) -> String {
    copy_text(link, crate::i18n::core().gallery_copied_share_link).await
}

/// Copies `text`; says `copied` ("Prompt copied.") or why not.
async fn copy_text(text: &str, copied: &str) -> String {
    let done = match clipboard() {
        Ok(clipboard) => wasm_bindgen_futures::JsFuture::from(clipboard.write_text(text))
            .await
            .map(drop),
        Err(e) => Err(e),
    };
    outcome(done.is_ok(), copied)
}

fn outcome(ok: bool, copied: &str) -> String {
    if ok {
        copied.into()
    } else {
        crate::i18n::later().gallery_copy_refused.into()
    }
}

fn clipboard() -> Result<web_sys::Clipboard, wasm_bindgen::JsValue> {
    Ok(web_sys::window()
        .ok_or("no window")?
        .navigator()
        .clipboard())
}

/// Browsers accept PNG on the clipboard everywhere; other types are converted.
async fn write_image(
    blob: &web_sys::Blob,
    width: u32,
    height: u32,
) -> Result<(), wasm_bindgen::JsValue> {
    let png = if blob.type_() == "image/png" {
        blob.clone()
    } else {
        crate::storage::thumbnail::to_png(blob, width, height).await?
    };
    let record = js_sys::Object::new();
    js_sys::Reflect::set(&record, &"image/png".into(), &png)?;
    let item = web_sys::ClipboardItem::new_with_record_from_str_to_blob_promise(&record)?;
    wasm_bindgen_futures::JsFuture::from(clipboard()?.write(&js_sys::Array::of1(&item))).await?;
    Ok(())
}
