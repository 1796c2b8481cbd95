//! axe-core (npm, injected into the page) finds no WCAG 2.2 A/AA or
//! best-practice violation in any main state: empty, generating, results,
//! error, Settings, the lightbox, Compare and a new version offered, on a
//! desktop and on a phone; with reduced motion the spinner stands still.

use std::path::PathBuf;
use std::time::Duration;

use e2e::{App, Fault, MockConfig, Result, Role, UI_TIMEOUT, bail, ensure};
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(240);

/// The rule sets checked: WCAG 2.0–2.2 at levels A and AA, and axe's best practices.
const TAGS: [&str; 7] = [
    "wcag2a",
    "wcag2aa",
    "wcag21a",
    "wcag21aa",
    "wcag22a",
    "wcag22aa",
    "best-practice",
];

/// axe-core's script: `AXE_CORE_JS` (set by `cargo xtask test`, which installs
/// it), else where `cargo xtask test` puts it.
fn axe_source() -> Result<String> {
    let path = std::env::var_os("AXE_CORE_JS").map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../.tools/node_modules/axe-core/axe.min.js")
        },
        PathBuf::from,
    );
    match std::fs::read_to_string(&path) {
        Ok(source) => Ok(source),
        Err(e) => bail!(
            "axe-core not found at {} ({e}): run `cargo xtask test`, which installs it",
            path.display()
        ),
    }
}

/// Runs axe on the page as it is now; every violation as one line.
async fn violations(app: &App, axe: &str) -> Result<Vec<String>> {
    let present = app.js("return !!window.axe;", vec![]).await?;
    if present != json!(true) {
        // WebDriver scripts are not subject to the page's CSP.
        app.js(&format!("{axe}\n;return true;"), vec![]).await?;
    }
    let found = app
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: arguments[0] }, resultTypes: ['violations'] })
               .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — '
                 + v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').replace(/\\s+/g, ' ')).join(' | '))),
                     e => done(['axe failed: ' + e]));",
            vec![json!(TAGS)],
        )
        .await?;
    Ok(serde_json::from_value(found)?)
}

/// Checks one state; collects what is wrong instead of stopping, so one run
/// reports every state.
async fn check(app: &App, axe: &str, state: &str, problems: &mut Vec<String>) -> Result {
    for v in violations(app, axe).await? {
        problems.push(format!("{state}: {v}"));
    }
    Ok(())
}

/// Waits until `script` returns true.
async fn wait_true(app: &App, what: &str, script: &str) -> Result {
    app.poll(what, UI_TIMEOUT, async || {
        Ok((app.js(script, vec![]).await? == json!(true)).then_some(()))
    })
    .await
}

async fn history_count(app: &App) -> Result<Value> {
    app.js(
        "return document.querySelectorAll('section[aria-label=History] li img').length;",
        vec![],
    )
    .await
}

/// Walks through every main state at one window size.
async fn every_state(app: &App, width: u32, height: u32) -> Result {
    let axe = axe_source()?;
    let mut problems = Vec::new();
    app.client.set_window_size(width, height).await?;
    let at = |state: &str| format!("{state} at {width} px");

    // Empty: a first visit, no key yet.
    app.open().await?;
    app.poll("the parts to arrive", UI_TIMEOUT, async || {
        app.find(Role::Textbox, "OpenRouter API key").await
    })
    .await?;
    check(app, &axe, &at("empty"), &mut problems).await?;

    app.use_mock().await?;
    app.enter_key(e2e::DEMO_KEY).await?;

    // Generating: the mock takes its time.
    app.mock.push_fault(Fault::Delay { ms: 4000 });
    app.type_prompt("a calm lake at dawn").await?;
    app.click_generate().await?;
    app.poll("the progress text", UI_TIMEOUT, async || {
        app.progress_text().await
    })
    .await?;
    check(app, &axe, &at("generating"), &mut problems).await?;
    // With reduced motion asked for, the spinner stands still.
    let spinning = |reduce: bool| async move {
        let value = if reduce { "reduce" } else { "no-preference" };
        app.cdp(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-reduced-motion", "value": value }] }),
        )
        .await?;
        app.js(
            "const s = document.querySelector('.progress__spinner'); return s ? getComputedStyle(s).animationName : null;",
            vec![],
        )
        .await
    };
    let (moving, still) = (spinning(false).await?, spinning(true).await?);
    ensure!(
        moving == json!("spin") && still == json!("none"),
        "the spinner's animation: {moving} normally, {still} with reduced motion"
    );

    // Results.
    app.wait_image("a calm lake at dawn", Duration::from_secs(20))
        .await?;
    app.generate("a calm lake at dusk").await?;
    app.poll("two images in History", UI_TIMEOUT, async || {
        Ok((history_count(app).await? == json!(2)).then_some(()))
    })
    .await?;
    check(app, &axe, &at("results"), &mut problems).await?;

    // Error: OpenRouter refuses the key.
    app.mock.push_fault(Fault::Status { status: 401 });
    app.type_prompt("a refused lake").await?;
    app.click_generate().await?;
    app.wait_any_alert(UI_TIMEOUT).await?;
    check(app, &axe, &at("error"), &mut problems).await?;

    // Settings.
    app.open_settings().await?;
    check(app, &axe, &at("Settings"), &mut problems).await?;
    app.close_settings().await?;

    // The lightbox.
    app.control(Role::Button, "a calm lake at dawn")
        .await?
        .click()
        .await?;
    wait_true(
        app,
        "the lightbox",
        "const d = document.querySelector('dialog[aria-label=\"Image details\"]'); return !!(d && d.open && d.querySelector('img').complete);",
    )
    .await?;
    check(app, &axe, &at("lightbox"), &mut problems).await?;
    app.js(
        "document.querySelector('dialog[aria-label=\"Image details\"]').close();",
        vec![],
    )
    .await?;

    // Compare.
    app.js(
        "document.querySelectorAll('section[aria-label=History] li input[type=checkbox]').forEach(b => b.click());",
        vec![],
    )
    .await?;
    app.control(Role::Button, "Compare").await?.click().await?;
    wait_true(
        app,
        "the Compare dialog",
        "return !!document.querySelector('dialog.compare[open]');",
    )
    .await?;
    check(app, &axe, &at("compare"), &mut problems).await?;
    app.js(
        "document.querySelector('dialog.compare[open]').close();",
        vec![],
    )
    .await?;

    // A new version offered (the notice the service worker's update shows).
    app.js("document.getElementById('update').hidden = false;", vec![])
        .await?;
    check(app, &axe, &at("update offered"), &mut problems).await?;

    ensure!(
        problems.is_empty(),
        "axe-core found {} violation(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
    Ok(())
}

#[tokio::test]
async fn no_violation_in_any_main_state_on_a_desktop() {
    e2e::run(MockConfig::default(), TIMEOUT, async |app| {
        every_state(app, 1280, 900).await
    })
    .await;
}

#[tokio::test]
async fn no_violation_in_any_main_state_on_a_phone() {
    e2e::run(MockConfig::default(), TIMEOUT, async |app| {
        every_state(app, 360, 780).await
    })
    .await;
}
