//! Reference images: picked from files or from History, sent as image parts,
//! limited to four, and never anything but a real image.

use std::time::Duration;

use base64::Engine as _;
use e2e::{App, MockConfig, UI_TIMEOUT};
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(120);
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

async fn reference_count(app: &App) -> e2e::Result<usize> {
    let v = app
        .js(
            "return document.querySelectorAll('.references__item').length;",
            vec![],
        )
        .await?;
    Ok(v.as_u64().unwrap_or(0) as usize)
}

async fn wait_references(app: &App, n: usize) -> e2e::Result {
    app.poll(&format!("{n} reference images"), UI_TIMEOUT, async || {
        Ok((reference_count(app).await? == n).then_some(()))
    })
    .await
}

/// Chooses files in "Reference images", as a user picking them does.
async fn pick_files(app: &App, files: &[(&str, &[u8])]) -> e2e::Result {
    let files: Vec<Value> = files
        .iter()
        .map(|(n, b)| json!([n, B64.encode(b)]))
        .collect();
    app.js(
        "const input = Array.from(document.querySelectorAll('label'))
           .find(l => l.textContent.trim().startsWith('Reference images')).querySelector('input');
         const dt = new DataTransfer();
         for (const [name, data] of arguments[0]) {
           const raw = atob(data); const bytes = new Uint8Array(raw.length);
           for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
           dt.items.add(new File([bytes], name));
         }
         input.files = dt.files; input.dispatchEvent(new Event('change', { bubbles: true }));",
        vec![json!(files)],
    )
    .await?;
    Ok(())
}

#[tokio::test]
async fn history_image_as_reference_is_sent_as_an_image_part() {
    e2e::run(MockConfig::default(), TIMEOUT, async |app| {
        app.open_ready().await?;
        app.generate("the cat to edit").await?;
        let cat = app.last_generated_image().await?;

        app.history_button("the cat to edit", "Use as reference")
            .await?;
        wait_references(app, 1).await?;
        app.generate("the cat wearing a hat").await?;
        let sent = app
            .generation_requests()
            .last()
            .cloned()
            .ok_or("no request")?;
        let parts = sent.body["messages"][0]["content"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        e2e::ensure!(
            parts.len() == 2,
            "expected text + one image part, got {parts:?}"
        );
        e2e::ensure!(
            parts[0] == json!({"type": "text", "text": "the cat wearing a hat"}),
            "text part first: {:?}",
            parts[0]
        );
        let url = parts[1]["image_url"]["url"].as_str().unwrap_or_default();
        let (head, data) = url.split_once(',').ok_or("not a data URL")?;
        e2e::ensure!(head == "data:image/png;base64", "{head}");
        e2e::ensure!(
            B64.decode(data)? == cat,
            "the reference is not the history image's bytes"
        );
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn at_most_four_references_and_only_real_images() {
    e2e::run(MockConfig::default(), TIMEOUT, async |app| {
        app.open_ready().await?;
        app.generate("a source picture").await?;
        let png = app.last_generated_image().await?;

        pick_files(
            app,
            &[("page.html", b"<html><script>alert(1)</script></html>")],
        )
        .await?;
        app.wait_alert("cannot be used as a reference", UI_TIMEOUT)
            .await?;
        e2e::ensure!(reference_count(app).await? == 0, "a non-image was accepted");

        let five: Vec<(&str, &[u8])> = ["a.png", "b.png", "c.png", "d.png", "e.png"]
            .iter()
            .map(|n| (*n, png.as_slice()))
            .collect();
        pick_files(app, &five).await?;
        app.wait_alert("at most 4 reference images", UI_TIMEOUT)
            .await?;
        wait_references(app, 4).await?;

        // Remove one, then generate: four parts after the text, accepted by the mock.
        app.js(
            "document.querySelector('.references__item button').click();",
            vec![],
        )
        .await?;
        wait_references(app, 3).await?;
        app.generate("combine them").await?;
        let sent = app
            .generation_requests()
            .last()
            .cloned()
            .ok_or("no request")?;
        let parts = sent.body["messages"][0]["content"]
            .as_array()
            .map_or(0, Vec::len);
        e2e::ensure!(parts == 4, "expected text + 3 images, got {parts} parts");
        Ok(())
    })
    .await;
}
