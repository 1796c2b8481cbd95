//! Resolution and Output format: what the request body says, what comes back,
//! what it costs in the estimate, and what a download is called.

use std::time::Duration;

use e2e::{App, MockConfig, Role, ensure, run};

const TIMEOUT: Duration = Duration::from_secs(90);

async fn estimate(app: &App, phrase: &str) -> e2e::Result<String> {
    app.wait_text(".prompt-form__estimate", phrase).await
}

#[tokio::test]
async fn four_megapixels_as_jpeg_go_through_the_images_api_with_size_and_format() {
    run(MockConfig::default(), TIMEOUT, async |app: &App| {
        app.open_ready().await?;
        app.set_remember(true).await?;
        app.close_settings().await?;
        app.js(e2e::CAPTURE_DOWNLOADS, vec![]).await?;
        estimate(app, "about 1024\u{d7}1024 px \u{b7} estimated $0.014").await?;

        // 4 MP: the estimate follows the price rule ($0.017), the hint says where it goes.
        app.choose("Resolution", "4").await?;
        estimate(app, "about 2048\u{d7}2048 px \u{b7} estimated $0.017").await?;
        let hint = app
            .js(
                "return document.getElementById('size-hint').innerText;",
                vec![],
            )
            .await?;
        ensure!(
            hint.as_str()
                .is_some_and(|h| h.contains("2048\u{d7}2048") && h.contains("Images API")),
            "the size hint says {hint}"
        );
        app.choose("Output format", "jpeg").await?;
        let (w, h) = app.generate("a large jpeg fox").await?;
        ensure!((w, h) == (2048, 2048), "the image is {w}x{h}");
        let sent = app.last_generation_request()?;
        ensure!(sent.path.ends_with("/images"), "sent to {}", sent.path);
        ensure!(
            sent.body["size"] == "2048x2048",
            "size {}",
            sent.body["size"]
        );
        ensure!(
            sent.body["output_format"] == "jpeg",
            "format {}",
            sent.body["output_format"]
        );
        ensure!(
            sent.body.get("aspect_ratio").is_none(),
            "a ratio beside the pixel size risks a 400: {}",
            sent.body
        );
        // Shown, kept and downloaded as what it is: JPEG bytes in a .jpg file.
        let src = app
            .js(
                "return document.querySelector('section[aria-label=Result] img').src.slice(0, 30);",
                vec![],
            )
            .await?;
        ensure!(
            src.as_str()
                .is_some_and(|s| s.starts_with("data:image/jpeg") || s.starts_with("blob:")),
            "src {src}"
        );
        app.history_button("a large jpeg fox", "Download").await?;
        let (name, bytes) = app.download(0).await?;
        ensure!(name.ends_with(".jpg"), "downloaded as {name:?}");
        ensure!(
            bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
            "the download is not a JPEG"
        );

        // 2 MP at 16:9: a size of that ratio under 2 MP, so the bill does not round up.
        app.select_aspect_ratio("16:9").await?;
        app.choose("Resolution", "2").await?;
        app.choose("Output format", "png").await?;
        estimate(app, "estimated $0.015").await?;
        let (w, h) = app.generate("a wide fox").await?;
        let sent = app.last_generation_request()?;
        ensure!(
            sent.body["size"] == format!("{w}x{h}"),
            "asked {} and got {w}x{h}",
            sent.body["size"]
        );
        ensure!(
            sent.body["output_format"] == "png",
            "format {}",
            sent.body["output_format"]
        );
        let ratio = w as f64 / h as f64;
        ensure!((ratio - 16.0 / 9.0).abs() < 0.04, "{w}x{h} is not 16:9");
        ensure!(
            w * h <= 2 * 1_048_576 && w * h > 1_048_576 * 3 / 2,
            "{w}x{h} is not about 2 MP"
        );

        // Both survive a reload; back at 1 MP PNG the chosen transport (chat) is used again.
        app.reload().await?;
        ensure!(
            app.value_of(Role::Combobox, "Resolution").await? == "2",
            "the resolution was not kept"
        );
        app.close_settings().await?;
        app.choose("Resolution", "1").await?;
        let before = app.generation_requests().len();
        app.generate("a small fox").await?;
        let sent = app.generation_requests();
        ensure!(sent.len() == before + 1, "{} requests", sent.len() - before);
        let last = sent.last().ok_or("no request")?;
        ensure!(
            last.path.ends_with("/chat/completions"),
            "1 MP PNG went to {}",
            last.path
        );
        ensure!(
            last.body["image_config"]["aspect_ratio"] == "16:9",
            "{}",
            last.body
        );
        Ok(())
    })
    .await;
}
