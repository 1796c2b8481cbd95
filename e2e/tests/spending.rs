//! The spending limit: today's billed total (from History) plus the next
//! images' estimate must fit under it, or nothing is sent; a batch sends what
//! fits and says so; the limit and today's spend show by the prompt.

use std::time::Duration;

use e2e::{App, MockConfig, Role, UI_TIMEOUT, ensure, run};

const TIMEOUT: Duration = Duration::from_secs(120);

/// Types `limit` into Settings → `Spending limit` and waits for "Saved.".
async fn set_limit(app: &App, limit: &str) -> e2e::Result {
    app.open_settings().await?;
    let field = app.control(Role::Textbox, "Spending limit").await?;
    app.replace_text(&field, limit).await?;
    field.send_keys("\u{E004}").await?; // Tab: the change event
    app.wait_text("#api-base-message", "Saved.").await?;
    app.close_settings().await
}

/// The line under the prompt with the estimate (and today's spend).
async fn estimate_line(app: &App, phrase: &str) -> e2e::Result<String> {
    app.wait_text(".prompt-form__estimate", phrase).await
}

#[tokio::test]
async fn a_limit_lets_what_fits_through_and_refuses_the_rest_before_any_request() {
    run(MockConfig::default(), TIMEOUT, async |app: &App| {
        app.open_ready().await?;
        set_limit(app, "0.02").await?;
        estimate_line(app, "today $0.000 of $0.020 limit").await?;

        // One $0.014 image fits under $0.02.
        app.generate("the first of the day").await?;
        estimate_line(app, "today $0.014 of $0.020 limit").await?;
        ensure!(app.generation_requests().len() == 1, "one request");

        // The next one would make $0.028: refused, the mock sees nothing.
        app.type_prompt("one too many").await?;
        app.click_generate().await?;
        let alert = app.wait_alert("spending limit", UI_TIMEOUT).await?;
        ensure!(
            alert.contains("Not sent")
                && alert.contains("$0.020 a day")
                && alert.contains("Billed today: $0.014")
                && alert.contains("Settings"),
            "the refusal should name the limit, today's spend and the way out: {alert}"
        );
        tokio::time::sleep(Duration::from_millis(800)).await;
        ensure!(
            app.generation_requests().len() == 1,
            "a refused image was requested"
        );
        ensure!(
            app.prompt_value().await? == "one too many",
            "the prompt must stay after a refusal"
        );

        // The limit and today's spend (from History) survive a reload.
        app.reload().await?;
        estimate_line(app, "today $0.014 of $0.020 limit").await?;
        // The key was not remembered on this device: paste it again.
        app.enter_key(e2e::DEMO_KEY).await?;

        // A batch sends only what fits: $0.014 spent, $0.05 allows 2 more of 4.
        set_limit(app, "0.05").await?;
        app.set_images(4).await?;
        app.type_prompt("a batch near the limit").await?;
        app.click_generate().await?;
        let alert = app.wait_alert("Sending 2 of 4 images", UI_TIMEOUT).await?;
        ensure!(alert.contains("$0.050 a day"), "{alert}");
        app.wait_results("a batch near the limit", 2).await?;
        app.wait_idle().await?;
        ensure!(
            app.generation_requests().len() == 3,
            "the batch should have sent 2 requests, the mock saw {} in all",
            app.generation_requests().len()
        );
        estimate_line(app, "today $0.042 of $0.050 limit").await?;

        // Empty means no limit again.
        set_limit(app, "").await?;
        let line = app.wait_text(".prompt-form__estimate", "estimated").await?;
        ensure!(!line.contains("limit"), "no limit, no limit line: {line}");
        Ok(())
    })
    .await;
}
