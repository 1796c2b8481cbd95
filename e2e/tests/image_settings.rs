//! Settings inside the image: a PNG downloaded from History carries its
//! prompt and settings in text chunks (History keeps the original bytes);
//! `Load settings from image` or dropping it in a fresh profile restores the
//! form; a file without settings says so.

use std::time::Duration;

use base64::Engine;
use e2e::{App, CAPTURE_DOWNLOADS, MockConfig, Role, UI_TIMEOUT, ensure, run};
use kleinbild::storage::image_meta::read_settings;
use serde_json::json;

const TIMEOUT: Duration = Duration::from_secs(120);

/// The text of the iTXt chunk named `keyword`.
fn itxt(png: &[u8], keyword: &str) -> Option<String> {
    let mut at = 8;
    while at + 12 <= png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().ok()?) as usize;
        let data = &png[at + 8..at + 8 + len];
        if &png[at + 4..at + 8] == b"iTXt" && data.starts_with(keyword.as_bytes()) {
            return String::from_utf8(data[keyword.len() + 5..].to_vec()).ok();
        }
        at += 12 + len;
    }
    None
}

/// Hands a file to the hidden input behind `Load settings from image`.
async fn load_settings_file(app: &App, name: &str, bytes: &[u8]) -> e2e::Result {
    app.js(
        "const input = document.querySelector('input[name=settings-image]');
         const raw = atob(arguments[1]); const bytes = new Uint8Array(raw.length);
         for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
         const dt = new DataTransfer();
         dt.items.add(new File([bytes], arguments[0], { type: 'image/png' }));
         input.files = dt.files; input.dispatchEvent(new Event('change', { bubbles: true }));",
        vec![
            json!(name),
            json!(base64::engine::general_purpose::STANDARD.encode(bytes)),
        ],
    )
    .await?;
    Ok(())
}

#[tokio::test]
async fn a_downloaded_png_carries_its_settings_and_brings_them_back_in_a_fresh_profile() {
    run(MockConfig::default(), TIMEOUT, async |app: &App| {
        app.open_ready().await?;
        app.close_settings().await?;
        let seed = app.control(Role::Spinbutton, "Seed").await?;
        app.replace_text(&seed, "271828").await?;
        app.select_aspect_ratio("3:2").await?;
        let prompt = "a fox reading \u{201c}Kleinbild\u{201d} by candlelight 🦊";
        app.generate(prompt).await?;
        let original = app.last_generated_image().await?;
        app.js(CAPTURE_DOWNLOADS, vec![]).await?;
        app.history_button(prompt, "Download").await?;
        let (name, png) = app.download(0).await?;
        ensure!(name.ends_with(".png"), "{name}");
        // The settings are in text chunks; everything else is the API's image as it came.
        ensure!(
            itxt(&png, "Description").as_deref() == Some(prompt),
            "the Description chunk"
        );
        let json = itxt(&png, "kleinbild").unwrap_or_default();
        let settings: serde_json::Value = serde_json::from_str(&json)?;
        ensure!(
            settings["prompt"] == prompt
                && settings["seed"] == 271828
                && settings["aspect_ratio"] == "3:2"
                && settings["resolution_mp"] == 1
                && settings["model"] == "black-forest-labs/flux.2-klein-4b"
                && settings["generation_id"]
                    .as_str()
                    .is_some_and(|g| g.starts_with("gen-"))
                && settings["cost_usd"].as_f64().is_some()
                && settings["created_ms"].as_f64().is_some(),
            "the kleinbild chunk: {json}"
        );
        ensure!(
            !json.contains(e2e::DEMO_KEY) && !png.windows(6).any(|w| w == b"sk-or-"),
            "the key must never be in the file"
        );
        ensure!(
            e2e::without_text_chunks(&png) == original,
            "apart from the text chunks the download must be the API's bytes"
        );
        let read = read_settings(&png).map_err(|e| format!("{e:?}"))?;
        ensure!(read.prompt == prompt && read.seed == 271828, "{read:?}");

        // A fresh profile: the file restores prompt and settings, and generates nothing.
        let fresh = App::start(MockConfig::default()).await?;
        let restored = async {
            fresh.open().await?;
            // An image without settings says so and changes nothing.
            load_settings_file(&fresh, "plain.png", &original).await?;
            let said = fresh
                .wait_text("#tool-status", "carries no Kleinbild settings")
                .await?;
            ensure!(said.contains("plain.png"), "{said}");
            ensure!(fresh.prompt_value().await?.is_empty(), "the prompt changed");

            load_settings_file(&fresh, &name, &png).await?;
            fresh
                .wait_text("#tool-status", "Settings loaded from")
                .await?;
            ensure!(fresh.prompt_value().await? == prompt, "the prompt");
            ensure!(
                fresh.value_of(Role::Spinbutton, "Seed").await? == "271828",
                "the seed"
            );
            let ratio = fresh
                .control(Role::Combobox, "Aspect ratio")
                .await?
                .prop("value")
                .await?;
            ensure!(
                ratio.as_deref() == Some("3:2"),
                "the aspect ratio: {ratio:?}"
            );

            // Dropping it on the page does the same, and adds no reference.
            fresh.reload().await?;
            fresh
                .js(
                    "const raw = atob(arguments[0]); const bytes = new Uint8Array(raw.length);
                 for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
                 const dt = new DataTransfer();
                 dt.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
                 document.querySelector('main').dispatchEvent(
                   new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));",
                    vec![json!(
                        base64::engine::general_purpose::STANDARD.encode(&png)
                    )],
                )
                .await?;
            fresh
                .wait_alert(
                    "Settings loaded from \u{201c}dropped.png\u{201d}",
                    UI_TIMEOUT,
                )
                .await?;
            ensure!(
                fresh.prompt_value().await? == prompt,
                "the prompt after the drop"
            );
            ensure!(
                fresh.reference_count().await? == 0,
                "the dropped image became a reference"
            );
            ensure!(
                fresh.generation_requests().is_empty(),
                "loading settings generated"
            );
            Ok::<_, e2e::Error>(())
        }
        .await;
        fresh.close().await;
        restored
    })
    .await;
}
