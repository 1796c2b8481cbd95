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

/// Removes the shell; called right after the app mounted, in the same task,
/// so no frame shows both or neither.
pub fn remove() {
    if let Some(shell) = shell() {
        shell.remove();
    }
}
