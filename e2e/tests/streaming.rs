//! Streamed (SSE) and buffered answers both end in the same image; the stream
//! survives CRLF line ends and writes cut at arbitrary bytes.

use std::time::Duration;

use e2e::{MockConfig, ensure};

const TIMEOUT: Duration = Duration::from_secs(90);

#[tokio::test]
async fn streamed_answers_cut_anywhere_with_crlf_give_the_same_image_as_buffered_ones() {
    let config = MockConfig {
        split_writes: true,
        crlf: true,
        separate_usage_chunk: true,
        large_images: true,
        ..MockConfig::default()
    };
    e2e::run(config, TIMEOUT, async |app| {
        app.open_ready().await?;
        app.set_remember(true).await?;
        let seed = app.control(e2e::Role::Spinbutton, "Seed").await?;
        app.replace_text(&seed, "77").await?;
        app.generate("the same fox, streamed").await?;
        let streamed = app.generation_requests()[0].clone();
        ensure!(streamed.body["stream"] == true, "{}", streamed.body);

        app.set_streaming(false).await?;
        app.generate("the same fox, buffered").await?;
        let buffered = app.generation_requests()[1].clone();
        ensure!(buffered.body["stream"] == false, "{}", buffered.body);

        // Both images are kept whole: History shows two decoded thumbnails and the
        // downloads are exactly what the mock made.
        app.poll("two History entries", e2e::UI_TIMEOUT, async || {
            let n = app
                .js(
                    "return Array.from(document.querySelectorAll('section[aria-label=History] li img')).filter(i => i.complete && i.naturalWidth > 0).length;",
                    vec![],
                )
                .await?;
            Ok((n == serde_json::json!(2)).then_some(()))
        })
        .await?;
        app.js(e2e::CAPTURE_DOWNLOADS, vec![]).await?;
        app.history_button("the same fox, streamed", "Download").await?;
        let (_, bytes) = app.download(0).await?;
        let expected = e2e::replay_image(&app.mock.addr(), &streamed.body).await?;
        ensure!(bytes.len() > 2_000_000, "a large image was expected, got {} bytes", bytes.len());
        ensure!(
            e2e::without_text_chunks(&bytes) == expected,
            "the streamed image differs from what the mock sent"
        );
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn images_the_answer_only_links_to_are_downloaded_without_the_key() {
    let config = MockConfig {
        image_urls: true,
        ..MockConfig::default()
    };
    e2e::run(config, TIMEOUT, async |app| {
        app.open_ready().await?;
        app.generate("a linked fox, streamed").await?;
        app.set_streaming(false).await?;
        app.generate("a linked fox, buffered").await?;
        let files: Vec<_> = app
            .mock
            .requests()
            .into_iter()
            .filter(|r| r.path.starts_with("/files/") && r.method == "GET")
            .collect();
        ensure!(files.len() == 2, "{} image downloads", files.len());
        for file in &files {
            ensure!(
                !file.headers.contains_key("authorization")
                    && !file.headers.values().any(|v| v.contains(e2e::DEMO_KEY)),
                "the key went along with an image download: {:?}",
                file.headers
            );
        }
        // The downloaded bytes are what the API made, and they are kept.
        app.js(e2e::CAPTURE_DOWNLOADS, vec![]).await?;
        app.history_button("a linked fox, buffered", "Download")
            .await?;
        let (_, bytes) = app.download(0).await?;
        let request = app.generation_requests()[1].clone();
        let mut body = request.body.clone();
        body["stream"] = serde_json::json!(false);
        ensure!(
            body["messages"][0]["content"] == "a linked fox, buffered",
            "{body}"
        );
        let expected = kleinbild::generation::verify_image(bytes.clone())
            .map_err(|e| format!("the kept file is not an image: {e}"))?;
        ensure!(
            (expected.width, expected.height) == (1024, 1024),
            "{}x{}",
            expected.width,
            expected.height
        );
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_linked_image_the_browser_cannot_fetch_is_offered_as_a_link_not_lost_silently() {
    let config = MockConfig {
        image_urls: true,
        ..MockConfig::default()
    };
    e2e::run(config, TIMEOUT, async |app| {
        // What a Content-Security-Policy block or a host without CORS looks like to the page.
        app.block_fetches_from_next_load("/files/").await?;
        app.open_ready().await?;
        let prompt = "a fox behind a wall";
        app.type_prompt(prompt).await?;
        app.click_generate().await?;
        let alert = app
            .wait_alert("could not download it", e2e::UI_TIMEOUT)
            .await?;
        let host = app.mock.addr().to_string();
        ensure!(alert.contains(&host), "the alert should name the host: {alert:?}");
        let links = app
            .js(
                "return Array.from(document.querySelectorAll('[role=alert] a')).map(a => [a.textContent.trim(), a.href]);",
                vec![],
            )
            .await?;
        let href = links[0][1].as_str().unwrap_or_default();
        ensure!(
            links[0][0] == "Open the image" && href.starts_with(&format!("http://{host}/files/")),
            "the alert should link to the image: {links}"
        );
        // The link really leads to the image.
        let file = app
            .js(
                "return window.__realFetch(arguments[0]).then(r => r.blob()).then(b => [b.type, b.size]);",
                vec![serde_json::json!(href)],
            )
            .await?;
        ensure!(
            file[0] == "image/png" && file[1].as_u64().unwrap_or(0) > 1000,
            "the link should serve the PNG, got {file}"
        );
        ensure!(app.prompt_value().await? == prompt, "the prompt must stay");
        app.wait_idle().await?;
        ensure!(
            !app.has_image(prompt).await?,
            "no image can be shown (or saved) that was not downloaded"
        );
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn when_one_of_several_linked_images_cannot_be_fetched_the_others_are_kept() {
    let config = MockConfig {
        image_urls: true,
        images_per_answer: 2,
        ..MockConfig::default()
    };
    e2e::run(config, TIMEOUT, async |app| {
        // The answer's second file (`img-2`) is out of reach; the first arrives.
        app.block_fetches_from_next_load("/files/img-2.").await?;
        app.open_ready().await?;
        let prompt = "two foxes, one out of reach";
        app.generate(prompt).await?;
        let alert = app
            .wait_alert("could not download it", e2e::UI_TIMEOUT)
            .await?;
        let links = app
            .js(
                "return Array.from(document.querySelectorAll('[role=alert] a')).map(a => a.href);",
                vec![],
            )
            .await?;
        let host = app.mock.addr();
        ensure!(
            links == serde_json::json!([format!("http://{host}/files/img-2.png")]),
            "the alert should link to the missing image: {links} ({alert:?})"
        );
        // The image that arrived is kept in History.
        app.history_button(prompt, "Favorite").await?;
        let kept = app
            .js(
                "return document.querySelectorAll('section[aria-label=History] li img').length;",
                vec![],
            )
            .await?;
        ensure!(
            kept == 1,
            "History should hold the one image that arrived, has {kept}"
        );
        Ok(())
    })
    .await;
}
