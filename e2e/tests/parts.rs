//! The app as a small core plus parts that load when needed: the first load is
//! the studio alone, every part arrives (styled) and works, and nothing that
//! loads after the first paint moves what is already on screen.

use std::time::Duration;

use e2e::{App, MockConfig, Result, Role, ensure};
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(90);

/// Records layout shifts (none of them caused by input) from the first byte on.
const OBSERVE_SHIFTS: &str = "window.__shifts = [];
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) {
      if (!e.hadRecentInput) window.__shifts.push([e.value, (e.sources || []).map(s => s.node ? s.node.outerHTML.slice(0, 80) : '?').join(' | ')]);
    }
  }).observe({ type: 'layout-shift', buffered: true });
  // The width of History's first Favorite button as it is first drawn: the
  // part's own stylesheet makes it 24 px, so anything else was drawn unstyled.
  new MutationObserver((_, observer) => {
    const button = Array.from(document.querySelectorAll('section[aria-label=History] li button'))
      .find(b => b.textContent.trim() === 'Favorite');
    if (!button) return;
    window.__firstActionWidth = getComputedStyle(button).width;
    observer.disconnect();
  }).observe(document, { childList: true, subtree: true });";

/// The files a page fetched before the app ran (its `kleinbild:app-ready` mark).
async fn fetched_before_ready(app: &App) -> Result<Vec<String>> {
    let files = app
        .js(
            "const ready = performance.getEntriesByName('kleinbild:app-ready')[0];
             if (!ready) return null;
             return performance.getEntriesByType('resource')
               .filter(r => r.startTime <= ready.startTime)
               .map(r => new URL(r.name).pathname.split('/').pop());",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(files)?)
}

/// Waits until every part that shows from the start is on screen.
async fn wait_parts_shown(app: &App) -> Result {
    app.poll(
        "the key panel, options, Settings and History",
        TIMEOUT,
        async || {
            let key = app.find(Role::Textbox, "OpenRouter API key").await?;
            let model = app.find(Role::Combobox, "Model").await?;
            let settings = app.find(Role::Button, "Settings").await?;
            let history = app
                .js(
                    "return !!document.querySelector('section[aria-label=History]:not([aria-busy])');",
                    vec![],
                )
                .await?;
            Ok(
                (key.is_some() && model.is_some() && settings.is_some() && history == json!(true))
                    .then_some(()),
            )
        },
    )
    .await
}

#[tokio::test]
async fn the_first_load_is_the_studio_alone_and_every_part_arrives_and_works() {
    e2e::run(MockConfig::default(), TIMEOUT, async |app| {
        app.open().await?;
        let first = fetched_before_ready(app).await?;
        // The icon and the web app manifest are fetched when the browser gets
        // to them (they count in the first-load budget all the same);
        // everything else must wait.
        let kinds: Vec<&str> = first
            .iter()
            .map(|f| f.split(['-', '.']).next().unwrap_or_default())
            .filter(|kind| !matches!(*kind, "favicon" | "manifest"))
            .collect();
        ensure!(
            kinds == ["kleinbild_bg"],
            "before Generate is ready the page (its script inline) should fetch only the main wasm, got {first:?}"
        );
        // The `later` part (panels, History, the API client) arrives after the first paint, by itself.
        wait_parts_shown(app).await?;
        let parts = app.fetched_urls().await?;
        ensure!(
            parts.iter().any(|u| u.contains("split_later")),
            "the later part was not fetched: {parts:?}"
        );
        ensure!(
            parts.iter().any(|u| u.contains("/parts-") && u.ends_with(".css")),
            "the later part's stylesheet was not fetched with it: {parts:?}"
        );
        // Settings (the `later` part) opens.
        app.open_settings().await?;
        app.control(Role::Textbox, "API base URL").await?;
        // The API client (in the same part) makes an image.
        app.use_mock().await?;
        app.enter_key(e2e::DEMO_KEY).await?;
        app.generate("a part that arrived").await?;
        // The `later` part saved it and exports it.
        app.history_button("a part that arrived", "Favorite").await?;
        app.js(e2e::CAPTURE_DOWNLOADS, vec![]).await?;
        app.control(Role::Button, "Export history")
            .await?
            .click()
            .await?;
        let (name, zip) = app.download(0).await?;
        ensure!(
            name.ends_with(".zip") && zip.starts_with(b"PK"),
            "the export should be a zip: {name}"
        );
        Ok(())
    })
    .await;
}

/// Loads the app at one window size and returns the layout shifts it recorded
/// while every part arrived.
async fn shifts_at(app: &App, width: u32, height: u32) -> Result<Value> {
    app.client.set_window_size(width, height).await?;
    app.cdp(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": OBSERVE_SHIFTS }),
    )
    .await?;
    app.open().await?;
    wait_parts_shown(app).await?;
    // Let thumbnails and late paints settle.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let width = app.js("return window.__firstActionWidth;", vec![]).await?;
    ensure!(
        width == json!("24px"),
        "History's buttons were first drawn without the part's stylesheet (width {width})"
    );
    app.js("return window.__shifts;", vec![]).await
}

#[tokio::test]
async fn nothing_on_screen_moves_while_the_parts_arrive_on_a_phone_and_a_desktop() {
    e2e::run(MockConfig::default(), TIMEOUT, async |app| {
        // With a history, so the gallery has thumbnails to show as well.
        app.open_ready().await?;
        app.generate("a fox that stays put").await?;
        app.history_button("a fox that stays put", "Favorite")
            .await?;
        for (width, height) in [(360, 780), (1280, 900)] {
            let shifts = shifts_at(app, width, height).await?;
            ensure!(
                shifts.as_array().is_some_and(Vec::is_empty),
                "layout shifts at {width}×{height} while loading: {shifts}"
            );
        }
        Ok(())
    })
    .await;
}

/// Waits for three loaded History images and returns their `src`, in page order.
async fn three_history_images(app: &App, what: &str) -> Result<Vec<String>> {
    app.poll(what, TIMEOUT, async || {
        let v = app
            .js(
                "return [...document.querySelectorAll('section[aria-label=History] li img')]
                   .filter(i => i.complete && i.naturalWidth > 0).map(i => i.getAttribute('src'));",
                vec![],
            )
            .await?;
        let srcs: Vec<String> = serde_json::from_value(v)?;
        Ok((srcs.len() == 3).then_some(srcs))
    })
    .await
}

#[tokio::test]
async fn after_a_reload_the_first_thumbnails_show_before_the_later_part_and_stay() {
    e2e::run(MockConfig::default(), TIMEOUT, async |app| {
        app.open_ready().await?;
        for prompt in ["an early heron", "an early crane", "an early stork"] {
            app.generate(prompt).await?;
            app.history_button(prompt, "Favorite").await?;
        }
        app.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": e2e::hold_fetch_script("split_later") }),
        )
        .await?;
        app.client.refresh().await?;
        // The placeholder's tiles fill with the three thumbnails while the part is held.
        let early = three_history_images(app, "thumbnails in the placeholder").await?;
        let busy = app
            .js(
                "return document.querySelector('section[aria-label=History]').getAttribute('aria-busy');",
                vec![],
            )
            .await?;
        ensure!(
            busy == json!("true"),
            "the thumbnails should be in the placeholder, before the gallery (aria-busy {busy})"
        );
        // The gallery takes the same images over, newest first, without reading them again.
        app.js("window.__release();", vec![]).await?;
        wait_parts_shown(app).await?;
        let shown = three_history_images(app, "the gallery's thumbnails").await?;
        ensure!(
            shown == early,
            "the gallery shows other images than the placeholder did: {shown:?} after {early:?}"
        );
        let prompts = app
            .js(
                "return [...document.querySelectorAll('section[aria-label=History] li img')].map(i => i.alt);",
                vec![],
            )
            .await?;
        ensure!(
            prompts == json!(["an early stork", "an early crane", "an early heron"]),
            "History should list the newest first: {prompts}"
        );
        Ok(())
    })
    .await;
}
