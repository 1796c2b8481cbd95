//! Presets: Save preset keeps the generation settings under a name, Presets
//! puts them back (and the next request follows them), and they travel in
//! the history export.

use std::time::Duration;

use e2e::{App, MockConfig, Role, UI_TIMEOUT, ensure, run};
use serde_json::json;

const TIMEOUT: Duration = Duration::from_secs(120);

async fn preset_status(app: &App, phrase: &str) -> e2e::Result<String> {
    app.wait_text("#preset-status", phrase).await
}

async fn keep_seed(app: &App) -> e2e::Result<bool> {
    let v = app
        .js(
            "return document.querySelector('input[name=keep-seed]').checked;",
            vec![],
        )
        .await?;
    Ok(v == json!(true))
}

/// The generation settings as the controls show them.
async fn controls(app: &App) -> e2e::Result<(String, String, String, bool, String)> {
    Ok((
        app.value_of(Role::Combobox, "Aspect ratio").await?,
        app.value_of(Role::Combobox, "Resolution").await?,
        app.value_of(Role::Combobox, "Output format").await?,
        keep_seed(app).await?,
        app.value_of(Role::Spinbutton, "Images").await?,
    ))
}

#[tokio::test]
async fn a_preset_is_saved_applied_and_survives_export_and_import() {
    run(MockConfig::default(), TIMEOUT, async |app: &App| {
        app.open_ready().await?;
        app.set_remember(true).await?;
        app.close_settings().await?;
        let presets = app.control(Role::Combobox, "Presets").await?;
        ensure!(presets.attr("disabled").await?.is_some(), "Presets is usable with none saved");

        // Nameless: refused with a reason.
        app.control(Role::Button, "Save preset").await?.click().await?;
        preset_status(app, "Type a name").await?;

        app.select_aspect_ratio("16:9").await?;
        app.choose("Resolution", "4").await?;
        app.choose("Output format", "jpeg").await?;
        app.control(Role::Checkbox, "Keep seed").await?.click().await?;
        app.set_images(2).await?;
        let saved = controls(app).await?;
        ensure!(saved == ("16:9".into(), "4".into(), "jpeg".into(), false, "2".into()), "{saved:?}");
        let name = app.control(Role::Textbox, "Preset name").await?;
        app.replace_text(&name, "Wide 4 MP").await?;
        app.control(Role::Button, "Save preset").await?.click().await?;
        preset_status(app, "Preset \u{201c}Wide 4 MP\u{201d} saved.").await?;

        // Back to the defaults by hand, then the preset restores everything.
        app.select_aspect_ratio("1:1").await?;
        app.choose("Resolution", "1").await?;
        app.choose("Output format", "png").await?;
        app.control(Role::Checkbox, "Keep seed").await?.click().await?;
        app.set_images(1).await?;
        app.choose("Presets", "Wide 4 MP").await?;
        preset_status(app, "applied").await?;
        let applied = app
            .poll("the controls to follow the preset", UI_TIMEOUT, async || {
                let now = controls(app).await?;
                Ok((now == saved).then_some(now))
            })
            .await?;
        ensure!(applied == saved, "{applied:?}");
        ensure!(app.value_of(Role::Combobox, "Presets").await?.is_empty(), "the select stays on the preset");
        let before = app.generation_requests().len();
        app.type_prompt("made with a preset").await?;
        app.click_generate().await?;
        app.wait_results("made with a preset", 2).await?;
        let sent = app.generation_requests().len();
        ensure!(sent == before + 2, "{} requests for a batch of 2", sent - before);
        let last = app.last_generation_request()?;
        ensure!(
            last.body["size"] == "2048x1152" && last.body["output_format"] == "jpeg",
            "the request ignores the preset: {}",
            last.body
        );

        // Export carries it; a browser without it gets it back from the import.
        app.js(e2e::CAPTURE_DOWNLOADS, vec![]).await?;
        app.control(Role::Button, "Export history").await?.click().await?;
        let (_, zip) = app.download(0).await?;
        app.js("localStorage.removeItem('kleinbild.presets.v1');", vec![]).await?;
        app.reload().await?;
        app.wait_ready().await?;
        app.close_settings().await?;
        let presets = app.control(Role::Combobox, "Presets").await?;
        ensure!(presets.attr("disabled").await?.is_some(), "the preset outlived its removal");
        app.control(Role::Button, "Clear history").await?.click().await?;
        app.control(Role::Button, "Delete all 2 images").await?.click().await?;
        app.import_history_file(&zip).await?;
        let status = app
            .poll("the import summary", UI_TIMEOUT, async || {
                let s = app.live_text("History").await?;
                Ok(s.contains("Imported 2 images").then_some(s))
            })
            .await?;
        ensure!(status.contains("Added 1 preset."), "{status:?}");
        app.poll("the imported preset in Presets", UI_TIMEOUT, async || {
            let v = app
                .js("return Array.from(document.querySelectorAll('select[name=presets] option')).map(o => o.value);", vec![])
                .await?;
            Ok((v == json!(["", "Wide 4 MP"])).then_some(()))
        })
        .await?;
        Ok(())
    })
    .await;
}
