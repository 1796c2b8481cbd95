//! The core flow once in German: a browser that prefers German is sent to
//! the German build (`dist/de/`), whose whole interface is German (the static
//! page before the wasm too); an image is made through the German names; and
//! English is one setting away, and stays chosen.

use std::time::Duration;

use e2e::{App, DEMO_KEY, MockConfig, Role, UI_TIMEOUT, ensure, run_on, xpath_for};

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
async fn the_core_flow_runs_in_german_and_english_is_one_setting_away() {
    let app = App::start_in_languages(MockConfig::default(), e2e::dist_dir(), &["de-DE", "de"])
        .await
        .expect("start the app in a German browser");
    run_on(app, Duration::from_secs(150), async |app: &App| {
        // The static page is German before the wasm runs (the wasm never arrives here).
        app.cdp("Network.enable", serde_json::json!({})).await?;
        app.cdp(
            "Network.setBlockedURLs",
            serde_json::json!({ "urls": ["*.wasm"] }),
        )
        .await?;
        app.client.goto(&app.page_url()).await?;
        app.poll("the German page", UI_TIMEOUT, async || {
            let v = app
                .js(
                    "return location.pathname === '/de/' && document.readyState === 'complete'
                       && document.getElementById('settings-button') !== null;",
                    vec![],
                )
                .await?;
            Ok((v == true).then_some(()))
        })
        .await?;
        let shell = app
            .js(
                "return [location.pathname, document.documentElement.lang, document.title,
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
                    "/de/",
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

        // English is one setting away: its page opens, and stays chosen.
        app.open_settings().await?;
        app.control(Role::Combobox, "Language")
            .await?
            .select_by_value("en")
            .await?;
        let english_ready = async || {
            let found = app
                .client
                .find_all(fantoccini::Locator::XPath(&xpath_for(Role::Button, "Generate")))
                .await?;
            let path = app.js("return location.pathname;", vec![]).await?;
            Ok(match found.first() {
                Some(b) if b.is_enabled().await? && path == "/" => Some(()),
                _ => None,
            })
        };
        app.poll("the English page after choosing English", UI_TIMEOUT, english_ready)
            .await?;
        app.client.refresh().await?;
        app.poll("the English page after a reload", UI_TIMEOUT, english_ready)
            .await?;
        // Both languages read the same History.
        app.poll("the image in the English History", UI_TIMEOUT, async || {
            let shown = app
                .js(
                    "return Array.from(document.querySelectorAll('section[aria-label=History] li img')).map(i => i.alt);",
                    vec![],
                )
                .await?;
            Ok((shown == serde_json::json!([prompt])).then_some(()))
        })
        .await?;
        Ok(())
    })
    .await;
}
