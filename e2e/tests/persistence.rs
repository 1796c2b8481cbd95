//! What survives a reload: settings always, the key only when "Remember on this device" is
//! ticked; "Forget key" wipes it; invalid API base URLs are refused and never stored.

use std::time::Duration;

use e2e::{App, DEMO_KEY, MockConfig, Role, UI_TIMEOUT, ensure, run};

/// localStorage values that contain the key, as `name=value` (for messages).
async fn stored_key_entries(app: &App) -> e2e::Result<Vec<String>> {
    Ok(app
        .local_storage()
        .await?
        .into_iter()
        .filter(|(k, v)| k.contains(DEMO_KEY) || v.contains(DEMO_KEY))
        .map(|(k, _)| k)
        .collect())
}

/// Generate must refuse without a key: the alert asks for one, the prompt stays, nothing is sent.
async fn generate_asks_for_key(app: &App, prompt: &str) -> e2e::Result {
    let before = app.generation_requests().len();
    app.type_prompt(prompt).await?;
    app.click_generate().await?;
    let alert = app.wait_alert("API key", UI_TIMEOUT).await?;
    ensure!(
        e2e::contains_ci(&alert, "OpenRouter API key"),
        "the alert does not tell where to put the key: {alert:?}"
    );
    let value = app.prompt_value().await?;
    ensure!(
        value == prompt,
        "the prompt changed to {value:?} after the missing-key alert"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = app.generation_requests().len();
    ensure!(
        after == before,
        "Generate without a key still sent {} request(s)",
        after - before
    );
    Ok(())
}

#[tokio::test]
async fn remembered_key_and_settings_survive_a_reload_until_forgotten() {
    run(
        MockConfig::default(),
        Duration::from_secs(90),
        async |app: &App| {
            app.open().await?;
            app.use_mock().await?;
            app.select_aspect_ratio("3:2").await?;
            app.set_remember(true).await?;
            app.enter_key(DEMO_KEY).await?;
            let stored = stored_key_entries(app).await?;
            ensure!(
                !stored.is_empty(),
                "Remember is ticked but the key is not in localStorage"
            );

            app.reload().await?;
            app.open_settings().await?;
            let base = app.value_of(Role::Textbox, "API base URL").await?;
            ensure!(
                base == app.mock.base_url(),
                "after reload API base URL shows {base:?}, expected {:?}",
                app.mock.base_url()
            );
            let ratio = app.value_of(Role::Combobox, "Aspect ratio").await?;
            ensure!(
                ratio == "3:2",
                "after reload the aspect ratio is {ratio:?}, expected \"3:2\""
            );
            let remember = app
                .control(Role::Checkbox, "Remember on this device")
                .await?;
            ensure!(
                remember.is_selected().await?,
                "after reload \"Remember on this device\" is no longer ticked"
            );

            // The remembered key works without pasting it again.
            let prompt = "A red bicycle against a blue wall";
            let (w, h) = app.generate(prompt).await?;
            ensure!(
                (w, h) == (1248, 832),
                "a 3:2 image should be 1248×832, got {w}×{h}"
            );
            let generations = app.generation_requests();
            ensure!(
                generations.len() == 1,
                "expected one generation request, got {}",
                generations.len()
            );
            let auth = generations[0]
                .headers
                .get("authorization")
                .cloned()
                .unwrap_or_default();
            ensure!(
                auth == format!("Bearer {DEMO_KEY}"),
                "after reload the request carried authorization {auth:?}"
            );

            app.forget_key().await?;
            let stored = stored_key_entries(app).await?;
            ensure!(
                stored.is_empty(),
                "after Forget key the key is still in localStorage under {stored:?}"
            );
            generate_asks_for_key(app, "After forgetting, in the same tab").await?;

            app.reload().await?;
            let stored = stored_key_entries(app).await?;
            ensure!(
                stored.is_empty(),
                "after Forget key + reload the key is back in localStorage under {stored:?}"
            );
            generate_asks_for_key(app, "After forgetting and reloading").await?;
            // Settings are not part of forgetting the key.
            app.open_settings().await?;
            let base = app.value_of(Role::Textbox, "API base URL").await?;
            ensure!(
                base == app.mock.base_url(),
                "Forget key changed the API base URL to {base:?}"
            );
            Ok(())
        },
    )
    .await;
}

#[tokio::test]
async fn without_remember_the_key_is_gone_after_reload_but_settings_stay() {
    run(
        MockConfig::default(),
        Duration::from_secs(90),
        async |app: &App| {
            app.open().await?;
            app.use_mock().await?;
            app.select_aspect_ratio("4:3").await?;
            app.enter_key(DEMO_KEY).await?;
            let (w, h) = app.generate("Before the reload").await?;
            ensure!(
                (w, h) == (1184, 864),
                "a 4:3 image should be 1184×864, got {w}×{h}"
            );
            let stored = stored_key_entries(app).await?;
            ensure!(
                stored.is_empty(),
                "Remember is not ticked but the key is in localStorage under {stored:?}"
            );

            app.reload().await?;
            app.open_settings().await?;
            let base = app.value_of(Role::Textbox, "API base URL").await?;
            ensure!(
                base == app.mock.base_url(),
                "after reload API base URL shows {base:?}, expected {:?}",
                app.mock.base_url()
            );
            let ratio = app.value_of(Role::Combobox, "Aspect ratio").await?;
            ensure!(
                ratio == "4:3",
                "after reload the aspect ratio is {ratio:?}, expected \"4:3\""
            );
            let remember = app
                .control(Role::Checkbox, "Remember on this device")
                .await?;
            ensure!(
                !remember.is_selected().await?,
                "after reload \"Remember on this device\" is ticked although it never was"
            );
            generate_asks_for_key(app, "After the reload, without a key").await?;
            Ok(())
        },
    )
    .await;
}

#[tokio::test]
async fn malformed_api_base_urls_are_refused_and_never_saved() {
    run(MockConfig::default(), Duration::from_secs(90), async |app: &App| {
        app.open().await?;
        app.use_mock().await?;
        let good = app.mock.base_url();
        let saved_settings = app.local_storage().await?.get("kleinbild.settings.v1").cloned();
        let bad = [
            ("not a url", &["not saved"][..]),
            // The key would travel unencrypted to a non-loopback host.
            ("http://example.com/api/v1", &["not saved", "https"][..]),
            ("ftp://127.0.0.1/api/v1", &["not saved"][..]),
            ("https://openrouter.ai/api/v1?key=x", &["not saved"][..]),
            ("https://user:pass@openrouter.ai/api/v1", &["not saved"][..]),
        ];
        for (url, phrases) in bad {
            let message = app.save_api_base(url).await?;
            let field = app.control(Role::Textbox, "API base URL").await?;
            ensure!(field.is_displayed().await?, "the API base URL field is not visible");
            // Either the browser's own validation of the url field stops the form (Chrome shows
            // its "Please enter a URL." bubble), or the app refuses it with its own message.
            if let Some(native) = app.native_validation_message(Role::Textbox, "API base URL").await? {
                ensure!(!native.is_empty(), "{url:?} is invalid for the browser but it shows no message");
                eprintln!("note: {url:?} was stopped by the browser's own validation ({native:?}), not by the app");
            } else {
                for phrase in phrases {
                    ensure!(
                        e2e::contains_ci(&message, phrase),
                        "saving API base {url:?}: the message {message:?} does not say {phrase:?}"
                    );
                }
                let invalid = field.attr("aria-invalid").await?;
                ensure!(
                    invalid.as_deref() == Some("true"),
                    "after refusing {url:?} the field is not marked aria-invalid (got {invalid:?})"
                );
            }
            let now = app.local_storage().await?.get("kleinbild.settings.v1").cloned();
            ensure!(now == saved_settings, "refusing {url:?} still changed the stored settings to {now:?}");
        }
        // The refused values did not reach the running app either: generation goes to the mock.
        app.enter_key(DEMO_KEY).await?;
        app.generate("Still talking to the mock").await?;

        app.reload().await?;
        app.open_settings().await?;
        let base = app.value_of(Role::Textbox, "API base URL").await?;
        ensure!(base == good, "after reload API base URL shows {base:?}, expected the last valid one {good:?}");
        let message = app.settings_message().await?;
        ensure!(!e2e::contains_ci(&message, "not saved"), "after reload an old error message is shown: {message:?}");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_remembered_key_outlives_unreadable_settings_and_goes_when_not_wanted() {
    run(
        MockConfig::default(),
        Duration::from_secs(90),
        async |app: &App| {
            app.open().await?;
            app.use_mock().await?;
            app.set_remember(true).await?;
            app.enter_key(DEMO_KEY).await?;

            // Damaged settings are reset, but the stored key still says "remember me".
            app.js(
                "localStorage.setItem('kleinbild.settings.v1', '{damaged');",
                vec![],
            )
            .await?;
            app.reload().await?;
            let remember = app
                .control(Role::Checkbox, "Remember on this device")
                .await?;
            ensure!(
                remember.is_selected().await?,
                "after a settings reset the remembered key's choice is lost"
            );
            ensure!(
                app.control(Role::Button, "Forget key")
                    .await?
                    .is_enabled()
                    .await?,
                "the remembered key is not in use (Forget key is disabled)"
            );
            // The API base was reset too: point it at the mock again, and the key works.
            app.use_mock().await?;
            app.generate("made with the remembered key").await?;
            let auth = app.generation_requests()[0]
                .headers
                .get("authorization")
                .cloned()
                .unwrap_or_default();
            ensure!(auth == format!("Bearer {DEMO_KEY}"), "sent {auth:?}");

            // Settings that say "do not remember" never leave a key behind.
            app.js(
                "const s = JSON.parse(localStorage.getItem('kleinbild.settings.v1'));
                 s.remember_key = false;
                 localStorage.setItem('kleinbild.settings.v1', JSON.stringify(s));",
                vec![],
            )
            .await?;
            app.reload().await?;
            let stored = stored_key_entries(app).await?;
            ensure!(
                stored.is_empty(),
                "with Remember off the key stayed in localStorage under {stored:?}"
            );
            generate_asks_for_key(app, "no key is remembered now").await?;
            Ok(())
        },
    )
    .await;
}
