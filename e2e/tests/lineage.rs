//! Lineage: an image made from a History image shows it under "Made from",
//! the lightbox walks the chain back to the first image, and `Show
//! descendants` filters History to what was made from one image.

use std::time::Duration;

use e2e::{App, MockConfig, Role, UI_TIMEOUT, ensure, run};
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(150);

/// The open lightbox: its image's alt, the "Made from" thumbnails' alts (loaded ones
/// only) and the chain's button texts.
async fn lightbox(app: &App) -> e2e::Result<Value> {
    app.js(
        "const d = document.querySelector('dialog.lightbox[open]');
         if (!d) return null;
         return {
           alt: d.querySelector('.lightbox__image').alt,
           made_from: Array.from(d.querySelectorAll('.lineage__sources img'))
             .filter(i => i.naturalWidth > 0).map(i => i.alt),
           chain: Array.from(d.querySelectorAll('.lineage__chain button')).map(b => b.textContent.trim()),
         };",
        vec![],
    )
    .await
}

async fn open_in_lightbox(app: &App, prompt: &str) -> e2e::Result {
    app.control(Role::Button, prompt).await?.click().await?;
    app.poll("the lightbox", UI_TIMEOUT, async || {
        Ok(lightbox(app)
            .await?
            .get("alt")
            .filter(|a| *a == prompt)
            .map(drop))
    })
    .await
}

/// Uses the History image `from` as the only reference and makes `prompt` from it.
async fn make_from(app: &App, from: &str, prompt: &str) -> e2e::Result {
    app.remove_all_references().await?;
    app.history_button(from, "Use as reference").await?;
    app.poll("the reference in the form", UI_TIMEOUT, async || {
        Ok((app.reference_count().await? == 1).then_some(()))
    })
    .await?;
    app.generate(prompt).await?;
    Ok(())
}

#[tokio::test]
async fn made_from_links_the_chain_back_and_filters_descendants() {
    run(MockConfig::default(), TIMEOUT, async |app: &App| {
        app.open_ready().await?;
        app.close_settings().await?;
        app.generate("the first fox").await?;
        make_from(app, "the first fox", "the second fox").await?;
        make_from(app, "the second fox", "the third fox").await?;
        app.remove_all_references().await?;
        app.poll("three images in History", UI_TIMEOUT, async || {
            Ok((app.history_prompts().await?.len() == 3).then_some(()))
        })
        .await?;

        // Survives a reload: the link is part of each record.
        app.reload().await?;
        open_in_lightbox(app, "the third fox").await?;
        let shown = app
            .poll("Made from and the chain", UI_TIMEOUT, async || {
                let v = lightbox(app).await?;
                Ok((v["made_from"] == json!(["the second fox"])).then_some(v))
            })
            .await?;
        ensure!(
            shown["chain"] == json!(["the second fox", "the first fox"]),
            "the chain back to the first image: {shown}"
        );
        // A step of the chain opens that image.
        app.client
            .find(fantoccini::Locator::XPath(
                "//dialog[@open]//ol[contains(@class,'lineage__chain')]//button[normalize-space()='the first fox']",
            ))
            .await?
            .click()
            .await?;
        app.poll("the first image in the lightbox", UI_TIMEOUT, async || {
            Ok(lightbox(app).await?.get("alt").filter(|a| *a == "the first fox").map(drop))
        })
        .await?;
        let first = lightbox(app).await?;
        ensure!(
            first["made_from"] == json!([]) && first["chain"] == json!([]),
            "the first image was made from nothing: {first}"
        );

        // Its descendants: the second and the third.
        app.client
            .find(fantoccini::Locator::XPath(
                "//dialog[@open]//button[normalize-space()='Show descendants']",
            ))
            .await?
            .click()
            .await?;
        app.poll("History showing the descendants", UI_TIMEOUT, async || {
            Ok((app.history_prompts().await? == ["the third fox", "the second fox"]).then_some(()))
        })
        .await?;
        let said = app.wait_text(".gallery__undo", "Made from").await?;
        ensure!(said.contains("the first fox") && said.contains("2 image"), "{said}");
        app.control(Role::Button, "Show all").await?.click().await?;
        app.poll("all of History again", UI_TIMEOUT, async || {
            Ok((app.history_prompts().await?.len() == 3).then_some(()))
        })
        .await
    })
    .await;
}
