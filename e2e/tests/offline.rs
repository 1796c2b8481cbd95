//! The installable app: served under a sub-path, installable (Chromium's own
//! check), started offline with its History after one visit, honest about
//! generating without a connection, and a new version offered with `Reload`
//! instead of reloading by itself.

use std::path::{Path, PathBuf};
use std::time::Duration;

use e2e::{App, MockConfig, Result, Role, bail, ensure};
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(120);

/// Waits until the service worker controls the page and has kept every file
/// of the build; returns the URLs it keeps.
async fn wait_kept_offline(app: &App) -> Result<Vec<String>> {
    let kept = app
        .poll(
            "the service worker to control the page",
            TIMEOUT,
            async || {
                let kept = app
                    .client
                    .execute_async(
                        "const done = arguments[arguments.length - 1];
                     if (!navigator.serviceWorker.controller) return done(null);
                     caches.keys()
                       .then(keys => Promise.all(keys.map(k => caches.open(k).then(c => c.keys()))))
                       .then(lists => done(lists.flat().map(r => r.url)), () => done(null));",
                        vec![],
                    )
                    .await?;
                Ok(serde_json::from_value::<Option<Vec<String>>>(kept)?.filter(|k| !k.is_empty()))
            },
        )
        .await?;
    Ok(kept)
}

/// The files of the build a visit must keep: all but the page's own
/// `index.html` (kept as the folder's URL), `404.html` and the worker (the
/// other languages' folders are apps with workers of their own).
fn build_files(dist: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dist)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type()?.is_file()
            && !matches!(name.as_str(), "index.html" | "404.html" | "sw.js")
        {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// Where the e2e run leaves its screenshots (for people reading a run).
fn screenshot_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/e2e-screenshots")
        .join(name)
}

#[tokio::test]
async fn under_a_sub_path_the_installed_app_starts_offline_with_its_history() {
    let app = App::start_at(MockConfig::default(), e2e::dist_dir(), "/kleinbild/")
        .await
        .unwrap_or_else(|e| panic!("harness: {e}"));
    e2e::run_on(app, TIMEOUT, async |app| {
        app.client.set_window_size(1280, 900).await?;
        ensure!(
            app.page_url().ends_with("/kleinbild/"),
            "served at {}",
            app.page_url()
        );
        // The whole flow under the sub-path.
        app.open_ready().await?;
        // Kept on this device, so the key is there after the offline start.
        app.set_remember(true).await?;
        let prompt = "a lighthouse kept for the night";
        app.generate(prompt).await?;
        app.wait_history(&[prompt]).await?;

        // Every file of the build is kept, nothing else: no answer of the API.
        let kept = wait_kept_offline(app).await?;
        let base = app.page_url();
        let mut expected: Vec<String> = build_files(&e2e::dist_dir())?
            .iter()
            .map(|name| format!("{base}{name}"))
            .collect();
        expected.push(base.clone());
        expected.sort();
        let mut kept_sorted = kept.clone();
        kept_sorted.sort();
        ensure!(
            kept_sorted == expected,
            "the service worker should keep exactly the build's files under {base}:\nkept {kept_sorted:#?}\nexpected {expected:#?}"
        );
        let mock = app.mock.addr().to_string();
        ensure!(
            !kept.iter().any(|u| u.contains(&mock) || u.contains("sk-or-")),
            "an API URL was kept: {kept:?}"
        );

        // Chromium's own installability check and the manifest it read.
        let installable = app
            .poll("Chromium to find the app installable", TIMEOUT, async || {
                let v = app.cdp("Page.getInstallabilityErrors", json!({})).await?;
                let errors = v["installabilityErrors"].as_array().cloned().unwrap_or_default();
                Ok(errors.is_empty().then_some(v))
            })
            .await;
        if let Err(e) = installable {
            let v = app.cdp("Page.getInstallabilityErrors", json!({})).await?;
            bail!("not installable: {e}; Chromium says {v}");
        }
        let manifest = app.cdp("Page.getAppManifest", json!({})).await?;
        let parsed: Value = serde_json::from_str(manifest["data"].as_str().unwrap_or("{}"))?;
        ensure!(
            manifest["errors"].as_array().is_some_and(Vec::is_empty)
                && parsed["short_name"] == "Kleinbild"
                && parsed["icons"].as_array().is_some_and(|icons| {
                    ["192x192", "512x512"].iter().all(|size| {
                        icons.iter().any(|i| i["sizes"] == *size && i["type"] == "image/png")
                    }) && icons.iter().any(|i| i["purpose"] == "maskable")
                }),
            "the manifest: {manifest}"
        );

        // Offline: the site is gone and the browser has no network.
        app.site.stop();
        app.cdp("Network.enable", json!({})).await?;
        app.cdp(
            "Network.emulateNetworkConditions",
            json!({ "offline": true, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 }),
        )
        .await?;
        app.reload().await?;
        ensure!(
            app.js("return navigator.onLine;", vec![]).await? == json!(false),
            "the browser does not think it is offline"
        );
        app.wait_history(&[prompt]).await?;
        let shot = screenshot_path("offline-start-1280.png");
        std::fs::create_dir_all(shot.parent().unwrap_or(Path::new(".")))?;
        std::fs::write(&shot, app.client.screenshot().await?)?;

        // Generating says plainly there is no connection; nothing is lost.
        let before = app.mock.requests().len();
        let offline_prompt = "a fox in the dark";
        app.type_prompt(offline_prompt).await?;
        app.click_generate().await?;
        let alert = app.wait_alert("offline", e2e::UI_TIMEOUT).await?;
        ensure!(
            alert.contains("No connection") && alert.contains("back online"),
            "the alert should say there is no connection and what to do: {alert:?}"
        );
        ensure!(
            app.prompt_value().await? == offline_prompt,
            "the prompt was not kept"
        );
        ensure!(
            app.mock.requests().len() == before,
            "the mock received a request while offline"
        );
        app.wait_history(&[prompt]).await?;
        Ok(())
    })
    .await;
}

/// Copies a build's English app (its files, not the other languages'
/// folders), so a test can deploy a "new version" of it.
fn copy_dist(to: &Path) -> Result {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(e2e::dist_dir())? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

#[tokio::test]
async fn a_new_version_is_offered_with_reload_and_never_reloads_by_itself() {
    let dist = std::env::temp_dir().join(format!("kleinbild-update-{}", std::process::id()));
    copy_dist(&dist).unwrap_or_else(|e| panic!("harness: {e}"));
    let app = App::start_in(MockConfig::default(), dist.clone())
        .await
        .unwrap_or_else(|e| panic!("harness: {e}"));
    e2e::run_on(app, TIMEOUT, async |app| {
        app.open().await?;
        wait_kept_offline(app).await?;
        app.type_prompt("typed before the update").await?;
        app.js("window.__samePage = true;", vec![]).await?;

        // A new deploy: the worker changed; the open tab looks for updates.
        let worker = dist.join("sw.js");
        let mut script = std::fs::read_to_string(&worker)?;
        script.push_str("\n// the next version\n");
        std::fs::write(&worker, script)?;
        app.client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 navigator.serviceWorker.getRegistration().then(r => r.update()).then(() => done(true), e => done(String(e)));",
                vec![],
            )
            .await?;
        let reload = app
            .poll("the Reload offer", TIMEOUT, async || {
                app.find(Role::Button, "Reload").await
            })
            .await?;
        let notice = app
            .js("return document.getElementById('update').textContent;", vec![])
            .await?;
        ensure!(
            notice
                .as_str()
                .is_some_and(|t| t.contains("A new version of Kleinbild is ready")),
            "the notice: {notice}"
        );
        // Nothing reloads by itself: the page and what was typed stay.
        tokio::time::sleep(Duration::from_secs(2)).await;
        ensure!(
            app.js("return window.__samePage === true;", vec![]).await? == json!(true),
            "the page reloaded without being asked"
        );
        ensure!(
            app.prompt_value().await? == "typed before the update",
            "the prompt changed"
        );

        reload.click().await?;
        app.poll("the page to reload", TIMEOUT, async || {
            let same = app
                .js("return window.__samePage === true;", vec![])
                .await
                .unwrap_or(json!(true));
            Ok((same != json!(true)).then_some(()))
        })
        .await?;
        app.wait_ready().await?;
        let hidden = app
            .js("return document.getElementById('update').hidden;", vec![])
            .await?;
        ensure!(hidden == json!(true), "the notice is still shown after Reload");
        Ok(())
    })
    .await;
    let _ = std::fs::remove_dir_all(&dist);
}
