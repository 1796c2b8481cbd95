//! What OpenRouter says about the account: the key check on save.

use std::time::Duration;

use e2e::{App, DEMO_KEY, MockConfig, Role, UI_TIMEOUT, ensure};
use mock_openrouter::KeySpec;

const TIMEOUT: Duration = Duration::from_secs(60);
const LIMITED_KEY: &str = "sk-or-v1-limited-laptop-key-0001";

async fn key_status(app: &App, phrase: &str) -> e2e::Result<String> {
    app.poll(
        &format!("the key status to say {phrase:?}"),
        UI_TIMEOUT,
        async || {
            let text = app.key_status().await?;
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
        // The header says it in a few words, with what is left under the limit.
        let badge = app.key_button().await?.text().await?;
        ensure!(
            badge.trim() == "Key \u{2713} \u{b7} $4.580 left",
            "the header's key button says {badge:?}"
        );

        app.enter_key(DEMO_KEY).await?;
        key_status(app, "no spending limit").await?;

        app.enter_key("sk-or-v1-not-a-key-the-mock-knows").await?;
        key_status(app, "not valid").await?;
        // A refused key keeps its panel open, and the header says why.
        let button = app.key_button().await?;
        let (badge, expanded) = (button.text().await?, button.attr("aria-expanded").await?);
        ensure!(
            badge.trim() == "Key not valid" && expanded.as_deref() == Some("true"),
            "after a refused key the header says {badge:?}, expanded {expanded:?}"
        );

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

#[tokio::test]
async fn the_model_select_lists_openrouters_image_models_and_sends_the_choice() {
    e2e::run(MockConfig::default(), TIMEOUT, async |app| {
        app.open_ready().await?;
        app.set_remember(true).await?;
        let select = app.control(Role::Combobox, "Model").await?;
        select.click().await?;
        let pro = "black-forest-labs/flux.2-pro";
        let labels = app
            .poll("the model list to load", UI_TIMEOUT, async || {
                let select = app.control(Role::Combobox, "Model").await?;
                let v = app
                    .js(
                        "return Array.from(arguments[0].options).map(o => [o.value, o.textContent]);",
                        vec![serde_json::to_value(&select)?],
                    )
                    .await?;
                Ok(v.as_array().filter(|o| o.len() > 1).cloned())
            })
            .await?;
        ensure!(
            labels[0] == serde_json::json!([e2e::KLEIN_MODEL, "Black Forest Labs: FLUX.2 [klein] 4B \u{b7} about $0.014 per image"]),
            "klein first with its price: {labels:?}"
        );
        // Prices come from each model's Images API endpoints: per megapixel (pro), per
        // image (Gemini); a per-token price is never shown as one per image.
        let labels = app
            .poll("the endpoint prices to arrive", UI_TIMEOUT, async || {
                let select = app.control(Role::Combobox, "Model").await?;
                let v = app
                    .js(
                        "return Array.from(arguments[0].options).map(o => [o.value, o.textContent]);",
                        vec![serde_json::to_value(&select)?],
                    )
                    .await?;
                let priced = v.as_array().is_some_and(|o| {
                    o.iter().any(|o| o[0] == "google/gemini-2.5-flash-image" && o[1].as_str().is_some_and(|l| l.contains('$')))
                });
                Ok(priced.then_some(v))
            })
            .await?;
        let label = |id: &str| {
            labels
                .as_array()
                .and_then(|o| o.iter().find(|o| o[0] == id))
                .and_then(|o| o[1].as_str())
                .unwrap_or_default()
                .to_owned()
        };
        ensure!(label(pro) == "Black Forest Labs: FLUX.2 [pro] \u{b7} about $0.030 per image", "{labels}");
        ensure!(
            label("google/gemini-2.5-flash-image") == "Google: Gemini 2.5 Flash Image \u{b7} about $0.039 per image",
            "{labels}"
        );
        ensure!(
            label("openai/gpt-5-image-mini") == "OpenAI: GPT-5 Image Mini \u{b7} price on OpenRouter",
            "{labels}"
        );
        let labels = labels.as_array().cloned().unwrap_or_default();
        // The endpoints are public too: asked without the key.
        let priced: Vec<_> = app
            .mock
            .requests()
            .into_iter()
            .filter(|r| r.path.starts_with("/api/v1/images/models/") && r.path.ends_with("/endpoints"))
            .collect();
        ensure!(priced.len() >= 3, "{} endpoint requests", priced.len());
        ensure!(
            priced.iter().all(|r| !r.headers.contains_key("authorization")),
            "the key went to a public endpoint"
        );
        ensure!(
            !labels.iter().any(|o| o[0] == "openai/gpt-4o-mini"),
            "a text-only model is listed: {labels:?}"
        );
        // The list is public: fetched without the key.
        let fetches: Vec<_> = app
            .mock
            .requests()
            .into_iter()
            .filter(|r| r.path == "/api/v1/models" && r.method == "GET")
            .collect();
        ensure!(fetches.len() == 1, "{} model list fetches", fetches.len());
        ensure!(
            fetches[0].query.contains("output_modalities=image"),
            "query {:?}",
            fetches[0].query
        );

        app.control(Role::Combobox, "Model")
            .await?
            .select_by_value(pro)
            .await?;
        // A model without a price per image: the estimate says where it is, the hint links there.
        let estimate_says = async |phrase: &str| app.wait_text(".prompt-form__estimate", phrase).await;
        app.type_prompt("made with the pro model").await?;
        app.control(Role::Combobox, "Model")
            .await?
            .select_by_value("openai/gpt-5-image-mini")
            .await?;
        let estimate = estimate_says("price on OpenRouter").await?;
        ensure!(!estimate.contains('$'), "a per-token model's estimate shows {estimate:?}");
        let link = app
            .js("const a = document.querySelector('#model-hint a'); return a && [a.href, a.textContent];", vec![])
            .await?;
        ensure!(
            link == serde_json::json!(["https://openrouter.ai/openai/gpt-5-image-mini", "price on OpenRouter"]),
            "the hint links to {link}"
        );
        // Gemini's flat price, and pro's per-megapixel one: estimate and batch total from the same source.
        app.control(Role::Combobox, "Model")
            .await?
            .select_by_value("google/gemini-2.5-flash-image")
            .await?;
        estimate_says("estimated $0.039").await?;
        app.control(Role::Combobox, "Model")
            .await?
            .select_by_value(pro)
            .await?;
        estimate_says("estimated $0.030").await?;
        app.set_images(2).await?;
        estimate_says("2 images \u{b7} estimated $0.060").await?;
        app.set_images(1).await?;
        app.generate("made with the pro model").await?;
        let sent = app.generation_requests().last().cloned().ok_or("no request")?;
        ensure!(sent.body["model"] == pro, "sent model {}", sent.body["model"]);

        // After a reload the choice stays and the cached list is used (no new fetch).
        app.reload().await?;
        let model = app.value_of(Role::Combobox, "Model").await?;
        ensure!(model == pro, "after a reload the model is {model:?}");
        app.control(Role::Combobox, "Model").await?.click().await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let fetches = app
            .mock
            .requests()
            .into_iter()
            .filter(|r| r.path == "/api/v1/models")
            .count();
        // (A plain GET without custom headers: not even a CORS preflight.)
        ensure!(fetches == 1, "the list was fetched again despite the cache ({fetches})");
        // The prices came from the cache too.
        let pro_label = app
            .js(
                "return document.querySelector('select[name=model] option[value=\"black-forest-labs/flux.2-pro\"]').textContent;",
                vec![],
            )
            .await?;
        ensure!(pro_label.as_str().is_some_and(|l| l.ends_with("about $0.030 per image")), "after a reload pro says {pro_label}");
        let asked = app
            .mock
            .requests()
            .into_iter()
            .filter(|r| r.path.ends_with("/endpoints"))
            .count();
        ensure!(asked == priced.len(), "prices were asked again despite the cache ({asked})");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn sign_in_with_openrouter_round_trip_and_bad_codes_are_explained() {
    e2e::run(MockConfig::default(), TIMEOUT, async |app| {
        app.open().await?;
        app.use_mock().await?;
        app.control(Role::Button, "Sign in with OpenRouter")
            .await?
            .click()
            .await?;
        // Off to the mock's consent page, straight back with ?code=, exchanged for a key.
        let text = key_status(app, "OAuth key (mock)").await?;
        ensure!(text.contains("no spending limit"), "{text:?}");
        let search = app.js("return location.search;", vec![]).await?;
        ensure!(search == serde_json::json!(""), "the code stayed in the URL: {search}");
        let pending = app
            .js("return sessionStorage.getItem('kleinbild.oauth.v1');", vec![])
            .await?;
        ensure!(pending.is_null(), "the verifier outlived the sign-in: {pending}");

        let exchanges: Vec<_> = app
            .mock
            .requests()
            .into_iter()
            .filter(|r| r.path == "/api/v1/auth/keys" && r.method == "POST")
            .collect();
        ensure!(exchanges.len() == 1, "{} exchanges", exchanges.len());
        let body = &exchanges[0].body;
        ensure!(body["code_challenge_method"] == "S256", "{body}");
        let verifier = body["code_verifier"].as_str().unwrap_or_default().to_owned();
        ensure!(verifier.len() == 43, "verifier {verifier:?}");
        let code = body["code"].as_str().unwrap_or_default().to_owned();

        // The new key works for generating.
        app.generate("made after signing in").await?;

        // The same code again (e.g. from the browser history): single use, explained.
        app.js(
            "sessionStorage.setItem('kleinbild.oauth.v1', JSON.stringify({verifier: arguments[0], api_base: arguments[1]}));",
            vec![serde_json::json!(verifier), serde_json::json!(app.mock.base_url())],
        )
        .await?;
        app.client
            .goto(&format!("{}?code={code}", app.page_url()))
            .await?;
        app.wait_ready().await?;
        app.wait_alert("already used", UI_TIMEOUT).await?;

        // A code without a sign-in started in this tab is not used, and that is said.
        app.client
            .goto(&format!("{}?code=0123456789abcdef", app.page_url()))
            .await?;
        app.wait_ready().await?;
        app.wait_alert("no sign-in was started in this tab", UI_TIMEOUT)
            .await?;
        let search = app.js("return location.search;", vec![]).await?;
        ensure!(search == serde_json::json!(""), "the code stayed in the URL: {search}");
        let exchanges = app
            .mock
            .requests()
            .into_iter()
            .filter(|r| r.path == "/api/v1/auth/keys" && r.method == "POST")
            .count();
        ensure!(exchanges == 2, "{exchanges} exchanges: the stray code was sent");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn without_a_model_list_klein_stays_available_and_the_reason_is_shown() {
    e2e::run(MockConfig::default(), TIMEOUT, async |app| {
        app.open().await?;
        // Nothing listens on port 9 (discard): the list cannot be fetched.
        let message = app.save_api_base("http://127.0.0.1:9/api/v1").await?;
        ensure!(message.contains("Saved"), "{message:?}");
        app.control(Role::Combobox, "Model").await?.click().await?;
        let hint = app
            .poll(
                "the model list failure to be explained",
                UI_TIMEOUT,
                async || {
                    let v = app
                        .js(
                            "return document.getElementById('model-hint').textContent;",
                            vec![],
                        )
                        .await?;
                    let text = v.as_str().unwrap_or_default().to_owned();
                    Ok(text.contains("could not be loaded").then_some(text))
                },
            )
            .await?;
        ensure!(
            hint.contains("FLUX.2 [klein] 4B is always available"),
            "{hint:?}"
        );
        let select = app.control(Role::Combobox, "Model").await?;
        let options = app
            .js(
                "return Array.from(arguments[0].options).map(o => o.value);",
                vec![serde_json::to_value(&select)?],
            )
            .await?;
        ensure!(
            options == serde_json::json!([e2e::KLEIN_MODEL]),
            "{options}"
        );
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn an_expired_sign_in_code_is_explained() {
    let config = MockConfig {
        oauth_code_ttl_ms: 0,
        ..MockConfig::default()
    };
    e2e::run(config, TIMEOUT, async |app| {
        app.open().await?;
        app.use_mock().await?;
        app.control(Role::Button, "Sign in with OpenRouter")
            .await?
            .click()
            .await?;
        app.wait_alert("expired", UI_TIMEOUT).await?;
        let key = app.key_status().await?;
        ensure!(
            key.contains("No key yet"),
            "a key is in use after a failed sign-in: {key}"
        );
        Ok(())
    })
    .await;
}
