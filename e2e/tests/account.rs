//! What OpenRouter says about the account: the key check on save.

use std::time::Duration;

use e2e::{App, DEMO_KEY, MockConfig, UI_TIMEOUT, ensure};
use mock_openrouter::KeySpec;

const TIMEOUT: Duration = Duration::from_secs(60);
const LIMITED_KEY: &str = "sk-or-v1-limited-laptop-key-0001";

async fn key_status(app: &App, phrase: &str) -> e2e::Result<String> {
    app.poll(
        &format!("the key status to say {phrase:?}"),
        UI_TIMEOUT,
        async || {
            let v = app
                .js(
                    "return document.querySelector('.key-panel__status').textContent;",
                    vec![],
                )
                .await?;
            let text = v.as_str().unwrap_or_default().to_owned();
            Ok(text.contains(phrase).then_some(text))
        },
    )
    .await
}

#[tokio::test]
async fn saving_a_key_shows_its_label_usage_and_limit_or_says_it_is_invalid() {
    let config = MockConfig {
        keys: vec![KeySpec {
            key: LIMITED_KEY.into(),
            label: "Laptop <b>".into(),
            limit: Some(5.0),
            usage: 0.42,
            management: false,
        }],
        ..MockConfig::default()
    };
    e2e::run(config, TIMEOUT, async |app| {
        app.open().await?;
        app.use_mock().await?;

        app.enter_key(LIMITED_KEY).await?;
        let text = key_status(app, "left").await?;
        ensure!(
            text.contains("Key \u{201c}Laptop <b>\u{201d}: $0.420 used, $4.580 of $5.000 left."),
            "{text:?}"
        );
        ensure!(
            !text.contains(LIMITED_KEY),
            "the status shows the whole key: {text:?}"
        );

        app.enter_key(DEMO_KEY).await?;
        key_status(app, "no spending limit").await?;

        app.enter_key("sk-or-v1-not-a-key-the-mock-knows").await?;
        key_status(app, "not valid").await?;

        // Each check went to /key with the key as a bearer token, never in the URL.
        let checks: Vec<_> = app
            .mock
            .requests()
            .into_iter()
            .filter(|r| r.path.ends_with("/key") && r.method == "GET")
            .collect();
        ensure!(checks.len() == 3, "{} key checks", checks.len());
        ensure!(
            checks
                .iter()
                .all(|r| r.status == Some(200) || r.status == Some(401)),
            "statuses {:?}",
            checks.iter().map(|r| r.status).collect::<Vec<_>>()
        );
        Ok(())
    })
    .await;
}
