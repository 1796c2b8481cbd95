//! Seed tools: New seed, Keep seed (the same seed each press, or a fresh one
//! after each), Copy seed, and the seed each image was made with.

use std::time::Duration;

use e2e::{App, MockConfig, Role, UI_TIMEOUT, ensure, run};

const TIMEOUT: Duration = Duration::from_secs(60);

async fn seed_field(app: &App) -> e2e::Result<String> {
    app.value_of(Role::Spinbutton, "Seed").await
}

fn last_seed_sent(app: &App) -> Option<u64> {
    app.last_generation_request()
        .ok()
        .and_then(|r| r.body["seed"].as_u64())
}

async fn seed_status(app: &App, phrase: &str) -> e2e::Result<String> {
    app.wait_text("#seed-status", phrase).await
}

#[tokio::test]
async fn new_seed_keep_seed_and_copy_seed_do_what_they_say() {
    run(MockConfig::default(), TIMEOUT, async |app: &App| {
        app.open_ready().await?;
        app.close_settings().await?;
        ensure!(seed_field(app).await?.is_empty(), "the seed starts empty (random)");

        // Copy seed with nothing to copy says why.
        app.control(Role::Button, "Copy seed").await?.click().await?;
        seed_status(app, "No seed to copy").await?;

        app.control(Role::Button, "New seed").await?.click().await?;
        let first: u64 = app
            .poll("New seed to fill the field", UI_TIMEOUT, async || {
                Ok(seed_field(app).await?.parse::<u64>().ok())
            })
            .await?;

        // Keep seed (on by default): every press sends the same seed, and it stays.
        app.generate("kept seed one").await?;
        app.generate("kept seed two").await?;
        ensure!(last_seed_sent(app) == Some(first), "the second press sent {:?}, not {first}", last_seed_sent(app));
        ensure!(seed_field(app).await? == first.to_string(), "the kept seed changed");
        let caption = app
            .js(
                "return Array.from(document.querySelectorAll('section[aria-label=Result] figcaption')).map(c => c.innerText).join(' | ');",
                vec![],
            )
            .await?;
        ensure!(
            caption.as_str().is_some_and(|c| c.contains(&format!("seed {first}"))),
            "the result does not show its seed: {caption}"
        );

        // Keep seed off: the press uses the field's seed, then a fresh one is shown for the next.
        app.control(Role::Checkbox, "Keep seed").await?.click().await?;
        app.generate("fresh seed one").await?;
        ensure!(last_seed_sent(app) == Some(first), "the first press after unticking sent {:?}", last_seed_sent(app));
        let next: u64 = seed_field(app).await?.parse()?;
        ensure!(next != first, "the field kept {first} with Keep seed off");
        app.generate("fresh seed two").await?;
        ensure!(last_seed_sent(app) == Some(next), "the next press sent {:?}, not {next}", last_seed_sent(app));

        app.control(Role::Button, "Copy seed").await?.click().await?;
        seed_status(app, "Seed copied.").await?;
        Ok(())
    })
    .await;
}
