//! The static page before the app runs: its Generate can be pressed at once
//! (as on a plain HTML page), and the press is kept until the app runs, which
//! then generates with what was typed.

use std::time::Duration;

use e2e::{App, MockConfig, Role, UI_TIMEOUT, ensure, run};
use serde_json::json;

const TIMEOUT: Duration = Duration::from_secs(120);

/// How the press is made on the static page.
#[derive(Clone, Copy, PartialEq)]
enum Press {
    Click,
    CtrlEnter,
}

/// Loads the page with the wasm held, types `prompt` into the static page and
/// presses Generate; checks the press shows and sends nothing yet.
async fn press_before_the_app_runs(app: &App, prompt: &str, how: Press) -> e2e::Result {
    app.open_ready().await?;
    app.set_remember(true).await?;
    app.cdp(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": e2e::hold_fetch_script("kleinbild_bg") }),
    )
    .await?;
    app.client.refresh().await?;
    app.poll("the static page alone", UI_TIMEOUT, async || {
        let v = app
            .js(
                "return !!document.getElementById('shell')
                   && performance.getEntriesByName('kleinbild:ready').length === 1
                   && !window.__kleinbildWasmMemory;",
                vec![],
            )
            .await?;
        Ok((v == true).then_some(()))
    })
    .await?;
    app.control(Role::Textbox, "Prompt")
        .await?
        .send_keys(prompt)
        .await?;
    let generate = app.control(Role::Button, "Generate").await?;
    ensure!(
        generate.is_enabled().await?,
        "the static page's Generate is disabled"
    );
    match how {
        Press::Click => generate.click().await?,
        Press::CtrlEnter => app.ctrl_enter_in_prompt().await?,
    }
    let shown = app
        .js(
            "return [...document.querySelectorAll('#shell .results__empty')]
               .filter(p => !p.hidden).map(p => p.textContent);",
            vec![],
        )
        .await?;
    ensure!(
        shown == json!([app.say("Starting…")]),
        "after the press the result area says {shown}"
    );
    ensure!(
        app.generation_requests().is_empty(),
        "a request left before the app ran"
    );
    Ok(())
}

/// Lets the wasm arrive; the app must make exactly one image of `prompt`.
async fn the_app_generates(app: &App, prompt: &str) -> e2e::Result {
    app.js("window.__release();", vec![]).await?;
    app.wait_image(prompt, TIMEOUT).await?;
    app.wait_history(&[prompt]).await?;
    let sent = app.generation_requests();
    ensure!(
        sent.len() == 1,
        "one press made {} generation requests",
        sent.len()
    );
    ensure!(
        sent[0].body.to_string().contains(prompt),
        "the request did not carry the typed prompt: {}",
        sent[0].body
    );
    Ok(())
}

#[tokio::test]
async fn generate_clicked_before_the_app_runs_generates_once_it_does() {
    run(MockConfig::default(), TIMEOUT, async |app: &App| {
        let prompt = "Pressed before the app ran: a lighthouse at dawn";
        press_before_the_app_runs(app, prompt, Press::Click).await?;
        the_app_generates(app, prompt).await
    })
    .await;
}

#[tokio::test]
async fn ctrl_enter_before_the_app_runs_generates_and_typing_goes_on_in_the_app() {
    run(MockConfig::default(), TIMEOUT, async |app: &App| {
        let prompt = "Typed before the app ran: a harbor in fog";
        press_before_the_app_runs(app, prompt, Press::CtrlEnter).await?;
        the_app_generates(app, prompt).await?;
        // The keyboard stayed in the prompt through the swap, at its end.
        app.client
            .active_element()
            .await?
            .send_keys(", and gulls")
            .await?;
        let now = app.prompt_value().await?;
        ensure!(
            now == format!("{prompt}, and gulls"),
            "typing after the app replaced the static page gave {now:?}"
        );
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_page_whose_code_cannot_load_says_so_and_keeps_what_was_typed() {
    run(MockConfig::default(), TIMEOUT, async |app: &App| {
        app.cdp("Network.enable", json!({})).await?;
        app.cdp("Network.setBlockedURLs", json!({ "urls": ["*.wasm"] }))
            .await?;
        app.client.goto(&app.page_url()).await?;
        let expected = e2e::catalogue("en")?["shell_boot_failed"].clone();
        let said = app
            .poll("the page to say it could not start", UI_TIMEOUT, async || {
                let v = app
                    .js(
                        "const p = document.querySelector('[role=alert] .alert__message:not([hidden])');
                         return p && p.checkVisibility() ? p.textContent : null;",
                        vec![],
                    )
                    .await?;
                Ok(v.as_str().map(str::to_owned))
            })
            .await?;
        ensure!(said == expected, "the page said {said:?}");
        // The static page is still there to read and copy from.
        let prompt = app.control(Role::Textbox, "Prompt").await?;
        prompt.send_keys("kept").await?;
        ensure!(
            prompt.prop("value").await?.as_deref() == Some("kept"),
            "the prompt no longer takes text"
        );
        Ok(())
    })
    .await;
}
