fn main() {
    kleinbild::perf::mark("kleinbild:main");
    // A readable panic message in the console (the message names file and line);
    // lighter than console_error_panic_hook, which also captures a JS stack.
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&format!("Kleinbild crashed: {info}").into());
    }));
    // Lets the benchmark read the size of the wasm memory (a handle, no data).
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(
            &window,
            &"__kleinbildWasmMemory".into(),
            &wasm_bindgen::memory(),
        );
    }
    leptos::mount::mount_to_body(kleinbild::App);
    kleinbild::shell::remove();
    kleinbild::perf::mark("kleinbild:mounted");
}
