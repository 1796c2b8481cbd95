//! Compare: pick 2 to 4 History images, see them side by side at the same
//! size with the settings that differ marked; Esc closes.

use std::time::Duration;

use e2e::{App, MockConfig, Role, UI_TIMEOUT, bail, ensure, run};
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(150);

/// Clicks the `Select for Compare` checkbox of the History image `prompt`;
/// returns false when it is disabled.
async fn pick(app: &App, prompt: &str) -> e2e::Result<bool> {
    let v = app
        .js(
            "const li = Array.from(document.querySelectorAll('section[aria-label=History] li'))
               .find(li => (li.querySelector('img') || {}).alt === arguments[0]);
             const box = li && li.querySelector('input[type=checkbox]');
             if (!box) return null;
             if (box.disabled) return false;
             box.click();
             return true;",
            vec![json!(prompt)],
        )
        .await?;
    match v {
        Value::Bool(clicked) => Ok(clicked),
        _ => bail!("no Compare checkbox for {prompt:?}"),
    }
}

/// The open Compare dialog: each image's alt, natural width and shown width,
/// and each row's name with its cells (a marked cell as `[value]`).
async fn compare_table(app: &App) -> e2e::Result<Value> {
    app.js(
        "const d = document.querySelector('dialog.compare[open]');
         if (!d) return null;
         const images = Array.from(d.querySelectorAll('img'))
           .map(i => [i.alt, i.naturalWidth, Math.round(i.getBoundingClientRect().width)]);
         const rows = Array.from(d.querySelectorAll('tr')).slice(1).map(tr =>
           [tr.querySelector('th').textContent].concat(Array.from(tr.querySelectorAll('td')).map(td =>
             td.querySelector('mark') ? '[' + td.textContent + ']' : td.textContent)));
         return { images, rows };",
        vec![],
    )
    .await
}

#[tokio::test]
async fn compare_shows_picked_images_side_by_side_with_what_differs_marked() {
    run(MockConfig::default(), TIMEOUT, async |app: &App| {
        app.open_ready().await?;
        app.close_settings().await?;
        // A fixed seed; Keep seed (on by default) sends it with every press.
        app.control(Role::Button, "New seed").await?.click().await?;
        app.poll("New seed to fill the field", UI_TIMEOUT, async || {
            Ok(app.value_of(Role::Spinbutton, "Seed").await?.parse::<u64>().ok())
        })
        .await?;
        app.generate("a red fox").await?;
        app.generate("a blue fox").await?;
        app.select_aspect_ratio("16:9").await?;
        app.generate("a blue fox, wide").await?;
        app.poll("three images in History", UI_TIMEOUT, async || {
            let n = app
                .js("return document.querySelectorAll('section[aria-label=History] li img').length;", vec![])
                .await?;
            Ok((n == json!(3)).then_some(()))
        })
        .await?;

        // Its name is the contract; one picked image is not yet a comparison.
        let boxes = app
            .client
            .find_all(fantoccini::Locator::Css(
                "section[aria-label=History] li input[type=checkbox]",
            ))
            .await?;
        ensure!(boxes.len() == 3, "{} Compare checkboxes", boxes.len());
        let name = app.computed_label(&boxes[0]).await?;
        ensure!(name == "Select for Compare", "the checkbox is named {name:?}");
        ensure!(pick(app, "a blue fox").await?, "could not pick");
        let compare = app.control(Role::Button, "Compare").await?;
        ensure!(
            !compare.is_enabled().await?,
            "Compare must wait for a second image"
        );
        app.wait_text(".gallery__compare", "1 image selected").await?;
        ensure!(pick(app, "a blue fox, wide").await?, "could not pick");
        app.wait_text(".gallery__compare", "2 images selected").await?;
        compare.click().await?;

        let table = app
            .poll("the Compare dialog with both images loaded", UI_TIMEOUT, async || {
                let t = compare_table(app).await?;
                let loaded = t["images"]
                    .as_array()
                    .is_some_and(|i| i.len() == 2 && i.iter().all(|i| i[1].as_u64() > Some(0)));
                Ok(loaded.then_some(t))
            })
            .await?;
        let dialog = app
            .client
            .find(fantoccini::Locator::Css("dialog[open]"))
            .await?;
        ensure!(
            app.computed_label(&dialog).await? == "Compare",
            "the dialog's name"
        );
        let images = &table["images"];
        ensure!(
            images[0][0] == "a blue fox" && images[1][0] == "a blue fox, wide",
            "the images in picking order: {images}"
        );
        ensure!(
            images[0][2] == images[1][2] && images[0][2].as_u64() > Some(100),
            "the images should show at the same size: {images}"
        );
        let rows: Vec<Vec<String>> = serde_json::from_value(table["rows"].clone())?;
        let row = |name: &str| rows.iter().find(|r| r[0] == name).cloned().unwrap_or_default();
        ensure!(
            row("Model")[1] == "black-forest-labs/flux.2-klein-4b" && row("Model")[1] == row("Model")[2],
            "the same model, not marked: {rows:?}"
        );
        ensure!(
            !row("Seed")[1].starts_with('[') && row("Seed")[1] == row("Seed")[2],
            "the same seed, not marked: {rows:?}"
        );
        for name in ["Prompt", "Aspect ratio", "Resolution"] {
            let r = row(name);
            ensure!(
                r.len() == 3 && r[1].starts_with('[') && r[2].starts_with('[') && r[1] != r[2],
                "{name} differs and should be marked: {rows:?}"
            );
        }
        ensure!(
            row("Aspect ratio")[2] == "[16:9]" && row("Resolution")[1].starts_with("[1 MP"),
            "values: {rows:?}"
        );

        // Esc closes it; focus goes back to the Compare button.
        app.client
            .active_element()
            .await?
            .send_keys("\u{E00C}")
            .await?;
        app.poll("the Compare dialog to close", UI_TIMEOUT, async || {
            Ok(compare_table(app).await?.is_null().then_some(()))
        })
        .await?;
        let focused = app
            .js("return document.activeElement.textContent.trim();", vec![])
            .await?;
        ensure!(focused == json!("Compare"), "focus is on {focused}");

        // At most four: with four picked the others cannot be ticked.
        app.set_images(2).await?;
        app.generate("a grey fox").await?;
        app.poll("five images in History", UI_TIMEOUT, async || {
            let n = app
                .js("return document.querySelectorAll('section[aria-label=History] li img').length;", vec![])
                .await?;
            Ok((n == json!(5)).then_some(()))
        })
        .await?;
        ensure!(pick(app, "a red fox").await?, "could not pick a third");
        let greys = app
            .js(
                "return Array.from(document.querySelectorAll('section[aria-label=History] li'))
                   .filter(li => li.querySelector('img').alt === 'a grey fox')
                   .map(li => li.querySelector('input[type=checkbox]'));",
                vec![],
            )
            .await?;
        app.js("arguments[0][0].click();", vec![greys.clone()]).await?;
        app.wait_text(".gallery__compare", "4 images selected").await?;
        let last_disabled = app
            .js("return arguments[0][1].disabled;", vec![greys])
            .await?;
        ensure!(last_disabled == json!(true), "a fifth image could be picked");
        // Clear selection ends it.
        app.control(Role::Button, "Clear selection")
            .await?
            .click()
            .await?;
        app.poll("the selection to clear", UI_TIMEOUT, async || {
            Ok(app.find(Role::Button, "Compare").await?.is_none().then_some(()))
        })
        .await
    })
    .await;
}
