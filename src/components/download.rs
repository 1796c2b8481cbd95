//! Saving a file through a temporary link: the result's Download (its
//! `data:` URL) and History's downloads and export (Blobs).

use wasm_bindgen::{JsCast, JsValue};

/// Saves what `href` points at (a URL as a JS string, never copied into
/// wasm) under a file name.
pub fn save_href(href: &JsValue, name: &str) {
    let link = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok());
    if let Some(link) = link {
        let _ = js_sys::Reflect::set(&link, &"href".into(), href);
        link.set_download(name);
        link.click();
    }
}

/// Saves a Blob under a file name.
pub fn save_blob(blob: &web_sys::Blob, name: &str) {
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    save_href(&JsValue::from_str(&url), name);
    // Revoke after the click has handed the URL to the download.
    leptos::task::spawn_local(async move {
        gloo_timers::future::TimeoutFuture::new(10_000).await;
        let _ = web_sys::Url::revoke_object_url(&url);
    });
}
