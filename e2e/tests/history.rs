//! The history survives reloads and storage damage, and its per-image actions work.

use std::time::Duration;

use e2e::{App, MockConfig, Role, UI_TIMEOUT, ensure};
use fantoccini::Locator;
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(120);

/// The thumbnails in the History region: `[alt, naturalWidth, favourite pressed]`.
async fn gallery(app: &App) -> e2e::Result<Vec<(String, u64, bool)>> {
    let v = app
        .js(
            "const region = document.querySelector('section[aria-label=History]');
             if (!region) return [];
             // Thumbnails load lazily: bring them on screen like a user scrolling down.
             region.scrollIntoView();
             return Array.from(region.querySelectorAll('li')).map(li => {
               const img = li.querySelector('img');
               const fav = li.querySelector('button[aria-pressed]');
               return [img ? img.alt : (li.querySelector('[role=img]') || {}).ariaLabel || '',
                       img && img.complete ? img.naturalWidth : 0,
                       fav ? fav.getAttribute('aria-pressed') === 'true' : false];
             });",
            vec![],
        )
        .await?;
    Ok(v.as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| {
                    (
                        i[0].as_str().unwrap_or_default().to_owned(),
                        i[1].as_u64().unwrap_or(0),
                        i[2] == Value::Bool(true),
                    )
                })
                .collect()
        })
        .unwrap_or_default())
}

/// Waits until the gallery shows exactly these prompts (in order) with decoded thumbnails.
async fn wait_gallery(app: &App, prompts: &[&str]) -> e2e::Result<Vec<(String, u64, bool)>> {
    app.poll(
        &format!("the History to show {prompts:?}"),
        UI_TIMEOUT,
        async || {
            let items = gallery(app).await?;
            let alts: Vec<&str> = items.iter().map(|(alt, _, _)| alt.as_str()).collect();
            let decoded = items.iter().all(|(_, w, _)| *w > 0);
            Ok((alts == prompts && decoded).then_some(items))
        },
    )
    .await
}

#[tokio::test]
async fn images_survive_a_reload_with_thumbnails_and_favourites() {
    e2e::run(MockConfig::default(), TIMEOUT, async |app| {
        app.open_ready().await?;
        app.set_remember(true).await?;
        app.generate("a red lighthouse at dusk").await?;
        app.generate("a blue tram in the rain").await?;
        let items = wait_gallery(
            app,
            &["a blue tram in the rain", "a red lighthouse at dusk"],
        )
        .await?;
        assert!(
            items.iter().all(|(_, w, _)| *w <= 256),
            "thumbnails must be at most 256 px: {items:?}"
        );

        app.history_button("a red lighthouse at dusk", "Favorite")
            .await?;
        app.reload().await?;
        app.wait_ready().await?;
        let items = wait_gallery(
            app,
            &["a blue tram in the rain", "a red lighthouse at dusk"],
        )
        .await?;
        assert_eq!(
            items.iter().map(|(_, _, fav)| *fav).collect::<Vec<_>>(),
            [false, true],
            "the favourite survives the reload"
        );

        app.control(Role::Checkbox, "Favorites only")
            .await?
            .click()
            .await?;
        wait_gallery(app, &["a red lighthouse at dusk"]).await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn delete_can_be_undone_and_is_final_afterwards() {
    e2e::run(MockConfig::default(), TIMEOUT, async |app| {
        app.open_ready().await?;
        app.generate("first of two").await?;
        app.generate("second of two").await?;
        wait_gallery(app, &["second of two", "first of two"]).await?;

        app.history_button("first of two", "Delete").await?;
        wait_gallery(app, &["second of two"]).await?;
        app.control(Role::Button, "Undo").await?.click().await?;
        wait_gallery(app, &["second of two", "first of two"]).await?;

        app.history_button("first of two", "Delete").await?;
        wait_gallery(app, &["second of two"]).await?;
        // Past the Undo delay the deletion reaches IndexedDB: a reload must not bring it back.
        tokio::time::sleep(Duration::from_secs(7)).await;
        app.reload().await?;
        app.wait_ready().await?;
        wait_gallery(app, &["second of two"]).await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn reuse_settings_fills_the_form() {
    e2e::run(MockConfig::default(), TIMEOUT, async |app| {
        app.open_ready().await?;
        app.select_aspect_ratio("16:9").await?;
        app.generate("a quiet harbour").await?;
        wait_gallery(app, &["a quiet harbour"]).await?;
        let seed = app
            .generation_requests()
            .last()
            .and_then(|r| r.body["seed"].as_u64())
            .ok_or("no seed sent")?;

        app.type_prompt("something else").await?;
        app.select_aspect_ratio("1:1").await?;
        app.history_button("a quiet harbour", "Reuse settings")
            .await?;
        app.poll(
            "the form to be filled from History",
            UI_TIMEOUT,
            async || {
                let prompt = app.prompt_value().await?;
                let seed_now = app.value_of(Role::Spinbutton, "Seed").await?;
                let ratio = app.value_of(Role::Combobox, "Aspect ratio").await?;
                Ok(
                    (prompt == "a quiet harbour"
                        && seed_now == seed.to_string()
                        && ratio == "16:9")
                        .then_some(()),
                )
            },
        )
        .await
    })
    .await;
}

#[tokio::test]
async fn a_corrupted_index_or_a_wiped_database_loses_nothing_the_other_holds() {
    e2e::run(MockConfig::default(), TIMEOUT, async |app| {
        app.open_ready().await?;
        app.generate("kept in indexeddb").await?;
        wait_gallery(app, &["kept in indexeddb"]).await?;

        // Corrupt the localStorage index: the images are rebuilt from IndexedDB.
        app.js("localStorage.setItem('kleinbild.history.v1', '{broken');", vec![]).await?;
        app.reload().await?;
        app.wait_ready().await?;
        wait_gallery(app, &["kept in indexeddb"]).await?;
        let storage = app.local_storage().await?;
        assert_eq!(storage.get("kleinbild.history.backup").map(String::as_str), Some("{broken"));

        // Wipe IndexedDB: the index still lists the entry, shown as "image missing".
        // The app closes its connection when asked (versionchange), so this completes.
        app.js("indexedDB.deleteDatabase('kleinbild');", vec![]).await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        app.reload().await?;
        app.wait_ready().await?;
        app.poll("the entry to be shown as missing", UI_TIMEOUT, async || {
            let text = app
                .js("return (document.querySelector('section[aria-label=History]') || {}).textContent || '';", vec![])
                .await?;
            Ok(text.as_str().is_some_and(|t| t.contains("Image missing")).then_some(()))
        })
        .await
    })
    .await;
}

/// The lightbox: what it shows (`None` when closed): prompt and decoded width.
async fn lightbox(app: &App) -> e2e::Result<Option<(String, u64)>> {
    let v = app
        .js(
            "const d = document.querySelector('dialog[aria-label=\"Image details\"]');
             if (!d || !d.open) return null;
             const img = d.querySelector('img');
             return [img ? img.alt : '', img && img.complete ? img.naturalWidth : 0];",
            vec![],
        )
        .await?;
    Ok(v.as_array().map(|a| {
        (
            a[0].as_str().unwrap_or_default().to_owned(),
            a[1].as_u64().unwrap_or(0),
        )
    }))
}

async fn press(app: &App, key: &str) -> e2e::Result {
    let focused = app.client.active_element().await?;
    focused.send_keys(key).await?;
    Ok(())
}

#[tokio::test]
async fn lightbox_shows_the_full_image_and_is_keyboard_operable() {
    e2e::run(MockConfig::default(), TIMEOUT, async |app| {
        app.open_ready().await?;
        app.generate("older picture").await?;
        app.generate("newer picture").await?;
        wait_gallery(app, &["newer picture", "older picture"]).await?;

        // Open the newest with the keyboard, like a user tabbing to the thumbnail.
        let thumbnail = app.control(Role::Button, "newer picture").await?;
        app.js(
            "arguments[0].focus();",
            vec![serde_json::to_value(&thumbnail)?],
        )
        .await?;
        press(app, "\u{E007}").await?; // Enter
        app.poll("the lightbox with the full newer image", UI_TIMEOUT, async || {
            Ok(lightbox(app).await?.filter(|(alt, w)| alt == "newer picture" && *w == 1024))
        })
        .await?;

        press(app, "\u{E014}").await?; // ArrowRight
        app.poll("the lightbox to move to the older image", UI_TIMEOUT, async || {
            Ok(lightbox(app).await?.filter(|(alt, w)| alt == "older picture" && *w > 0))
        })
        .await?;

        // Focus is trapped: tabbing around never leaves the dialog.
        for _ in 0..6 {
            press(app, "\u{E004}").await?; // Tab
            let inside = app
                .js("return !!document.activeElement.closest('dialog[aria-label=\"Image details\"]') || document.activeElement === document.body;", vec![])
                .await?;
            assert_eq!(inside, json!(true), "focus left the open lightbox");
        }

        // Copying goes through the real Clipboard API (a click is the user gesture it needs).
        for (button, says) in [("Copy prompt", "Prompt copied."), ("Copy image", "Image copied.")] {
            let xpath = format!("//dialog[@aria-label='Image details']//button[normalize-space()='{button}']");
            app.client.find(Locator::XPath(&xpath)).await?.click().await?;
            app.poll(&format!("{button} to report success"), UI_TIMEOUT, async || {
                let v = app.live_text("Image details").await?;
                Ok((v == says).then_some(()))
            })
            .await?;
        }
        app.js("document.querySelector('dialog[aria-label=\"Image details\"] button').focus();", vec![]).await?;

        press(app, "\u{E00C}").await?; // Escape
        app.poll("the lightbox to close", UI_TIMEOUT, async || {
            Ok(lightbox(app).await?.is_none().then_some(()))
        })
        .await?;
        let back_on = app
            .js("return document.activeElement.querySelector('img')?.alt || '';", vec![])
            .await?;
        assert_eq!(back_on, json!("newer picture"), "focus must return to the thumbnail that opened it");
        Ok(())
    })
    .await;
}

/// What the clipboard holds: its text, or the pixel size of its PNG.
async fn clipboard(app: &App, image: bool) -> e2e::Result<Value> {
    let script = if image {
        "return navigator.clipboard.read()
           .then(items => items[0].getType('image/png'))
           .then(createImageBitmap).then(b => [b.width, b.height]);"
    } else {
        "return navigator.clipboard.readText();"
    };
    app.js(script, vec![]).await
}

#[tokio::test]
async fn each_gallery_item_copies_its_image_and_its_prompt() {
    e2e::run(MockConfig::default(), TIMEOUT, async |app| {
        app.open_ready().await?;
        let origin = app.js("return location.origin;", vec![]).await?;
        app.cdp(
            "Browser.grantPermissions",
            json!({ "origin": origin, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"] }),
        )
        .await?;
        app.generate("a copied view").await?;
        wait_gallery(app, &["a copied view"]).await?;
        for (button, says) in [("Copy prompt", "Prompt copied."), ("Copy image", "Image copied.")] {
            // A real click: the Clipboard API wants a user gesture.
            let xpath = format!(
                "//section[@aria-label='History']//li[.//img[@alt='a copied view']]//button[normalize-space()='{button}']"
            );
            app.client.find(Locator::XPath(&xpath)).await?.click().await?;
            app.poll(&format!("{button} to report success"), UI_TIMEOUT, async || {
                let v = app.live_text("History").await?;
                Ok((v == says).then_some(()))
            })
            .await?;
        }
        // The prompt was copied first, then the image replaced it.
        let size = clipboard(app, true).await?;
        ensure!(size == json!([1024, 1024]), "the clipboard holds an image of {size}");
        let xpath = "//section[@aria-label='History']//li[.//img[@alt='a copied view']]//button[normalize-space()='Copy prompt']";
        app.client.find(Locator::XPath(xpath)).await?.click().await?;
        app.poll("the prompt on the clipboard", UI_TIMEOUT, async || {
            let text = clipboard(app, false).await?;
            Ok((text == json!("a copied view")).then_some(()))
        })
        .await?;
        Ok(())
    })
    .await;
}
