//! Reference images: picked from files or from History, sent as image parts,
//! limited to four, and never anything but a real image.

use std::time::Duration;

use base64::Engine as _;
use e2e::{App, MockConfig, Role, UI_TIMEOUT};
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(120);
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

async fn wait_references(app: &App, n: usize) -> e2e::Result {
    app.poll(&format!("{n} reference images"), UI_TIMEOUT, async || {
        Ok((app.reference_count().await? == n).then_some(()))
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
        e2e::ensure!(
            app.reference_count().await? == 0,
            "a non-image was accepted"
        );

        let five: Vec<(&str, &[u8])> = ["a.png", "b.png", "c.png", "d.png", "e.png"]
            .iter()
            .map(|n| (*n, png.as_slice()))
            .collect();
        pick_files(app, &five).await?;
        app.wait_alert("at most 4 reference images", UI_TIMEOUT)
            .await?;
        wait_references(app, 4).await?;

        // Remove one, then generate: four parts after the text, accepted by the mock.
        let first = app.reference_images().await?;
        let first = first
            .first()
            .and_then(|alt| alt.strip_prefix("Reference: "))
            .ok_or("no reference image to remove")?;
        app.control(Role::Button, &format!("Remove reference {first}"))
            .await?
            .click()
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

/// The image parts of a recorded chat request, as data URLs.
fn image_parts(body: &Value) -> Vec<String> {
    body["messages"][0]["content"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["image_url"]["url"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn reuse_settings_brings_back_everything_including_references_after_a_reload() {
    e2e::run(MockConfig::default(), TIMEOUT, async |app| {
        app.open_ready().await?;
        app.set_remember(true).await?;
        app.generate("the cat to edit").await?;
        let cat = app.last_generated_image().await?;
        // A second, different image: the same PNG with a byte appended.
        let mut dog = cat.clone();
        dog.push(0);

        app.history_button("the cat to edit", "Use as reference")
            .await?;
        wait_references(app, 1).await?;
        pick_files(app, &[("dog.png", &dog)]).await?;
        wait_references(app, 2).await?;
        app.select_aspect_ratio("16:9").await?;
        let seed = app.control(e2e::Role::Spinbutton, "Seed").await?;
        app.replace_text(&seed, "1234").await?;
        app.generate("cat and dog together").await?;
        let first = app
            .generation_requests()
            .last()
            .cloned()
            .ok_or("no request")?;
        let first_images = image_parts(&first.body);
        e2e::ensure!(first_images.len() == 2, "{first_images:?}");

        // Everything changes; the page is reloaded (references now only in IndexedDB).
        app.remove_all_references().await?;
        wait_references(app, 0).await?;
        app.select_aspect_ratio("1:1").await?;
        // Both images saved before the reload.
        app.poll("two History entries", UI_TIMEOUT, async || {
            let n = app
                .js(
                    "return document.querySelectorAll('section[aria-label=History] li img').length;",
                    vec![],
                )
                .await?;
            Ok((n == json!(2)).then_some(()))
        })
        .await?;
        app.reload().await?;
        app.type_prompt("something else").await?;

        app.history_button("cat and dog together", "Reuse settings")
            .await?;
        wait_references(app, 2).await?;
        e2e::ensure!(
            app.prompt_value().await? == "cat and dog together",
            "prompt not restored"
        );
        let seed = app.value_of(e2e::Role::Spinbutton, "Seed").await?;
        e2e::ensure!(seed == "1234", "seed shows {seed:?}");
        let ratio = app.value_of(e2e::Role::Combobox, "Aspect ratio").await?;
        e2e::ensure!(ratio == "16:9", "aspect ratio shows {ratio:?}");
        let model = app.value_of(e2e::Role::Combobox, "Model").await?;
        e2e::ensure!(model == e2e::KLEIN_MODEL, "model shows {model:?}");
        let labels = json!(app.reference_images().await?);
        let cat_seed = app.generation_requests()[0].body["seed"].clone();
        let cat_name = format!("Reference: the-cat-to-edit-{cat_seed}.png");
        e2e::ensure!(
            labels == json!([cat_name, "Reference: dog.png"]),
            "reference labels {labels}"
        );

        // Generating again sends exactly the same request.
        app.click_generate().await?;
        let second = app.wait_generation_request(3, TIMEOUT).await?;
        e2e::ensure!(
            image_parts(&second.body) == first_images,
            "the reused references differ from the originals"
        );
        for field in ["model", "seed", "image_config", "modalities"] {
            e2e::ensure!(
                second.body[field] == first.body[field],
                "{field}: {} vs {}",
                second.body[field],
                first.body[field]
            );
        }
        Ok(())
    })
    .await;
}
