//! Performance: marks on the page's timeline (read by `cargo xtask bench`),
//! deferring work until the studio has been painted, and states drawn only
//! once they last. A leaf module.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// Marks a moment (`performance.mark(name)`); silently nothing where the
/// browser has no Performance API.
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

/// Runs `work` once the next frame has been painted (an animation frame,
/// then a task): what is not needed for the first screen never delays it.
pub fn after_first_paint(work: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else {
        return work();
    };
    let after_frame = Closure::once_into_js(move || {
        let task = Closure::once_into_js(work);
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback(task.unchecked_ref());
        }
    });
    if window
        .request_animation_frame(after_frame.unchecked_ref())
        .is_err()
    {
        // No frames (a hidden page): the timeout alone.
        let _ = window.set_timeout_with_callback(after_frame.unchecked_ref());
    }
}

/// Calls `apply` with a value once no newer one has come for `ms`: a state
/// that changes again sooner is never drawn (no flicker, and no page change
/// in the moment something else is about to be shown).
pub fn once_lasting<T: 'static>(ms: u32, apply: impl Fn(T) + 'static) -> impl Fn(T) {
    let changes = Rc::new(Cell::new(0u32));
    let apply = Rc::new(apply);
    move |value: T| {
        let change = changes.get().wrapping_add(1);
        changes.set(change);
        let (changes, apply) = (changes.clone(), apply.clone());
        let later = Closure::once_into_js(move || {
            if changes.get() == change {
                apply(value);
            }
        });
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                later.unchecked_ref(),
                ms as i32,
            );
        }
    }
}
