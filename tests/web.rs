//! Browser tests (wasm-bindgen-test in headless Chromium) for code that needs a
//! real DOM and localStorage. Run by `cargo xtask test`.
#![cfg(target_arch = "wasm32")]

use kleinbild::storage::{self, SETTINGS_BACKUP_KEY, SETTINGS_KEY, Settings};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

const BASE: &str = "https://openrouter.ai/api/v1";

fn local_storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

/// Mounts the app and waits until its parts (key panel, options, Settings)
/// have arrived: they load after the first paint.
async fn mount() -> (
    HtmlElement,
    leptos::mount::UnmountHandle<impl leptos::tachys::view::Mountable>,
) {
    let document = web_sys::window().unwrap().document().unwrap();
    let container: HtmlElement = document.create_element("div").unwrap().dyn_into().unwrap();
    document.body().unwrap().append_child(&container).unwrap();
    let handle = leptos::mount::mount_to(container.clone(), kleinbild::App);
    for _ in 0..250 {
        if container
            .text_content()
            .is_some_and(|t| t.contains("Save settings") && t.contains("Reference images"))
        {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(20).await;
    }
    (container, handle)
}

/// The form control inside the <label> whose visible text is `name`.
fn control(container: &HtmlElement, name: &str) -> HtmlElement {
    let labels = container.query_selector_all("label").unwrap();
    for i in 0..labels.length() {
        let label: HtmlElement = labels.item(i).unwrap().dyn_into().unwrap();
        if label.text_content().unwrap_or_default().trim() == name {
            return label
                .query_selector("input, textarea, select")
                .unwrap()
                .unwrap()
                .dyn_into()
                .unwrap();
        }
    }
    panic!("no control labelled {name:?}");
}

fn button(container: &HtmlElement, name: &str) -> HtmlElement {
    let buttons = container.query_selector_all("button, summary").unwrap();
    (0..buttons.length())
        .map(|i| buttons.item(i).unwrap().dyn_into::<HtmlElement>().unwrap())
        .find(|b| b.text_content().unwrap_or_default().trim() == name)
        .unwrap_or_else(|| panic!("no button named {name:?}"))
}

fn type_into(input: &HtmlElement, text: &str) {
    input.unchecked_ref::<HtmlInputElement>().set_value(text);
    let event = web_sys::Event::new("input").unwrap();
    input.dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
fn settings_survive_a_round_trip_through_local_storage() {
    local_storage().clear().unwrap();
    let mut settings = Settings::new(BASE);
    settings.aspect_ratio = "3:2".into();
    storage::save_settings(&settings).unwrap();
    let (loaded, notice) = storage::load_settings(Settings::new(BASE));
    assert_eq!(loaded, settings);
    assert_eq!(notice, None);
}

#[wasm_bindgen_test]
fn corrupt_settings_are_backed_up_and_replaced_by_defaults() {
    local_storage().clear().unwrap();
    local_storage().set_item(SETTINGS_KEY, "{not json").unwrap();
    let (loaded, notice) = storage::load_settings(Settings::new(BASE));
    assert_eq!(loaded, Settings::new(BASE));
    assert!(notice.unwrap().contains(SETTINGS_BACKUP_KEY));
    assert_eq!(
        local_storage()
            .get_item(SETTINGS_BACKUP_KEY)
            .unwrap()
            .as_deref(),
        Some("{not json")
    );
    assert_eq!(local_storage().get_item(SETTINGS_KEY).unwrap(), None);
}

#[wasm_bindgen_test]
async fn key_stays_in_memory_unless_remembered_and_forget_wipes_it() {
    local_storage().clear().unwrap();
    let (container, _handle) = mount().await;
    let key = control(&container, "OpenRouter API key");
    assert_eq!(key.get_attribute("type").as_deref(), Some("password"));

    type_into(&key, "sk-or-v1-testkey-0000000000001234");
    button(&container, "Save key").click();
    leptos::task::tick().await;
    assert_eq!(
        storage::load_api_key(),
        None,
        "not remembered, so not stored"
    );
    assert!(container.inner_text().contains("sk-or-v1-\u{2026}1234"));

    control(&container, "Remember on this device").click();
    leptos::task::tick().await;
    assert_eq!(
        storage::load_api_key().as_deref(),
        Some("sk-or-v1-testkey-0000000000001234")
    );

    button(&container, "Forget key").click();
    leptos::task::tick().await;
    assert_eq!(storage::load_api_key(), None);
    assert!(container.inner_text().contains("Key forgotten."));
}

#[wasm_bindgen_test]
async fn generate_without_key_or_prompt_explains_what_to_do() {
    local_storage().clear().unwrap();
    let (container, _handle) = mount().await;
    button(&container, "Generate").click();
    leptos::task::tick().await;
    let alert = container.query_selector("[role=alert]").unwrap().unwrap();
    assert!(
        alert
            .text_content()
            .unwrap()
            .contains("Add your OpenRouter API key first")
    );

    type_into(
        &control(&container, "OpenRouter API key"),
        "sk-or-v1-abcdefghijklmnop",
    );
    button(&container, "Save key").click();
    leptos::task::tick().await;
    button(&container, "Generate").click();
    leptos::task::tick().await;
    assert!(
        alert
            .text_content()
            .unwrap()
            .contains("Type a prompt first")
    );
}

#[wasm_bindgen_test]
async fn a_malformed_api_base_is_refused_and_not_saved() {
    local_storage().clear().unwrap();
    let (container, _handle) = mount().await;
    type_into(
        &control(&container, "API base URL"),
        "http://example.com/api",
    );
    button(&container, "Save settings").click();
    leptos::task::tick().await;
    assert!(
        container
            .text_content()
            .unwrap_or_default()
            .contains("Not saved: that API base URL is not valid.")
    );
    assert_eq!(local_storage().get_item(SETTINGS_KEY).unwrap(), None);

    type_into(
        &control(&container, "API base URL"),
        "http://127.0.0.1:9/api/v1/",
    );
    button(&container, "Save settings").click();
    leptos::task::tick().await;
    let saved = local_storage().get_item(SETTINGS_KEY).unwrap().unwrap();
    assert!(
        saved.contains("\"api_base\":\"http://127.0.0.1:9/api/v1\""),
        "{saved}"
    );
}

#[wasm_bindgen_test]
fn the_json_reader_reads_numbers_with_the_browsers_parser_as_natively() {
    use kleinbild::json::Loose;
    // In wasm, fractions and exponents go through JavaScript's parseFloat.
    for (text, expected) in [
        ("1732480000000.5", 1_732_480_000_000.5),
        ("-1.5e-7", -1.5e-7),
        ("0.1", 0.1),
        ("1e308", 1e308),
        ("5e-324", 5e-324),
    ] {
        assert_eq!(
            Loose::parse(text).unwrap(),
            Loose::Float(expected),
            "{text}"
        );
    }
    assert_eq!(Loose::parse("42").unwrap(), Loose::UInt(42));
    assert!(Loose::parse("1e400").is_err(), "not a finite number");
}

/// A PNG of `len` bytes (a real header, then filler) as base64.
fn large_png_base64(len: usize) -> String {
    use base64::Engine;
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    png.extend_from_slice(&640u32.to_be_bytes());
    png.extend_from_slice(&480u32.to_be_bytes());
    png.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    png.resize(len, 7);
    base64::engine::general_purpose::STANDARD.encode(png)
}

#[wasm_bindgen_test]
async fn a_kept_image_becomes_a_file_decoded_by_the_browser_or_else_in_wasm() {
    use base64::Engine;
    use js_sys::{JsString, Reflect, Uint8Array};
    use kleinbild::storage::blob::{blob_bytes, blob_from_base64};
    let base64 = large_png_base64(300_000);
    let expected = base64::engine::general_purpose::STANDARD
        .decode(&base64)
        .unwrap();
    let text = JsString::from(base64.as_str());
    let in_browser = Reflect::get(
        &Uint8Array::new_with_length(0).constructor(),
        &"fromBase64".into(),
    )
    .unwrap();
    assert!(
        in_browser.is_function(),
        "this browser has Uint8Array.fromBase64"
    );
    let decoded = |what: &'static str| {
        let text = text.clone();
        async move {
            let blob =
                blob_from_base64(&text, "image/png").unwrap_or_else(|| panic!("{what}: no file"));
            assert_eq!(blob.type_(), "image/png", "{what}");
            blob_bytes(&blob).await.unwrap()
        }
    };
    assert!(
        decoded("browser").await == expected,
        "the browser's decoding changed the image"
    );
    // A browser without `Uint8Array.fromBase64` decodes in wasm.
    let constructor = Uint8Array::new_with_length(0).constructor();
    Reflect::delete_property(&constructor, &"fromBase64".into()).unwrap();
    let fallback = decoded("wasm").await;
    Reflect::set(&constructor, &"fromBase64".into(), &in_browser).unwrap();
    assert!(fallback == expected, "the wasm decoding changed the image");
    // Damaged base64 is no file, on either path.
    let damaged = JsString::from(format!("{}@@{}", &base64[..1000], &base64[1000..]).as_str());
    assert!(blob_from_base64(&damaged, "image/png").is_none());
    Reflect::delete_property(&constructor, &"fromBase64".into()).unwrap();
    let damaged_in_wasm = blob_from_base64(&damaged, "image/png");
    Reflect::set(&constructor, &"fromBase64".into(), &in_browser).unwrap();
    assert!(damaged_in_wasm.is_none());
}

#[wasm_bindgen_test]
fn large_images_are_cut_out_of_an_answer_and_kept_in_the_browser() {
    use js_sys::JsString;
    use kleinbild::api::client::held;
    use kleinbild::api::response::{parse_chat_response, parse_images_response};
    use kleinbild::generation::ImageData;
    let base64 = large_png_base64(300_000);
    let url = format!("data:image/png;base64,{base64}");
    let chat = |image: &str, text: &str| {
        format!(
            r#"{{"id":"gen-1","model":"m","choices":[{{"message":{{"role":"assistant","content":"{text}","images":[{{"type":"image_url","image_url":{{"url":"{image}"}}}}]}}}}]}}"#
        )
    };
    // Quoted text that looks like an image string, and `\/` escapes (some
    // encoders write them), which only a JSON parser reads right.
    let look_alike = r#"she said \"data:image/png;base64, and \\\"b64_json\\\": \"x\" in C:\\"#;
    for (what, answer) in [
        ("compact", chat(&url, "Here you are.")),
        ("look-alike text first", chat(&url, look_alike)),
        (
            "look-alike text after",
            chat(&url, look_alike).replace(r#""model":"m""#, &format!(r#""model":"{look_alike}""#)),
        ),
        ("escaped slashes", chat(&url.replace('/', "\\/"), "ok")),
    ] {
        let text = JsString::from(answer.as_str());
        let small = held::small_answer(&text);
        assert!(
            small.len() < answer.len() / 2,
            "{what}: {} bytes",
            small.len()
        );
        let output = parse_chat_response(200, &small).unwrap_or_else(|e| panic!("{what}: {e:?}"));
        let image = &output.images[0];
        assert_eq!((image.width, image.height), (640, 480), "{what}");
        let ImageData::Held(handle) = image.data else {
            panic!("{what}: not held: {:?}", image.format);
        };
        let shown = held::data_url(handle, "image/png").expect("kept");
        assert!(shown == url.as_str(), "{what}: the image changed");
        held::release(handle);
        assert!(
            held::data_url(handle, "image/png").is_none(),
            "{what}: released"
        );
    }
    // The Images API's raw base64, after spaces around the colon.
    let answer = format!(r#"{{"created":1, "data": [ {{"b64_json" : "{base64}"}} ]}}"#);
    let text = JsString::from(answer.as_str());
    let small = held::small_answer(&text);
    assert!(
        small.len() < answer.len() / 2,
        "b64_json: {} bytes",
        small.len()
    );
    let output = parse_images_response(200, &small).unwrap_or_else(|e| panic!("b64_json: {e:?}"));
    let ImageData::Held(handle) = output.images[0].data else {
        panic!("b64_json not held");
    };
    assert!(held::data_url(handle, "image/png").expect("kept") == url.as_str());
    assert!(held::base64(handle).expect("kept") == base64.as_str());
    // Not JSON: comes through as it is, for the parser to report.
    let broken = format!("{{\"data\": \"{base64}");
    assert_eq!(held::small_answer(&JsString::from(broken.as_str())), broken);
}

#[wasm_bindgen_test]
async fn a_state_is_drawn_only_once_it_has_lasted() {
    use gloo_timers::future::TimeoutFuture;
    use std::cell::RefCell;
    use std::rc::Rc;
    let drawn = Rc::new(RefCell::new(Vec::new()));
    let show = kleinbild::perf::once_lasting(60, {
        let drawn = drawn.clone();
        move |state: u8| drawn.borrow_mut().push(state)
    });
    // Replaced at once: only the last is drawn, after the wait.
    show(1);
    show(2);
    assert!(drawn.borrow().is_empty(), "drawn before it lasted");
    TimeoutFuture::new(150).await;
    assert_eq!(*drawn.borrow(), [2]);
    // The same state again is drawn again (the studio's update sees no change).
    show(2);
    TimeoutFuture::new(150).await;
    assert_eq!(*drawn.borrow(), [2, 2]);
    // Changed within the wait: 3 never lasted; 4, then 3 again, did in turn.
    show(3);
    TimeoutFuture::new(20).await;
    show(4);
    TimeoutFuture::new(150).await;
    show(3);
    TimeoutFuture::new(150).await;
    assert_eq!(*drawn.borrow(), [2, 2, 4, 3]);
    // Back to a state within the wait of another: it is drawn after its own wait.
    show(5);
    TimeoutFuture::new(20).await;
    show(3);
    TimeoutFuture::new(45).await;
    assert_eq!(
        *drawn.borrow(),
        [2, 2, 4, 3],
        "3 was drawn before it lasted again"
    );
    TimeoutFuture::new(100).await;
    assert_eq!(*drawn.borrow(), [2, 2, 4, 3, 3]);
}
