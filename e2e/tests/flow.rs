//! The main flow: settings → key → prompt → image, what goes over the wire, Ctrl+Enter, and
//! the accessible names of the UI contract.

use std::time::{Duration, Instant};

use e2e::{
    App, DEMO_KEY, Fault, KLEIN_MODEL, MockConfig, Outcome, Role, UI_TIMEOUT, bail, ensure, run,
};
use serde_json::json;

/// The seconds in "Sending… N s" or "Generating… N s".
fn elapsed_seconds(progress: &str) -> Option<u64> {
    // "Generating… 4 s", optionally followed by " · processing at the provider".
    let rest = progress.split('\u{2026}').nth(1)?;
    let mut words = rest.split_whitespace();
    let seconds = words.next()?.parse().ok()?;
    (words.next()? == "s").then_some(seconds)
}

#[tokio::test]
async fn full_flow_generates_an_image_and_sends_only_what_it_should() {
    run(
        MockConfig::default(),
        Duration::from_secs(90),
        async |app: &App| {
            app.open().await?;
            app.use_mock().await?;
            app.enter_key(DEMO_KEY).await?;
            let prompt = "A watercolor fox in a snowy forest";
            app.type_prompt(prompt).await?;
            app.mock.push_fault(Fault::Delay { ms: 2500 });
            let clicked = Instant::now();
            app.click_generate().await?;

            // While the mock is "generating": a ticking progress text and a Cancel button.
            let progress = app
                .poll(
                    "progress text \"Sending… N s\" or \"Generating… N s\" with N ≥ 1",
                    Duration::from_secs(5),
                    async || {
                        Ok(app
                            .progress_text()
                            .await?
                            .filter(|t| elapsed_seconds(t).is_some_and(|s| s >= 1)))
                    },
                )
                .await?;
            ensure!(
                clicked.elapsed() < Duration::from_millis(2500),
                "the progress text {progress:?} only appeared after the answer could have arrived"
            );
            // The stream's keep-alives (sent at once, then every second) have
            // lasted long enough to be shown.
            ensure!(
                progress.ends_with(" · processing at the provider"),
                "the phase is not shown after a second of keep-alives: {progress:?}"
            );
            app.control(Role::Button, "Cancel")
                .await
                .map_err(|e| format!("no Cancel button while generating: {e}"))?;
            // The queue never blocks: the next idea can go in at once.
            ensure!(
                app.control(Role::Button, "Generate")
                    .await?
                    .is_enabled()
                    .await?,
                "Generate is not offered while a generation runs"
            );

            let (w, h) = app.wait_image(prompt, Duration::from_secs(15)).await?;
            ensure!(
                clicked.elapsed() >= Duration::from_millis(2400),
                "the image appeared {:?} after the click, before the mock's 2.5 s delay ended",
                clicked.elapsed()
            );
            ensure!(
                (w, h) == (1024, 1024),
                "a 1:1 image should decode to 1024×1024, got {w}×{h}"
            );
            app.wait_idle().await?;
            ensure!(
                app.find(Role::Button, "Cancel").await?.is_none(),
                "Cancel is still shown after the image arrived"
            );
            ensure!(
                app.progress_text().await?.is_none(),
                "the progress text is still shown after the image arrived"
            );
            app.wait_job_status(prompt, "Done").await?;
            let alert = app.alert_text().await?;
            ensure!(
                alert.is_empty(),
                "a successful generation left an alert: {alert:?}"
            );

            // What reached the API.
            let generations = app.generation_requests();
            ensure!(
                generations.len() == 1,
                "expected exactly 1 generation request, the mock saw {}",
                generations.len()
            );
            let r = &generations[0];
            ensure!(
                r.method == "POST" && r.path == "/api/v1/chat/completions",
                "request went to {} {}",
                r.method,
                r.path
            );
            ensure!(
                r.status == Some(200) && r.outcome == Outcome::Completed,
                "mock answered {:?} / {:?}",
                r.status,
                r.outcome
            );
            let header = |name: &str| r.headers.get(name).cloned().unwrap_or_default();
            ensure!(
                header("authorization") == format!("Bearer {DEMO_KEY}"),
                "authorization header is {:?}",
                header("authorization")
            );
            ensure!(
                header("content-type").starts_with("application/json"),
                "content-type is {:?}",
                header("content-type")
            );
            ensure!(
                header("http-referer") == app.page_url(),
                "http-referer is {:?}, expected the page URL {:?}",
                header("http-referer"),
                app.page_url()
            );
            ensure!(
                header("x-openrouter-title") == "Kleinbild",
                "x-openrouter-title is {:?}",
                header("x-openrouter-title")
            );
            let body = &r.body;
            ensure!(
                body["model"] == json!(KLEIN_MODEL),
                "model is {}",
                body["model"]
            );
            ensure!(
                body["messages"] == json!([{ "role": "user", "content": prompt }]),
                "messages are {}",
                body["messages"]
            );
            ensure!(
                body["modalities"] == json!(["image"]),
                "modalities are {}",
                body["modalities"]
            );
            ensure!(
                body["image_config"]["aspect_ratio"] == json!("1:1"),
                "image_config.aspect_ratio is {}",
                body["image_config"]["aspect_ratio"]
            );
            ensure!(
                body["seed"].is_u64(),
                "seed is not a non-negative integer: {}",
                body["seed"]
            );
            contract::validate_request_body(
                contract::Contract::load(),
                "/chat/completions",
                "post",
                body,
            )
            .map_err(|e| format!("the request body breaks the OpenRouter contract: {e}"))?;

            // Nothing else was sent anywhere: every URL the page fetched is the app or the mock.
            let urls = app.fetched_urls().await?;
            let own = format!("{}/", app.site.origin());
            let mock = format!("{}/", app.mock.origin());
            let strays: Vec<&String> = urls
                .iter()
                .filter(|u| {
                    !(u.starts_with(&own)
                        || u.starts_with(&mock)
                        || u.starts_with(&format!("blob:{own}")))
                })
                .collect();
            ensure!(
                strays.is_empty(),
                "the page fetched other origins: {strays:?} (all: {urls:?})"
            );
            ensure!(
                urls.iter()
                    .any(|u| u == &format!("{}/chat/completions", app.mock.base_url())),
                "the resource list does not even show the API call, so it proves nothing: {urls:?}"
            );
            ensure!(
                urls.iter().any(|u| u.ends_with(".wasm")),
                "the resource list does not show the wasm module: {urls:?}"
            );
            for r in app.mock.requests() {
                ensure!(
                    !r.path.contains(DEMO_KEY) && !r.query.contains(DEMO_KEY),
                    "the key appears in a URL: {} {}?{}",
                    r.method,
                    r.path,
                    r.query
                );
                // The generation, and the key check when the key was saved.
                ensure!(
                    ["/api/v1/chat/completions", "/api/v1/key", "/api/v1/models"]
                        .contains(&r.path.as_str()),
                    "the page called the API for something else: {} {}",
                    r.method,
                    r.path
                );
            }
            for head in app.site.requests() {
                ensure!(
                    !head.contains(DEMO_KEY),
                    "the key was sent to the app's own server: {head}"
                );
            }
            let storage = app.local_storage().await?;
            for (k, v) in &storage {
                ensure!(
                    !v.contains(DEMO_KEY) && !k.contains(DEMO_KEY),
                    "the key is in localStorage under {k:?} although Remember was not ticked"
                );
            }
            Ok(())
        },
    )
    .await;
}

#[tokio::test]
async fn ctrl_enter_in_the_prompt_generates_with_the_chosen_aspect_ratio() {
    run(
        MockConfig::default(),
        Duration::from_secs(60),
        async |app: &App| {
            app.open_ready().await?;
            app.select_aspect_ratio("16:9").await?;
            let prompt = "A lighthouse at dusk, wide shot";
            app.type_prompt(prompt).await?;
            app.ctrl_enter_in_prompt().await?;
            let (w, h) = app.wait_image(prompt, UI_TIMEOUT).await?;
            ensure!(
                (w, h) == (1344, 768),
                "a 16:9 image should decode to 1344×768, got {w}×{h}"
            );
            let generations = app.generation_requests();
            ensure!(
                generations.len() == 1,
                "Ctrl+Enter sent {} generation requests, expected 1",
                generations.len()
            );
            let ratio = &generations[0].body["image_config"]["aspect_ratio"];
            ensure!(
                *ratio == json!("16:9"),
                "the mock received aspect_ratio {ratio}, expected \"16:9\""
            );
            let value = app.prompt_value().await?;
            ensure!(
                value == prompt,
                "Ctrl+Enter changed the prompt to {value:?} (a newline typed?)"
            );
            Ok(())
        },
    )
    .await;
}

#[tokio::test]
async fn every_control_of_the_ui_contract_has_its_accessible_name() {
    run(
        MockConfig::default(),
        Duration::from_secs(60),
        async |app: &App| {
            app.open().await?;
            app.open_key_panel().await?;
            app.open_settings().await?;
            let controls = [
                (Role::Password, "OpenRouter API key"),
                (Role::Checkbox, "Remember on this device"),
                (Role::Button, "Forget key"),
                (Role::Button, "Settings"),
                (Role::Textbox, "API base URL"),
                (Role::Textbox, "Prompt"),
                (Role::Button, "Generate"),
                (Role::Spinbutton, "Seed"),
                (Role::Combobox, "Aspect ratio"),
            ];
            let mut problems = Vec::new();
            for (role, name) in controls {
                let Some(el) = app.find(role, name).await? else {
                    problems.push(format!("no {role:?} named {name:?}"));
                    continue;
                };
                if !el.is_displayed().await? {
                    problems.push(format!("{role:?} {name:?} is not visible"));
                }
                // Cross-check with Chromium's own accessibility tree.
                let label = app.computed_label(&el).await?;
                if label.trim() != name {
                    problems.push(format!(
                        "{role:?} {name:?}: Chromium computes the accessible name {label:?}"
                    ));
                }
                let computed = app.computed_role(&el).await?;
                if !role
                    .aria()
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(&computed))
                {
                    problems.push(format!(
                        "{role:?} {name:?}: Chromium computes the role {computed:?}"
                    ));
                }
            }
            let password = app.control(Role::Password, "OpenRouter API key").await?;
            if password.attr("type").await?.as_deref() != Some("password") {
                problems.push("the API key field is not a password input".into());
            }
            let default_base = app.value_of(Role::Textbox, "API base URL").await?;
            if default_base != "https://openrouter.ai/api/v1" {
                problems.push(format!("API base URL defaults to {default_base:?}"));
            }
            let ratio = app.control(Role::Combobox, "Aspect ratio").await?;
            let values = app
                .js(
                    "return Array.from(arguments[0].options).map(o => o.value)",
                    vec![serde_json::to_value(&ratio)?],
                )
                .await?;
            if !values
                .as_array()
                .is_some_and(|v| v.contains(&json!("16:9")) && v.contains(&json!("1:1")))
            {
                problems.push(format!(
                    "Aspect ratio offers {values}, expected values like \"16:9\""
                ));
            }
            // The alert region: role=alert in the DOM from the start, and an "alert" in Chromium's
            // accessibility tree once it says something (Generate without a key).
            let alerts = app
                .client
                .find_all(fantoccini::Locator::Css("[role=alert]"))
                .await?;
            if alerts.is_empty() {
                problems
                    .push("there is no element with role=alert before anything happened".into());
            }
            app.type_prompt("a fox").await?;
            app.click_generate().await?;
            app.wait_alert("API key", UI_TIMEOUT).await?;
            let alerts = app
                .client
                .find_all(fantoccini::Locator::Css("[role=alert]"))
                .await?;
            match alerts.first() {
                None => problems.push("there is no element with role=alert".into()),
                Some(a) => {
                    let role = app.computed_role(a).await?;
                    if role != "alert" {
                        problems.push(format!(
                            "the alert region's computed role is {role:?} while it shows a message"
                        ));
                    }
                    if !a.is_displayed().await? {
                        problems.push(
                            "the alert region is not visible while it shows a message".into(),
                        );
                    }
                }
            }
            if !problems.is_empty() {
                bail!(
                    "accessibility contract broken:\n  {}",
                    problems.join("\n  ")
                );
            }
            Ok(())
        },
    )
    .await;
}

#[tokio::test]
async fn empty_prompt_and_seed_are_checked_and_the_seed_is_sent() {
    run(
        MockConfig::default(),
        Duration::from_secs(60),
        async |app: &App| {
            app.open_ready().await?;
            // An empty prompt is caught before anything is sent, and the prompt gets the focus.
            app.click_generate().await?;
            let alert = app.wait_alert("Type a prompt first", UI_TIMEOUT).await?;
            ensure!(!alert.is_empty(), "no alert for an empty prompt");
            let focused = app
                .js(
                    "return document.activeElement && document.activeElement.tagName",
                    vec![],
                )
                .await?;
            ensure!(
                focused == json!("TEXTAREA"),
                "after the empty-prompt alert the focus is on {focused}, not the prompt"
            );
            ensure!(
                app.generation_requests().is_empty(),
                "an empty prompt was sent to the API"
            );

            // A seed outside 0..=u32::MAX is refused (by the browser's number-field validation or
            // by the app), and nothing is sent.
            let seed = app.control(Role::Spinbutton, "Seed").await?;
            app.replace_text(&seed, "4294967296").await?;
            let prompt = "A lantern on a jetty";
            app.type_prompt(prompt).await?;
            app.click_generate().await?;
            tokio::time::sleep(Duration::from_millis(500)).await;
            let native = app.native_validation_message(Role::Spinbutton, "Seed").await?;
            let alert = app.alert_text().await?;
            ensure!(
                native.is_some() || alert.contains("Seed must be a whole number"),
                "an out-of-range seed was neither refused by the browser nor by the app (alert: {alert:?})"
            );
            ensure!(
                app.generation_requests().is_empty(),
                "an out-of-range seed was still sent: {:?}",
                app.generation_requests().first().map(|r| r.body["seed"].clone())
            );

            // A valid seed reaches the API and is shown with the image.
            let seed = app.control(Role::Spinbutton, "Seed").await?;
            app.replace_text(&seed, "4242").await?;
            app.click_generate().await?;
            app.wait_image(prompt, UI_TIMEOUT).await?;
            let generations = app.generation_requests();
            ensure!(
                generations.len() == 1,
                "expected 1 generation request, got {}",
                generations.len()
            );
            ensure!(
                generations[0].body["seed"] == json!(4242),
                "the mock received seed {}, expected 4242",
                generations[0].body["seed"]
            );
            let shown = app
                .js("return document.body.innerText.includes('seed 4242')", vec![])
                .await?;
            ensure!(
                shown == json!(true),
                "the result does not show \"seed 4242\""
            );
            let alert = app.alert_text().await?;
            ensure!(
                alert.is_empty(),
                "the old alert is still shown after a successful generation: {alert:?}"
            );
            Ok(())
        },
    )
    .await;
}
