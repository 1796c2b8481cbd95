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
        e2e::ensure!(
            first.first().is_some_and(|alt| alt == "image 1: a.png"),
            "the references are not numbered in order: {first:?}"
        );
        app.control(Role::Button, "Remove image 1")
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
        let cat_name = format!("image 1: the-cat-to-edit-{cat_seed}.png");
        e2e::ensure!(
            labels == json!([cat_name, "image 2: dog.png"]),
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

/// Makes a `w`×`h` image file in the page (`window.__files[name]`) of `type`.
async fn make_image_file(app: &App, name: &str, w: u32, h: u32, mime: &str) -> e2e::Result {
    app.js(
        "const [name, w, h, type] = arguments;
         const canvas = new OffscreenCanvas(w, h);
         const g = canvas.getContext('2d');
         const grad = g.createLinearGradient(0, 0, w, h);
         grad.addColorStop(0, '#c33'); grad.addColorStop(1, '#36c');
         g.fillStyle = grad; g.fillRect(0, 0, w, h);
         canvas.convertToBlob({ type }).then(blob => {
           window.__files = window.__files || {};
           window.__files[name] = new File([blob], name, { type });
         });",
        vec![json!(name), json!(w), json!(h), json!(mime)],
    )
    .await?;
    app.poll(&format!("{name} to be made"), UI_TIMEOUT, async || {
        let v = app
            .js(
                "return !!(window.__files && window.__files[arguments[0]]);",
                vec![json!(name)],
            )
            .await?;
        Ok((v == json!(true)).then_some(()))
    })
    .await
}

/// The pixel size and type of a `data:` URL's image.
fn data_url_image(url: &str) -> e2e::Result<(u32, u32, &'static str)> {
    let (_, data) = url.split_once(',').ok_or("not a data URL")?;
    let image = kleinbild::generation::verify_image(B64.decode(data)?)?;
    Ok((image.width, image.height, image.format.mime()))
}

#[tokio::test]
async fn pasted_and_dropped_photos_are_numbered_reorderable_and_sent_at_one_megapixel() {
    e2e::run(MockConfig::default(), TIMEOUT, async |app| {
        app.open_ready().await?;
        app.close_settings().await?;
        app.type_prompt("swap them").await?;
        make_image_file(app, "wide.png", 4000, 3000, "image/png").await?;
        make_image_file(app, "tall.jpg", 3000, 4000, "image/jpeg").await?;

        // Pasted into the prompt: a reference, and the prompt keeps its text.
        app.js(
            "const dt = new DataTransfer(); dt.items.add(window.__files['wide.png']);
             document.querySelector('textarea[name=prompt]').dispatchEvent(
               new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));",
            vec![],
        )
        .await?;
        wait_references(app, 1).await?;
        e2e::ensure!(app.prompt_value().await? == "swap them", "the paste changed the prompt");
        // Dropped anywhere on the page.
        app.js(
            "const dt = new DataTransfer(); dt.items.add(window.__files['tall.jpg']);
             document.querySelector('main').dispatchEvent(
               new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));",
            vec![],
        )
        .await?;
        wait_references(app, 2).await?;
        // A dropped non-image says so and adds nothing.
        app.js(
            "const dt = new DataTransfer(); dt.items.add(new File(['hello'], 'notes.txt', { type: 'text/plain' }));
             document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));",
            vec![],
        )
        .await?;
        app.wait_alert("\u{201c}notes.txt\u{201d} cannot be used as a reference", UI_TIMEOUT)
            .await?;
        e2e::ensure!(app.reference_count().await? == 2, "the text file was added");

        // Numbered in order, and the hint under the prompt says how to refer to them.
        let alts = app.reference_images().await?;
        e2e::ensure!(alts == ["image 1: wide.png", "image 2: tall.jpg"], "{alts:?}");
        let hint = app
            .js("return document.getElementById('prompt-hint').innerText;", vec![])
            .await?;
        e2e::ensure!(
            hint.as_str().is_some_and(|h| h.contains("image 1") && h.contains("image 2")),
            "the prompt hint says {hint}"
        );
        app.control(Role::Button, "Move image 2 earlier").await?.click().await?;
        app.poll("the references to swap", UI_TIMEOUT, async || {
            let alts = app.reference_images().await?;
            Ok((alts == ["image 1: tall.jpg", "image 2: wide.png"]).then_some(()))
        })
        .await?;

        // Sent in that order, each scaled to at most 1 MP with its shape kept.
        app.click_generate().await?;
        app.wait_image("swap them", UI_TIMEOUT).await?;
        let sent = app.generation_requests().last().cloned().ok_or("no request")?;
        let parts = image_parts(&sent.body);
        e2e::ensure!(parts.len() == 2, "{} image parts", parts.len());
        let tall = data_url_image(&parts[0])?;
        let wide = data_url_image(&parts[1])?;
        for (w, h, _) in [tall, wide] {
            e2e::ensure!(u64::from(w) * u64::from(h) <= 1_048_576, "{w}x{h} is over 1 MP");
            e2e::ensure!(u64::from(w) * u64::from(h) > 1_000_000, "{w}x{h} was made too small");
        }
        e2e::ensure!(tall.0 * 4 / 3 <= tall.1 + 2 && tall.2 == "image/jpeg", "tall became {tall:?}");
        e2e::ensure!(wide.1 * 4 / 3 <= wide.0 + 2 && wide.2 == "image/png", "wide became {wide:?}");
        Ok(())
    })
    .await;
}
