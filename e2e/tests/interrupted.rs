//! A streamed answer that breaks off after OpenRouter accepted it: the alert
//! says so, then the app asks `GET /generation?id=` (404 until the record
//! appears) with the same key and says what it cost, which counts toward
//! today's spend; or that nothing was billed.

use std::time::Duration;

use e2e::{App, DEMO_KEY, Fault, MockConfig, Role, UI_TIMEOUT, ensure, run};

const TIMEOUT: Duration = Duration::from_secs(120);

/// The record shows up this long after the generation ended (404 before).
fn config() -> MockConfig {
    MockConfig {
        generation_404_ms: 3_000,
        ..MockConfig::default()
    }
}

/// The `GET /generation` lookups the mock saw.
fn lookups(app: &App) -> Vec<e2e::RecordedRequest> {
    app.mock
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/generation"))
        .collect()
}

#[tokio::test]
async fn a_billed_interruption_says_what_it_cost_and_counts_toward_today() {
    run(config(), TIMEOUT, async |app: &App| {
        app.open_ready().await?;
        // A limit, so the line under the prompt shows today's spend.
        app.open_settings().await?;
        let limit = app.control(Role::Textbox, "Spending limit").await?;
        app.replace_text(&limit, "1").await?;
        limit.send_keys("\u{E004}").await?;
        app.wait_text("#api-base-message", "Saved.").await?;
        app.close_settings().await?;
        app.wait_text(".prompt-form__estimate", "today $0.000 of $1.000 limit")
            .await?;

        app.mock.push_fault(Fault::DropAfterBilling);
        app.type_prompt("a picture that breaks off").await?;
        app.click_generate().await?;
        let first = app.wait_alert("interrupted", UI_TIMEOUT).await?;
        ensure!(
            first.contains("asking OpenRouter what it cost") && first.contains("gen-"),
            "the alert should name the generation and say a lookup follows: {first}"
        );
        let said = app
            .wait_alert("OpenRouter billed $0.014 for it", Duration::from_secs(40))
            .await?;
        ensure!(said.contains("interrupted"), "{said}");
        app.wait_text(".prompt-form__estimate", "today $0.014 of $1.000 limit")
            .await?;
        // Asked with the key in the header only, more than once while it was 404.
        let asked = lookups(app);
        ensure!(asked.len() >= 2, "{} lookups", asked.len());
        for r in &asked {
            ensure!(
                r.query.starts_with("id=gen-") && !r.query.contains(DEMO_KEY),
                "lookup query {:?}",
                r.query
            );
            ensure!(
                r.headers.get("authorization").map(String::as_str)
                    == Some(&*format!("Bearer {DEMO_KEY}")),
                "the lookup must use the same key"
            );
        }
        // Still counted after a reload (no History entry holds it).
        app.reload().await?;
        app.wait_text(".prompt-form__estimate", "today $0.014 of $1.000 limit")
            .await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn an_interruption_before_billing_says_nothing_was_billed() {
    run(config(), TIMEOUT, async |app: &App| {
        app.open_ready().await?;
        app.mock.push_fault(Fault::DropBeforeDone);
        app.type_prompt("a picture cut short").await?;
        app.click_generate().await?;
        app.wait_alert("interrupted", UI_TIMEOUT).await?;
        let said = app
            .wait_alert("Nothing was billed for it", Duration::from_secs(40))
            .await?;
        ensure!(said.contains("gen-"), "{said}");
        ensure!(!lookups(app).is_empty(), "no lookup was made");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_lookup_that_never_finds_the_record_says_so_plainly() {
    // The record never shows up within the app's 30 s of asking.
    let config = MockConfig {
        generation_404_ms: 600_000,
        ..MockConfig::default()
    };
    run(config, TIMEOUT, async |app: &App| {
        app.open_ready().await?;
        app.mock.push_fault(Fault::DropAfterBilling);
        app.type_prompt("a picture nobody can price").await?;
        app.click_generate().await?;
        app.wait_alert("interrupted", UI_TIMEOUT).await?;
        let said = app
            .wait_alert("could not find out what it cost", Duration::from_secs(50))
            .await?;
        ensure!(
            said.contains("after 30 seconds") && said.contains("openrouter.ai"),
            "{said}"
        );
        ensure!(lookups(app).len() >= 10, "{} lookups", lookups(app).len());
        Ok(())
    })
    .await;
}
