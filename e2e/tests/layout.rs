//! The image-first layout: the header's key and Settings buttons and the panels
//! they open, the controls and alerts that stay in view on a desktop, the new
//! job in view on a phone, and the compact per-image actions.

use std::time::Duration;

use e2e::{App, DEMO_KEY, Fault, MockConfig, Role, UI_TIMEOUT, ensure, run};
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(90);

/// The header key button's words and whether its panel is open.
async fn key_button_state(app: &App) -> e2e::Result<(String, String)> {
    let button = app.key_button().await?;
    Ok((
        button.text().await?.trim().to_owned(),
        button.attr("aria-expanded").await?.unwrap_or_default(),
    ))
}

/// The `name` attribute of the focused element.
async fn focused_name(app: &App) -> e2e::Result<String> {
    let v = app
        .js(
            "return document.activeElement.getAttribute('name') || '';",
            vec![],
        )
        .await?;
    Ok(v.as_str().unwrap_or_default().to_owned())
}

/// Whether the element `selector` finds (the last one, if `last`) lies entirely inside the
/// window: `[top, bottom, window height]`.
async fn rect_of(app: &App, selector: &str, last: bool) -> e2e::Result<Value> {
    app.js(
        "const all = document.querySelectorAll(arguments[0]);
         const el = arguments[1] ? all[all.length - 1] : all[0];
         if (!el) return null;
         const r = el.getBoundingClientRect();
         return [r.top, r.bottom, window.innerHeight];",
        vec![json!(selector), json!(last)],
    )
    .await
}

fn in_view(rect: &Value) -> bool {
    let n = |i: usize| rect[i].as_f64().unwrap_or(f64::NAN);
    n(0) >= 0.0 && n(1) <= n(2) && n(1) > n(0)
}

#[tokio::test]
async fn the_header_says_how_the_key_stands_and_opens_its_panels_with_focus_inside() {
    run(MockConfig::default(), TIMEOUT, async |app: &App| {
        app.open().await?;
        // No key yet: the button asks for one and its panel is open.
        let (words, expanded) = key_button_state(app).await?;
        ensure!(
            words == "Add key" && expanded == "true",
            "without a key the header button says {words:?} (expanded {expanded})"
        );
        app.use_mock().await?;
        app.enter_key(DEMO_KEY).await?;
        // OpenRouter confirmed it: the panel folds away, the header says so.
        let (words, expanded) = app
            .poll("the key panel to fold away", UI_TIMEOUT, async || {
                let state = key_button_state(app).await?;
                Ok((state.1 == "false").then_some(state))
            })
            .await?;
        ensure!(
            words == "Key \u{2713}",
            "a working key without a limit reads {words:?} (expanded {expanded})"
        );
        let field = app.control(Role::Password, "OpenRouter API key").await?;
        ensure!(
            !field.is_displayed().await?,
            "the key field still shows after the key worked"
        );
        // A click opens it again, with focus in the key field.
        app.key_button().await?.click().await?;
        app.poll("focus in the key field", UI_TIMEOUT, async || {
            Ok((focused_name(app).await? == "api-key").then_some(()))
        })
        .await?;
        let (_, expanded) = key_button_state(app).await?;
        ensure!(
            expanded == "true",
            "the open key panel's button says expanded={expanded}"
        );

        // Settings: closed until asked for, then open with focus in its first field.
        app.close_settings().await?;
        let base = app.control(Role::Textbox, "API base URL").await?;
        ensure!(!base.is_displayed().await?, "Settings shows while closed");
        app.open_settings().await?;
        ensure!(
            focused_name(app).await? == "api-base",
            "opening Settings did not move focus into it"
        );
        // Forgetting the key asks for one again, in words.
        app.forget_key().await?;
        let (words, _) = key_button_state(app).await?;
        ensure!(
            words == "Add key",
            "after Forget key the header says {words:?}"
        );
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn on_a_desktop_generate_and_alerts_stay_in_view_while_the_results_scroll() {
    run(MockConfig::default(), TIMEOUT, async |app: &App| {
        app.client.set_window_size(1280, 900).await?;
        app.open_ready().await?;
        app.close_settings().await?;
        // Enough images for a page much taller than the window.
        app.set_images(8).await?;
        app.type_prompt("eight tall towers").await?;
        app.click_generate().await?;
        app.wait_results("eight tall towers", 8).await?;
        app.wait_idle().await?;
        let height = app
            .js(
                "return document.documentElement.scrollHeight - window.innerHeight;",
                vec![],
            )
            .await?;
        ensure!(
            height.as_f64().unwrap_or_default() > 900.0,
            "the page is only {height} px taller than the window"
        );
        app.js(
            "window.scrollTo(0, document.documentElement.scrollHeight);",
            vec![],
        )
        .await?;
        let generate = rect_of(app, "button.button--primary", false).await?;
        ensure!(
            in_view(&generate),
            "scrolled to the bottom, Generate is out of view: {generate}"
        );
        // A failure while scrolled down is announced where it can be seen.
        app.set_images(1).await?;
        app.mock.push_fault(Fault::Status { status: 402 });
        app.type_prompt("one more tower").await?;
        app.click_generate().await?;
        app.wait_alert("credit", UI_TIMEOUT).await?;
        let alert = rect_of(app, ".alert--visible", false).await?;
        ensure!(in_view(&alert), "the alert is out of view: {alert}");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn on_a_phone_the_new_job_is_in_view_after_generate_and_actions_are_named_icons() {
    run(MockConfig::default(), TIMEOUT, async |app: &App| {
        app.client.set_window_size(360, 780).await?;
        app.open_ready().await?;
        app.close_settings().await?;
        app.generate("a first fox").await?;
        // Back at the top, the prompt in view, as a person about to press Generate again.
        app.js("window.scrollTo(0, 0);", vec![]).await?;
        app.type_prompt("a second fox").await?;
        app.click_generate().await?;
        app.wait_results("a second fox", 1).await?;
        let newest = rect_of(app, "section[aria-label=Result] img[alt='a second fox']", false).await?;
        ensure!(in_view(&newest), "the new image is out of view: {newest}");

        // The result's Download saves the very bytes History keeps, under the same name.
        app.js(e2e::CAPTURE_DOWNLOADS, vec![]).await?;
        app.js(
            "Array.from(document.querySelectorAll('section[aria-label=Result] figure'))
               .find(f => f.querySelector('img').alt === 'a second fox')
               .querySelector('button').click();",
            vec![],
        )
        .await?;
        let (name, bytes) = app.download(0).await?;
        app.history_button("a second fox", "Download").await?;
        let (kept_name, kept) = app.download(1).await?;
        ensure!(
            bytes.starts_with(b"\x89PNG") && bytes == kept && name == kept_name,
            "the result saved {name:?} ({} bytes), History {kept_name:?} ({} bytes)",
            bytes.len(),
            kept.len()
        );

        // Per-image actions: icon buttons named by their text, the name as tooltip.
        let actions = app
            .js(
                "const li = document.querySelector('section[aria-label=History] li');
                 return li ? Array.from(li.querySelectorAll('button:not(.gallery__open)')).map(b =>
                   [b.textContent.trim(), b.title, Math.round(b.getBoundingClientRect().width)]) : null;",
                vec![],
            )
            .await?;
        let names: Vec<&str> = actions
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a[0].as_str())
            .collect();
        ensure!(
            names
                == [
                    "Download",
                    "Copy image",
                    "Copy prompt",
                    "Reuse settings",
                    "Use as reference",
                    "Favorite",
                    "Delete"
                ],
            "a History item's actions are {actions}"
        );
        ensure!(
            actions
                .as_array()
                .into_iter()
                .flatten()
                .all(|a| a[0] == a[1] && a[2].as_u64().unwrap_or_default() >= 24),
            "every action needs its name as tooltip and at least 24 px: {actions}"
        );
        // The lightbox offers every one of them.
        app.js(
            "document.querySelector('section[aria-label=History] .gallery__open').click();",
            vec![],
        )
        .await?;
        let in_lightbox = app
            .poll("the lightbox's actions", UI_TIMEOUT, async || {
                let v = app
                    .js(
                        "const d = document.querySelector('dialog[aria-label=\"Image details\"]');
                         return d && d.open ? Array.from(d.querySelectorAll('.actions button'))
                           .map(b => b.textContent.trim()) : null;",
                        vec![],
                    )
                    .await?;
                Ok((!v.is_null()).then_some(v))
            })
            .await?;
        ensure!(
            in_lightbox.as_array().map(|a| a.len()) == Some(7)
                && names.iter().all(|n| in_lightbox.as_array().is_some_and(|a| a.contains(&json!(n)))),
            "the lightbox offers {in_lightbox}"
        );
        Ok(())
    })
    .await;
}

/// The computed opacity of the actions of the History item whose image is `alt`.
async fn actions_opacity(app: &App, alt: &str) -> e2e::Result<String> {
    let v = app
        .js(
            "const li = Array.from(document.querySelectorAll('section[aria-label=History] li'))
               .find(li => (li.querySelector('img') || {}).alt === arguments[0]);
             return li ? getComputedStyle(li.querySelector('.actions')).opacity : '';",
            vec![json!(alt)],
        )
        .await?;
    Ok(v.as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn a_history_images_actions_show_on_focus_and_tab_reaches_each_of_them() {
    run(MockConfig::default(), TIMEOUT, async |app: &App| {
        app.open_ready().await?;
        app.close_settings().await?;
        app.generate("reach me by keyboard").await?;
        let thumbnail = app.control(Role::Button, "reach me by keyboard").await?;
        let mouse = app
            .js(
                "return matchMedia('(hover: hover) and (pointer: fine)').matches;",
                vec![],
            )
            .await?;
        // With a mouse the actions wait for hover or focus; without one they always show.
        let resting = actions_opacity(app, "reach me by keyboard").await?;
        let expected = if mouse == json!(true) { "0" } else { "1" };
        ensure!(
            resting == expected,
            "actions at rest have opacity {resting} (mouse: {mouse})"
        );

        app.js(
            "arguments[0].focus();",
            vec![serde_json::to_value(&thumbnail)?],
        )
        .await?;
        let names = [
            "Download",
            "Copy image",
            "Copy prompt",
            "Reuse settings",
            "Use as reference",
            "Favorite",
            "Delete",
        ];
        for name in names {
            app.client
                .active_element()
                .await?
                .send_keys("\u{E004}")
                .await?; // Tab
            let focused = app
                .js("return document.activeElement.textContent.trim();", vec![])
                .await?;
            ensure!(focused == json!(name), "Tab reached {focused}, not {name}");
            app.poll(
                "the focused item's actions to show",
                UI_TIMEOUT,
                async || {
                    Ok((actions_opacity(app, "reach me by keyboard").await? == "1").then_some(()))
                },
            )
            .await?;
        }
        Ok(())
    })
    .await;
}
