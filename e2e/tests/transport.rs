//! The Image API transport: chosen in Settings, or switched to by itself when
//! Chat Completions says the model belongs there.

use std::time::Duration;

use e2e::{Fault, MockConfig, Role, ensure};

const TIMEOUT: Duration = Duration::from_secs(90);

fn paths(app: &e2e::App) -> Vec<String> {
    app.mock
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.path)
        .collect()
}

#[tokio::test]
async fn chat_saying_wrong_endpoint_switches_to_the_image_api_for_the_session() {
    e2e::run(MockConfig::default(), TIMEOUT, async |app| {
        app.open_ready().await?;
        // The reference 404: no chat endpoint for these output modalities.
        app.mock.push_fault(Fault::Status { status: 404 });
        let (w, h) = app.generate("a fox through the fallback").await?;
        ensure!((w, h) == (1024, 1024), "{w}x{h}");
        ensure!(
            paths(app) == ["/api/v1/chat/completions", "/api/v1/images"],
            "requests {:?}",
            paths(app)
        );
        let images = app
            .mock
            .requests()
            .into_iter()
            .find(|r| r.path == "/api/v1/images" && r.method == "POST")
            .ok_or("no images request")?;
        let chat = app.generation_requests()[0].clone();
        ensure!(images.body["prompt"] == "a fox through the fallback", "{}", images.body);
        ensure!(images.body["seed"] == chat.body["seed"], "the seed changed");
        ensure!(images.body["output_format"] == "png", "{}", images.body);
        ensure!(images.body["aspect_ratio"] == "1:1", "{}", images.body);

        // Remembered for the session: the next one goes straight to the Image API.
        app.generate("a second fox").await?;
        ensure!(
            paths(app).last().map(String::as_str) == Some("/api/v1/images")
                && paths(app).len() == 3,
            "requests {:?}",
            paths(app)
        );
        // And the image was kept like any other.
        app.poll("two History entries", e2e::UI_TIMEOUT, async || {
            let n = app
                .js(
                    "return document.querySelectorAll('section[aria-label=History] li img').length;",
                    vec![],
                )
                .await?;
            Ok((n == serde_json::json!(2)).then_some(()))
        })
        .await?;

        // The switch belongs to klein: another model still starts on Chat Completions.
        let other = "black-forest-labs/flux.2-pro";
        let select = app.control(Role::Combobox, "Model").await?;
        select.click().await?;
        app.poll("the model list", e2e::UI_TIMEOUT, async || {
            let select = app.control(Role::Combobox, "Model").await?;
            Ok(select.select_by_value(other).await.ok())
        })
        .await?;
        app.generate("a fox by another model").await?;
        let last = app.generation_requests().last().cloned().ok_or("no request")?;
        ensure!(
            last.path == "/api/v1/chat/completions" && last.body["model"] == other,
            "another model went to {} with {}",
            last.path,
            last.body["model"]
        );
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn the_image_api_can_be_chosen_in_settings_and_survives_a_reload() {
    e2e::run(MockConfig::default(), TIMEOUT, async |app| {
        app.open_ready().await?;
        app.set_remember(true).await?;
        app.open_settings().await?;
        app.control(Role::Combobox, "Transport")
            .await?
            .select_by_value("images")
            .await?;
        app.poll("the transport to be saved", e2e::UI_TIMEOUT, async || {
            Ok(app
                .local_storage()
                .await?
                .get("kleinbild.settings.v1")
                .filter(|s| s.contains("\"images_api\":true"))
                .map(|_| ()))
        })
        .await?;
        app.reload().await?;
        app.generate("straight to the image api").await?;
        ensure!(
            paths(app).iter().all(|p| p != "/api/v1/chat/completions"),
            "requests {:?}",
            paths(app)
        );
        ensure!(
            paths(app).last().map(String::as_str) == Some("/api/v1/images"),
            "requests {:?}",
            paths(app)
        );
        Ok(())
    })
    .await;
}
