//! Prompt helpers: the character count, Clear prompt, ↑/↓ through recent
//! prompts and the `Recent prompts` list.

use std::time::Duration;

use e2e::{App, MockConfig, Role, UI_TIMEOUT, ensure, run};

const TIMEOUT: Duration = Duration::from_secs(60);
const ARROW_UP: &str = "\u{E013}";
const ARROW_DOWN: &str = "\u{E015}";

/// Presses `key` in the prompt and waits for it to read `expected`.
async fn press_in_prompt(app: &App, key: &str, expected: &str) -> e2e::Result {
    app.control(Role::Textbox, "Prompt")
        .await?
        .send_keys(key)
        .await?;
    app.poll(
        &format!("the prompt to read {expected:?}"),
        UI_TIMEOUT,
        async || Ok((app.prompt_value().await? == expected).then_some(())),
    )
    .await
}

#[tokio::test]
async fn the_prompt_counts_clears_and_recalls_recent_prompts() {
    run(MockConfig::default(), TIMEOUT, async |app: &App| {
        app.open_ready().await?;
        app.generate("an older lighthouse").await?;
        app.generate("a newer fox").await?;
        let count = app
            .js(
                "return document.querySelector('.prompt-tools__count').innerText;",
                vec![],
            )
            .await?;
        ensure!(
            count == "11/10000",
            "the count under \"a newer fox\" reads {count}"
        );

        // Clear prompt empties the field and puts the caret back in it.
        app.control(Role::Button, "Clear prompt")
            .await?
            .click()
            .await?;
        app.poll("the prompt to be empty", UI_TIMEOUT, async || {
            Ok(app.prompt_value().await?.is_empty().then_some(()))
        })
        .await?;
        let focused = app
            .js(
                "return document.activeElement.getAttribute('name');",
                vec![],
            )
            .await?;
        ensure!(
            focused == "prompt",
            "after Clear prompt the focus is on {focused}"
        );
        ensure!(
            !app.control(Role::Button, "Clear prompt")
                .await?
                .is_enabled()
                .await?,
            "Clear prompt stays enabled on an empty prompt"
        );

        // ↑ walks back through the prompts, newest first; ↓ comes forward to empty.
        press_in_prompt(app, ARROW_UP, "a newer fox").await?;
        press_in_prompt(app, ARROW_UP, "an older lighthouse").await?;
        press_in_prompt(app, ARROW_DOWN, "a newer fox").await?;
        press_in_prompt(app, ARROW_DOWN, "").await?;

        // The list offers the same, and goes back to its hint after a pick.
        let list = app.control(Role::Combobox, "Recent prompts").await?;
        list.select_by_value("an older lighthouse").await?;
        app.poll(
            "the recent prompt to fill the field",
            UI_TIMEOUT,
            async || Ok((app.prompt_value().await? == "an older lighthouse").then_some(())),
        )
        .await?;
        let shown = app.value_of(Role::Combobox, "Recent prompts").await?;
        ensure!(
            shown.is_empty(),
            "the list stays on {shown:?} after the pick"
        );
        Ok(())
    })
    .await;
}
