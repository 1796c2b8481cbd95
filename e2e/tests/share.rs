//! Share links: `Copy share link` copies the app's URL with the form's
//! settings in its fragment, never the key or reference images; opening it in
//! a fresh profile fills the form and sends nothing; a broken link says so.

use std::time::Duration;

use e2e::{App, DEMO_KEY, MockConfig, Role, UI_TIMEOUT, ensure, run};
use serde_json::json;

const TIMEOUT: Duration = Duration::from_secs(120);

async fn grant_clipboard(app: &App) -> e2e::Result {
    let origin = app.js("return location.origin;", vec![]).await?;
    app.cdp(
        "Browser.grantPermissions",
        json!({ "origin": origin, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"] }),
    )
    .await?;
    Ok(())
}

/// The form as a person sees it: prompt, seed, aspect ratio, resolution, images, model.
async fn form(app: &App) -> e2e::Result<Vec<String>> {
    let mut values = vec![app.prompt_value().await?];
    values.push(app.value_of(Role::Spinbutton, "Seed").await?);
    for select in ["Aspect ratio", "Resolution"] {
        let v = app
            .control(Role::Combobox, select)
            .await?
            .prop("value")
            .await?;
        values.push(v.unwrap_or_default());
    }
    values.push(app.value_of(Role::Spinbutton, "Images").await?);
    let model = app
        .control(Role::Combobox, "Model")
        .await?
        .prop("value")
        .await?;
    values.push(model.unwrap_or_default());
    Ok(values)
}

#[tokio::test]
async fn a_share_link_fills_the_form_in_a_fresh_profile_and_sends_nothing() {
    run(MockConfig::default(), TIMEOUT, async |app: &App| {
        app.open_ready().await?;
        app.close_settings().await?;
        grant_clipboard(app).await?;
        // An image to use as a reference: links leave references out, and say so.
        app.generate("the reference").await?;
        app.history_button("the reference", "Use as reference")
            .await?;
        app.poll("the reference in the form", UI_TIMEOUT, async || {
            Ok((app.reference_count().await? == 1).then_some(()))
        })
        .await?;

        app.type_prompt("a lighthouse at dawn & 50% fog #2").await?;
        let seed = app.control(Role::Spinbutton, "Seed").await?;
        app.replace_text(&seed, "123456789").await?;
        app.select_aspect_ratio("16:9").await?;
        app.choose("Resolution", "2").await?;
        app.set_images(3).await?;
        let sent_before = app.generation_requests().len();
        app.control(Role::Button, "Copy share link")
            .await?
            .click()
            .await?;
        let said = app.wait_text("#tool-status", "Share link copied.").await?;
        ensure!(
            said.contains("leaves out the 1 reference image"),
            "the status should say the reference was left out: {said}"
        );
        let link = app
            .js("return navigator.clipboard.readText();", vec![])
            .await?;
        let link = link.as_str().unwrap_or_default().to_owned();
        ensure!(
            link.starts_with(&app.page_url()) && link.contains("#kb=1&"),
            "a link to this page with the settings in its fragment: {link}"
        );
        ensure!(
            !link.contains(DEMO_KEY) && !link.contains("sk-or") && !link.contains("data:"),
            "the link must carry no key and no image: {link}"
        );
        ensure!(
            app.generation_requests().len() == sent_before,
            "copying a link sent a request"
        );
        let fragment = &link[link.find('#').unwrap_or(0)..];

        // A fresh profile with a key ready: the link fills the form, nothing more.
        let fresh = App::start(MockConfig::default()).await?;
        let opened = async {
            fresh.open_ready().await?;
            let before = form(&fresh).await?;
            fresh
                .client
                .goto(&format!("{}{fragment}", fresh.page_url()))
                .await?;
            fresh.wait_ready().await?;
            let expected = [
                "a lighthouse at dawn & 50% fog #2",
                "123456789",
                "16:9",
                "2",
                "3",
                "black-forest-labs/flux.2-klein-4b",
            ];
            fresh
                .poll("the form filled from the link", UI_TIMEOUT, async || {
                    Ok((form(&fresh).await? == expected).then_some(()))
                })
                .await
                .map_err(|e| format!("{e} (the form before the link: {before:?})"))?;
            let alert = fresh.wait_alert("reference image", UI_TIMEOUT).await?;
            ensure!(
                alert.contains("leave out"),
                "the alert should say references were left out: {alert}"
            );
            let hash = fresh.js("return location.hash;", vec![]).await?;
            ensure!(
                hash == json!(""),
                "the fragment stays in the address: {hash}"
            );
            tokio::time::sleep(Duration::from_millis(1500)).await;
            ensure!(
                fresh.generation_requests().is_empty(),
                "opening a share link generated"
            );

            // A damaged link changes nothing and says so.
            fresh.reload().await?;
            let prompt_before = fresh.prompt_value().await?;
            let damaged = fragment.replace("ratio=16%3A9", "ratio=16%3A7");
            fresh
                .client
                .goto(&format!("{}{damaged}", fresh.page_url()))
                .await?;
            fresh.wait_ready().await?;
            let alert = fresh.wait_alert("could not be used", UI_TIMEOUT).await?;
            ensure!(
                alert.contains("aspect ratio") && alert.contains("unchanged"),
                "the alert names what was wrong: {alert}"
            );
            ensure!(
                fresh.prompt_value().await? == prompt_before,
                "a damaged link changed the prompt"
            );
            ensure!(
                fresh.generation_requests().is_empty(),
                "a damaged link generated"
            );
            Ok::<_, e2e::Error>(())
        }
        .await;
        fresh.close().await;
        opened
    })
    .await;
}
