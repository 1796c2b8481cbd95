//! The static shell in `index.html`: the studio's layout drawn by the browser
//! before the wasm arrives (so the first paint does not wait for it), replaced
//! by the app the moment it mounts. A leaf module.

/// The element that wraps the shell.
const SHELL_ID: &str = "shell";

fn shell() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.get_element_by_id(SHELL_ID)
}

/// What was typed into the shell's Prompt field before the app started: the
/// app takes it over, so nothing typed early is lost.
pub fn typed_prompt() -> String {
    use wasm_bindgen::JsCast;
    shell()
        .and_then(|s| s.query_selector("textarea").ok().flatten())
        .and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
        .map(|t| t.value())
        .unwrap_or_default()
}

/// Where the static page's script keeps the first page's thumbnails it read
/// from IndexedDB while the app loaded: object URLs by entry id.
const EARLY_THUMBNAILS: &str = "kleinbildThumbs";

/// The thumbnail the static page's script read early for entry `id`, as an
/// object URL; taken once (the caller owns it from then on and revokes it).
pub fn take_thumbnail(id: &str) -> Option<String> {
    use wasm_bindgen::JsCast;
    let window: wasm_bindgen::JsValue = web_sys::window()?.into();
    let early = js_sys::Reflect::get(&window, &EARLY_THUMBNAILS.into()).ok()?;
    // No `dyn_into`: an object without a prototype is no `instanceof Object`.
    let early: js_sys::Object = early.is_object().then(|| early.unchecked_into())?;
    let key = wasm_bindgen::JsValue::from_str(id);
    let url = js_sys::Reflect::get(&early, &key).ok()?.as_string()?;
    let _ = js_sys::Reflect::delete_property(&early, &key);
    Some(url)
}

/// Removes the shell; called right after the app mounted, in the same task,
/// so no frame shows both or neither.
pub fn remove() {
    if let Some(shell) = shell() {
        shell.remove();
    }
}
