//! The core flow once in German, in the German build (`cargo xtask build
//! --lang de`): the whole interface in German, the static page before the
//! wasm too, and an image made through the German names.

use std::time::Duration;

use e2e::{App, DEMO_KEY, MockConfig, UI_TIMEOUT, ensure, run_on};

/// English catalogue texts still visible on the page (those that German says
/// differently and that are long enough not to be a German word as well).
async fn english_left(app: &App) -> e2e::Result<Vec<String>> {
    let english = e2e::catalogue("en")?;
    let german = e2e::catalogue("de")?;
    let shown = app
        .js("return document.body.innerText;", vec![])
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned();
    Ok(english
        .iter()
        .filter(|(key, text)| german.get(*key) != Some(text) && text.chars().count() >= 8)
        // A template's words up to its first placeholder.
        .map(|(_, text)| text.split('{').next().unwrap_or_default().trim().to_owned())
        .filter(|head| head.chars().count() >= 8 && shows_words(&shown, head))
        .collect())
}

/// Whether `text` holds `words` as whole words ("Favorite" is not in "Favoriten").
fn shows_words(text: &str, words: &str) -> bool {
    text.match_indices(words).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + words.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// The German text of the catalogue entry whose English text starts with `english`.
fn german_for(english: &str) -> e2e::Result<String> {
    let en = e2e::catalogue("en")?;
    let de = e2e::catalogue("de")?;
    let key = en
        .iter()
        .find(|(_, text)| text.starts_with(english))
        .map(|(key, _)| key.clone())
        .ok_or_else(|| format!("no English catalogue text starts with {english:?}"))?;
    Ok(de[&key].clone())
}

#[tokio::test]
async fn the_core_flow_runs_in_german() {
    let dist = e2e::german_dist_dir();
    assert!(
        dist.join("index.html").exists(),
        "no German build in {}: run `cargo xtask build --dev --lang de --dist target/dist-de` (cargo xtask test does)",
        dist.display()
    );
    let app = App::start_in_languages(MockConfig::default(), dist, &["de-DE", "de"])
        .await
        .expect("start the German build in a German browser");
    run_on(app, Duration::from_secs(150), async |app: &App| {
        // The static page is German before the wasm runs (the wasm never arrives here).
        app.cdp("Network.enable", serde_json::json!({})).await?;
        app.cdp(
            "Network.setBlockedURLs",
            serde_json::json!({ "urls": ["*.wasm"] }),
        )
        .await?;
        app.client.goto(&app.page_url()).await?;
        let shell = app
            .js(
                "return [document.documentElement.lang, document.title,
                         document.querySelector('#shell button').textContent,
                         document.querySelector('#shell textarea').placeholder,
                         document.getElementById('settings-button').textContent];",
                vec![],
            )
            .await?;
        let de = e2e::catalogue("de")?;
        ensure!(
            shell
                == serde_json::json!([
                    "de",
                    de["shell_title"],
                    "Erzeugen",
                    de["shell_prompt_placeholder"],
                    "Einstellungen"
                ]),
            "the static page before the app started: {shell}"
        );

        app.cdp("Network.setBlockedURLs", serde_json::json!({ "urls": [] }))
            .await?;
        app.open().await?;
        let lang = app
            .js("return document.documentElement.lang;", vec![])
            .await?;
        ensure!(lang == "de", "<html lang> is {lang} in a German browser");
        ensure!(
            app.say("Generate") == "Erzeugen",
            "the catalogues do not say Erzeugen for Generate"
        );
        let left = english_left(app).await?;
        ensure!(
            left.is_empty(),
            "English on the German start page: {left:?}"
        );

        // A mistake is explained in German.
        app.type_prompt("Ein Leuchtturm im Nebel, Linolschnitt")
            .await?;
        app.click_generate().await?;
        let wanted = german_for("Add your OpenRouter API key first")?;
        let alert = app.wait_any_alert(UI_TIMEOUT).await?;
        ensure!(
            alert.contains(wanted.split('{').next().unwrap_or_default().trim()),
            "the alert says {alert:?}, not the German {wanted:?}"
        );

        // Settings, key, prompt, image, History: all through their German names.
        app.use_mock().await?;
        app.enter_key(DEMO_KEY).await?;
        let prompt = "Ein Leuchtturm im Nebel, Linolschnitt";
        app.generate(prompt).await?;
        app.wait_history(&[prompt]).await?;
        app.wait_idle().await?;
        let left = english_left(app).await?;
        ensure!(
            left.is_empty(),
            "English after generating in German: {left:?}"
        );

        Ok(())
    })
    .await;
}
