//! Images that finish while the tab is in the background: the tab title
//! counts them until the tab is seen again, and with `Notify when done` a
//! system notification says how many are ready.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// `count` images just finished. Does nothing while the tab is in view.
pub(super) fn images_done(unseen: RwSignal<u32>, notify: bool, count: u32) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if !document.hidden() || count == 0 {
        return;
    }
    if unseen.get_untracked() == 0 {
        watch_until_seen(&document, unseen);
    }
    unseen.update(|n| *n += count);
    let total = unseen.get_untracked();
    document.set_title(&format!("({total}) {}", base_title(&document.title())));
    if notify && web_sys::Notification::permission() == web_sys::NotificationPermission::Granted {
        let options = web_sys::NotificationOptions::new();
        options.set_body(&ready_text(total));
        // One notification, replaced as more images finish.
        options.set_tag("kleinbild-done");
        let _ = web_sys::Notification::new_with_options("Kleinbild", &options);
    }
}

/// "1 image is ready" / "3 images are ready".
fn ready_text(count: u32) -> String {
    let t = crate::i18n::later();
    if count == 1 {
        t.studio_ready_one.into()
    } else {
        t.studio_ready_other(&count)
    }
}

/// The title without a leading "(N) " count.
fn base_title(title: &str) -> &str {
    title
        .strip_prefix('(')
        .and_then(|rest| rest.split_once(") "))
        .filter(|(n, _)| n.bytes().all(|b| b.is_ascii_digit()))
        .map_or(title, |(_, rest)| rest)
}

/// Once the tab is visible again: the count goes and the title is restored.
fn watch_until_seen(document: &web_sys::Document, unseen: RwSignal<u32>) {
    let target = document.clone();
    let listener = std::rc::Rc::new(std::cell::RefCell::new(None::<Closure<dyn Fn()>>));
    let slot = listener.clone();
    let on_change = Closure::<dyn Fn()>::new(move || {
        if target.hidden() {
            return;
        }
        unseen.set(0);
        target.set_title(base_title(&target.title()).to_owned().as_str());
        if let Some(me) = slot.borrow_mut().take() {
            let _ = target.remove_event_listener_with_callback(
                "visibilitychange",
                me.as_ref().unchecked_ref(),
            );
        }
    });
    let _ = document
        .add_event_listener_with_callback("visibilitychange", on_change.as_ref().unchecked_ref());
    *listener.borrow_mut() = Some(on_change);
}

/// Asks the browser for permission to notify (from the Settings checkbox:
/// browsers only ask in answer to a click). True when it is granted.
pub async fn ask_to_notify() -> bool {
    use web_sys::NotificationPermission::Granted;
    if web_sys::Notification::permission() == Granted {
        return true;
    }
    let Ok(asked) = web_sys::Notification::request_permission() else {
        return false;
    };
    wasm_bindgen_futures::JsFuture::from(asked)
        .await
        .ok()
        .and_then(|answer| answer.as_string())
        .is_some_and(|answer| answer == "granted")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_in_the_title_is_replaced_not_stacked() {
        assert_eq!(base_title("(3) Kleinbild — studio"), "Kleinbild — studio");
        assert_eq!(base_title("Kleinbild — studio"), "Kleinbild — studio");
        assert_eq!(base_title("(x) Kleinbild"), "(x) Kleinbild");
        assert_eq!(ready_text(1), "1 image is ready");
        assert_eq!(ready_text(4), "4 images are ready");
    }
}
