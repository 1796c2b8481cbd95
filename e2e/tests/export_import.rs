//! Downloads are the bytes the API returned; export → clear → import restores
//! identical images and metadata; hostile files are refused.

use std::time::Duration;

use e2e::archive::{export_zip, read_export, write_stored};
use e2e::{App, MockConfig, Role, UI_TIMEOUT};
use serde_json::json;

const TIMEOUT: Duration = Duration::from_secs(150);

/// What the History region announces ("Imported 2 images.").
async fn gallery_status(app: &App) -> e2e::Result<String> {
    app.live_text("History").await
}

#[tokio::test]
async fn download_export_clear_import_round_trip() {
    e2e::run(MockConfig::default(), TIMEOUT, async |app| {
        app.open_ready().await?;
        app.generate("round trip one").await?;
        app.generate("round trip two").await?;
        app.wait_history(&["round trip two", "round trip one"])
            .await?;
        let sent = app.generation_requests();
        let mut returned = Vec::new();
        for request in &sent {
            returned.push(e2e::replay_image(&app.mock.addr(), &request.body).await?);
        }
        app.js(e2e::CAPTURE_DOWNLOADS, vec![]).await?;

        // Download: the bytes the API returned plus the settings' text chunks,
        // under a prompt + seed name.
        app.history_button("round trip one", "Download").await?;
        let (name, bytes) = app.download(0).await?;
        let seed = sent[0].body["seed"].as_u64().unwrap_or_default();
        assert_eq!(name, format!("round-trip-one-{seed}.png"));
        assert!(
            bytes != returned[0] && e2e::without_text_chunks(&bytes) == returned[0],
            "the download should be the API's image with the settings chunks added"
        );

        // Export: one zip with both images, byte for byte, and their metadata.
        app.control(Role::Button, "Export history")
            .await?
            .click()
            .await?;
        let (zip_name, zip) = app.download(1).await?;
        assert!(
            zip_name.starts_with("kleinbild-history-") && zip_name.ends_with(".zip"),
            "{zip_name}"
        );
        let plan = read_export(&zip).map_err(|e| format!("the export does not read back: {e}"))?;
        let mut exported: Vec<_> = plan
            .entries
            .iter()
            .map(|(e, b)| (e.prompt.clone(), e.seed, b.clone()))
            .collect();
        exported.sort();
        let mut expected: Vec<_> = sent
            .iter()
            .zip(&returned)
            .map(|(r, b)| {
                (
                    r.body["messages"][0]["content"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    r.body["seed"].as_u64().unwrap_or_default() as u32,
                    b.clone(),
                )
            })
            .collect();
        expected.sort();
        assert!(
            exported == expected,
            "the export's images or metadata differ from what was generated"
        );

        // Clear (two steps), and it stays cleared after a reload.
        app.control(Role::Button, "Clear history")
            .await?
            .click()
            .await?;
        app.control(Role::Button, "Delete all 2 images")
            .await?
            .click()
            .await?;
        app.wait_history(&[]).await?;
        app.reload().await?;
        app.wait_ready().await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        app.wait_history(&[]).await?;

        // Import restores both; importing again skips them as duplicates.
        app.js(e2e::CAPTURE_DOWNLOADS, vec![]).await?;
        app.import_history_file(&zip).await?;
        app.wait_history(&["round trip two", "round trip one"])
            .await?;
        let status = gallery_status(app).await?;
        assert!(status.contains("Imported 2 images"), "{status:?}");
        app.history_button("round trip two", "Download").await?;
        let (_, bytes) = app.download(0).await?;
        assert!(
            e2e::without_text_chunks(&bytes) == returned[1],
            "an imported image differs from the original"
        );
        app.import_history_file(&zip).await?;
        app.poll("the duplicate import summary", UI_TIMEOUT, async || {
            let s = gallery_status(app).await?;
            Ok(
                (s.contains("Imported 0 images") && s.contains("2 already in your history"))
                    .then_some(()),
            )
        })
        .await?;
        app.wait_history(&["round trip two", "round trip one"])
            .await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn hostile_or_broken_files_are_refused_with_a_clear_message() {
    e2e::run(MockConfig::default(), TIMEOUT, async |app| {
        app.open_ready().await?;
        app.generate("stays untouched").await?;
        app.wait_history(&["stays untouched"]).await?;

        let manifest = |prompt: &str| {
            json!({"format": "kleinbild-history", "version": 1, "exported_ms": 1.0, "entries": [{
                "id": "img-1-00000001", "created_ms": 1.0, "prompt": prompt,
                "model": "black-forest-labs/flux.2-klein-4b", "seed": 1, "aspect_ratio": "1:1",
                "width": 1, "height": 1, "cost_usd": 0.014, "mime": "image/png", "bytes": 20,
                "generation_id": null, "favorite": false, "file": "images/img-1-00000001.png"}]})
            .to_string()
        };
        let html_as_png = manifest("<img src=x onerror=alert(1)>");
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("not a zip", b"<html>definitely not a zip</html>".to_vec()),
            (
                "HTML bytes named .png",
                write_stored(&[
                    ("history.json", html_as_png.as_bytes()),
                    ("images/img-1-00000001.png", b"<script>alert(1)</script>"),
                ])?,
            ),
            (
                "bad JSON",
                write_stored(&[("history.json", b"{\"entries\": [")])?,
            ),
            ("no manifest", write_stored(&[("readme.txt", b"hello")])?),
        ];
        for (what, bytes) in cases {
            app.import_history_file(&bytes).await?;
            let alert = app
                .wait_alert("Import failed", UI_TIMEOUT)
                .await
                .map_err(|e| format!("{what}: {e}"))?;
            assert!(
                alert.len() > "Import failed".len() + 10,
                "{what}: the message should say what is wrong: {alert}"
            );
            app.control(Role::Button, "Dismiss").await?.click().await?;
            assert_eq!(
                app.history_prompts().await?,
                ["stays untouched"],
                "{what}: the history must not change"
            );
        }
        // Nothing a hostile file carried was turned into markup.
        let injected = app
            .js(
                "return document.querySelectorAll('img[src=x]').length;",
                vec![],
            )
            .await?;
        assert_eq!(injected, json!(0));
        Ok(())
    })
    .await;
}

/// How many reference images IndexedDB holds.
async fn stored_references(app: &App) -> e2e::Result<u64> {
    let v = app
        .js(
            "return new Promise((resolve, reject) => {
               const open = indexedDB.open('kleinbild');
               open.onsuccess = () => {
                 const db = open.result;
                 const count = db.transaction('refs').objectStore('refs').count();
                 count.onsuccess = () => { db.close(); resolve(count.result); };
                 count.onerror = () => reject(count.error);
               };
               open.onerror = () => reject(open.error);
             });",
            vec![],
        )
        .await?;
    v.as_u64().ok_or_else(|| format!("refs count {v}").into())
}

#[tokio::test]
async fn references_and_models_survive_export_clear_import() {
    e2e::run(MockConfig::default(), TIMEOUT, async |app| {
        app.open_ready().await?;
        app.generate("the base image").await?;
        let base = app.last_generated_image().await?;
        app.history_button("the base image", "Use as reference")
            .await?;
        app.poll("one reference", UI_TIMEOUT, async || {
            Ok((app.reference_count().await? == 1).then_some(()))
        })
        .await?;
        app.generate("the edited image").await?;
        app.wait_history(&["the edited image", "the base image"])
            .await?;
        assert_eq!(stored_references(app).await?, 1);

        app.js(e2e::CAPTURE_DOWNLOADS, vec![]).await?;
        app.control(Role::Button, "Export history")
            .await?
            .click()
            .await?;
        let (_, zip) = app.download(0).await?;
        let plan = read_export(&zip).map_err(|e| format!("the export does not read back: {e}"))?;
        assert_eq!(plan.references.len(), 1, "one reference image, once");
        assert!(plan.references[0].1 == base, "the reference bytes changed");
        let edited = plan
            .entries
            .iter()
            .find(|(e, _)| e.prompt == "the edited image")
            .ok_or("edited entry missing")?;
        assert_eq!(edited.0.references, [plan.references[0].0.clone()]);

        // An image made with another model, as an older export could hold.
        let image = kleinbild::generation::verify_image(base.clone())
            .map_err(|e| format!("mock image: {e}"))?;
        let other = kleinbild::storage::HistoryEntry {
            id: "img-5-00000005".into(),
            created_ms: 5.0,
            prompt: "made with pro".into(),
            model: "black-forest-labs/flux.2-pro".into(),
            seed: 5,
            aspect_ratio: "1:1".into(),
            width: image.width,
            height: image.height,
            cost_usd: None,
            mime: "image/png".into(),
            bytes: 0,
            generation_id: None,
            favorite: false,
            references: Vec::new(),
        };
        let pro_zip = export_zip(&[(other, base.clone())], &[], 0.0)?;

        // Clear: the reference image goes with the last entry that used it.
        app.remove_all_references().await?;
        app.control(Role::Button, "Clear history")
            .await?
            .click()
            .await?;
        app.control(Role::Button, "Delete all 2 images")
            .await?
            .click()
            .await?;
        app.wait_history(&[]).await?;
        app.poll(
            "the reference store to be emptied",
            UI_TIMEOUT,
            async || Ok((stored_references(app).await? == 0).then_some(())),
        )
        .await?;

        // Import, then Reuse settings restores the reference from the import.
        app.reload().await?;
        app.import_history_file(&zip).await?;
        app.wait_history(&["the edited image", "the base image"])
            .await?;
        assert_eq!(stored_references(app).await?, 1);
        app.history_button("the edited image", "Reuse settings")
            .await?;
        app.poll("the reference to come back", UI_TIMEOUT, async || {
            Ok((app.reference_count().await? == 1).then_some(()))
        })
        .await?;

        app.import_history_file(&pro_zip).await?;
        app.wait_history(&["the edited image", "the base image", "made with pro"])
            .await?;
        app.history_button("made with pro", "Reuse settings")
            .await?;
        app.poll("the model to be reused", UI_TIMEOUT, async || {
            let model = app.value_of(Role::Combobox, "Model").await?;
            Ok((model == "black-forest-labs/flux.2-pro").then_some(()))
        })
        .await?;
        assert_eq!(
            app.reference_count().await?,
            0,
            "that entry had no references"
        );
        Ok(())
    })
    .await;
}
