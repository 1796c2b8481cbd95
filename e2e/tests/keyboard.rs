//! The keyboard: `?` lists the shortcuts (never while typing), the Settings
//! button opens the same list, and Delete removes the focused History image
//! with Undo, keeping the keyboard's place.

use std::time::Duration;

use e2e::{App, MockConfig, Role, UI_TIMEOUT, ensure, run};
use serde_json::json;

const TIMEOUT: Duration = Duration::from_secs(120);

/// Sends `keys` to whatever has focus, as a person typing.
async fn press(app: &App, keys: &str) -> e2e::Result {
    app.client.active_element().await?.send_keys(keys).await?;
    Ok(())
}

/// The accessible name Chromium computes for the open modal dialog, if one is open.
async fn open_dialog(app: &App) -> e2e::Result<Option<String>> {
    let dialog = app
        .client
        .find_all(fantoccini::Locator::Css("dialog[open]"))
        .await?;
    match dialog.first() {
        Some(d) => Ok(Some(app.computed_label(d).await?)),
        None => Ok(None),
    }
}

#[tokio::test]
async fn question_mark_lists_the_shortcuts_but_not_while_typing() {
    run(MockConfig::default(), TIMEOUT, async |app: &App| {
        app.open_ready().await?;
        app.close_settings().await?;
        // Typed into the prompt, `?` is text.
        app.type_prompt("what is this?").await?;
        ensure!(
            app.prompt_value().await? == "what is this?",
            "the prompt lost its question mark"
        );
        ensure!(
            open_dialog(app).await?.is_none(),
            "`?` in the prompt opened a dialog"
        );
        // Outside a field it opens the list, which names every key.
        app.js("document.activeElement.blur();", vec![]).await?;
        press(app, "?").await?;
        app.poll("the shortcuts dialog", UI_TIMEOUT, async || {
            Ok(open_dialog(app)
                .await?
                .filter(|name| name == "Keyboard shortcuts"))
        })
        .await?;
        let listed = app
            .js(
                "return document.querySelector('dialog[open]').innerText;",
                vec![],
            )
            .await?;
        let listed = listed.as_str().unwrap_or_default();
        for key in ["Ctrl/\u{2318} + Enter", "Delete", "Esc", "?"] {
            ensure!(listed.contains(key), "the list has no {key:?}: {listed}");
        }
        press(app, "\u{E00C}").await?; // Escape
        app.poll("the shortcuts dialog to close", UI_TIMEOUT, async || {
            Ok(open_dialog(app).await?.is_none().then_some(()))
        })
        .await?;
        ensure!(
            app.prompt_value().await? == "what is this?",
            "Esc in the dialog changed the prompt"
        );
        // The Settings button opens the same list; its Close button ends it.
        app.open_settings().await?;
        app.control(Role::Button, "Keyboard shortcuts")
            .await?
            .click()
            .await?;
        app.poll(
            "the shortcuts dialog from Settings",
            UI_TIMEOUT,
            async || {
                Ok(open_dialog(app)
                    .await?
                    .filter(|name| name == "Keyboard shortcuts"))
            },
        )
        .await?;
        app.client
            .find(fantoccini::Locator::XPath(
                "//dialog[@open]//button[normalize-space()='Close']",
            ))
            .await?
            .click()
            .await?;
        app.poll("the dialog to close", UI_TIMEOUT, async || {
            Ok(open_dialog(app).await?.is_none().then_some(()))
        })
        .await
    })
    .await;
}

#[tokio::test]
async fn delete_removes_the_focused_history_image_with_undo_and_keeps_the_keyboards_place() {
    run(MockConfig::default(), TIMEOUT, async |app: &App| {
        app.open_ready().await?;
        app.close_settings().await?;
        for prompt in ["first fox", "second fox", "third fox"] {
            app.generate(prompt).await?;
        }
        app.wait_history(&["third fox", "second fox", "first fox"]).await?;

        // Delete in the search field edits the search, never the History.
        let search = app.control(Role::Textbox, "Search history").await?;
        search.click().await?;
        press(app, "\u{E017}").await?; // Delete
        ensure!(
            app.history_prompts().await?.len() == 3,
            "Delete in the search field deleted an image"
        );

        // On a focused thumbnail it deletes that image.
        let thumbnail = app.control(Role::Button, "second fox").await?;
        app.js(
            "arguments[0].focus();",
            vec![serde_json::to_value(&thumbnail)?],
        )
        .await?;
        press(app, "\u{E017}").await?; // Delete
        app.wait_history(&["third fox", "first fox"]).await?;
        let focused_on = app
            .js(
                "return document.activeElement.closest('li')?.querySelector('img')?.alt || '';",
                vec![],
            )
            .await?;
        ensure!(
            focused_on == json!("first fox"),
            "focus should move to the image beside the deleted one, it is on {focused_on}"
        );
        let said = app.wait_text(".gallery__undo", "Deleted").await?;
        ensure!(said.contains("second fox"), "the Undo line says {said:?}");
        app.control(Role::Button, "Undo").await?.click().await?;
        app.wait_history(&["third fox", "second fox", "first fox"]).await?;

        // Backspace (the Mac's delete key) on one of an image's buttons works the same.
        app.js(
            "const li = Array.from(document.querySelectorAll('section[aria-label=History] li'))
               .find(li => li.querySelector('img').alt === 'third fox');
             Array.from(li.querySelectorAll('button')).find(b => b.textContent.trim() === 'Copy prompt').focus();",
            vec![],
        )
        .await?;
        press(app, "\u{E003}").await?; // Backspace
        app.wait_history(&["second fox", "first fox"]).await?;
        // Kept deleted after a reload (Undo not pressed).
        app.poll("the delete to be final", Duration::from_secs(15), async || {
            Ok(app.find(Role::Button, "Undo").await?.is_none().then_some(()))
        })
        .await?;
        app.reload().await?;
        app.wait_history(&["second fox", "first fox"]).await
    })
    .await;
}
