//! Storage under stress: several tabs on one history, no IndexedDB at all, a full quota, a
//! large history, and the usage figure in Settings.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use base64::Engine as _;
use e2e::archive::read_export;
use e2e::{App, DEMO_KEY, Fault, MockConfig, Role, UI_TIMEOUT, bail, ensure};
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(180);

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// One History item as a user sees it.
#[derive(Debug, Clone, PartialEq)]
struct Item {
    prompt: String,
    /// It has a thumbnail `<img>` (not an "Image missing" placeholder).
    has_img: bool,
    /// naturalWidth of the thumbnail once decoded, else 0.
    width: u64,
    favorite: bool,
}

/// The items of the History region, in order. Scrolls the first item whose thumbnail has not
/// decoded yet into view, as a user would, so lazy thumbnails load over successive calls.
async fn gallery(app: &App) -> e2e::Result<Vec<Item>> {
    let v = app
        .js(
            "const region = document.querySelector('section[aria-label=History]');
             if (!region) return [];
             const items = Array.from(region.querySelectorAll('li'));
             const pending = items.find(li => { const i = li.querySelector('img'); return i && !(i.complete && i.naturalWidth > 0); });
             (pending || region).scrollIntoView({block: 'center'});
             return items.map(li => {
               const img = li.querySelector('img');
               const fav = li.querySelector('button[aria-pressed]');
               return [img ? img.alt : (li.querySelector('[role=img]') || {}).ariaLabel || '',
                       !!img,
                       img && img.complete ? img.naturalWidth : 0,
                       fav ? fav.getAttribute('aria-pressed') === 'true' : false];
             });",
            vec![],
        )
        .await?;
    Ok(v.as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| Item {
                    prompt: i[0].as_str().unwrap_or_default().to_owned(),
                    has_img: i[1] == json!(true),
                    width: i[2].as_u64().unwrap_or(0),
                    favorite: i[3] == json!(true),
                })
                .collect()
        })
        .unwrap_or_default())
}

fn prompts(items: &[Item]) -> Vec<String> {
    items.iter().map(|i| i.prompt.clone()).collect()
}

/// Waits until History lists exactly `expected` (in order), every thumbnail decoded.
async fn wait_gallery(app: &App, expected: &[&str], timeout: Duration) -> e2e::Result<Vec<Item>> {
    let mut last = Vec::new();
    let r = app
        .poll(
            &format!("History to list {expected:?}"),
            timeout,
            async || {
                let items = gallery(app).await?;
                let ok =
                    prompts(&items) == expected && items.iter().all(|i| i.has_img && i.width > 0);
                last = items.clone();
                Ok(ok.then_some(items))
            },
        )
        .await;
    r.map_err(|e| format!("{e}; History showed {last:?}").into())
}

/// Like [`wait_gallery`], in any order.
async fn wait_gallery_set(
    app: &App,
    expected: &[&str],
    timeout: Duration,
) -> e2e::Result<Vec<Item>> {
    let want: BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
    let mut last = Vec::new();
    let r = app
        .poll(
            &format!("History to list {expected:?} (any order)"),
            timeout,
            async || {
                let items = gallery(app).await?;
                let got: Vec<String> = prompts(&items);
                let ok = got.len() == want.len()
                    && got.iter().cloned().collect::<BTreeSet<_>>() == want
                    && items.iter().all(|i| i.has_img && i.width > 0);
                last = items.clone();
                Ok(ok.then_some(items))
            },
        )
        .await;
    r.map_err(|e| format!("{e}; History showed {last:?}").into())
}

/// The generated image shown as the result (outside History), decoded: its natural width.
async fn result_width(app: &App, prompt: &str) -> e2e::Result<Option<u64>> {
    let v = app
        .js(
            "const i = Array.from(document.images).find(i => i.alt === arguments[0]
                 && !i.closest('section[aria-label=History]') && !i.closest('dialog'));
             return i && i.complete && i.naturalWidth > 0 ? i.naturalWidth : null;",
            vec![json!(prompt)],
        )
        .await?;
    Ok(v.as_u64())
}

/// Types a prompt, clicks Generate, waits for the result image (outside History) and idle.
async fn generate(app: &App, prompt: &str, timeout: Duration) -> e2e::Result<u64> {
    app.type_prompt(prompt).await?;
    app.click_generate().await?;
    let w = app
        .poll(
            &format!("the result image for {prompt:?}"),
            timeout,
            async || result_width(app, prompt).await,
        )
        .await?;
    app.wait_idle().await?;
    Ok(w)
}

/// What IndexedDB `kleinbild` holds: keys of each store, the prompts in `meta`, and the byte
/// sizes of the blobs in `images`. Never creates the database (an upgrade is aborted).
async fn idb(app: &App) -> e2e::Result<Value> {
    let v = app
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const req = indexedDB.open('kleinbild');
             let fresh = false;
             req.onupgradeneeded = () => { fresh = true; req.transaction.abort(); };
             req.onerror = () => done(fresh ? {meta: [], images: [], thumbs: [], prompts: [], sizes: []}
                                            : {error: String(req.error)});
             req.onsuccess = () => {
               const db = req.result;
               const names = ['meta', 'images', 'thumbs'];
               if (!names.every(n => db.objectStoreNames.contains(n))) { db.close(); return done({error: 'stores missing'}); }
               const tx = db.transaction(names, 'readonly');
               const out = {};
               for (const n of names) { const r = tx.objectStore(n).getAllKeys(); r.onsuccess = () => { out[n] = r.result; }; }
               const m = tx.objectStore('meta').getAll();
               m.onsuccess = () => { out.prompts = m.result.map(v => { try { return JSON.parse(v).prompt; } catch (e) { return '?'; } }); };
               const i = tx.objectStore('images').getAll();
               i.onsuccess = () => { out.sizes = i.result.map(b => (b && b.size) || 0); };
               tx.oncomplete = () => { db.close(); done(out); };
               tx.onerror = () => { db.close(); done({error: String(tx.error)}); };
             };",
            vec![],
        )
        .await?;
    if let Some(e) = v.get("error") {
        bail!("reading IndexedDB failed: {e}");
    }
    Ok(v)
}

fn strings(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The prompts in the localStorage index `kleinbild.history.v1`.
async fn index_prompts(app: &App) -> e2e::Result<Vec<String>> {
    let storage = app.local_storage().await?;
    let Some(raw) = storage.get("kleinbild.history.v1") else {
        return Ok(Vec::new());
    };
    let v: Value = serde_json::from_str(raw)?;
    Ok(v["entries"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["p"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default())
}

/// Checks IndexedDB and the index hold exactly `expected` (three stores in step).
async fn assert_stored(app: &App, expected: &[&str], when: &str) -> e2e::Result {
    let want = set(expected);
    let db = idb(app).await?;
    let stored = strings(&db["prompts"]);
    ensure!(
        stored == want && db["prompts"].as_array().map_or(0, Vec::len) == expected.len(),
        "{when}: IndexedDB meta holds {:?}, expected {want:?}",
        db["prompts"]
    );
    let (meta, images, thumbs) = (
        strings(&db["meta"]),
        strings(&db["images"]),
        strings(&db["thumbs"]),
    );
    ensure!(
        meta == images && images == thumbs,
        "{when}: the stores are out of step (half-written records): meta {meta:?}, images {images:?}, thumbs {thumbs:?}"
    );
    let index = index_prompts(app).await?;
    ensure!(
        index.iter().cloned().collect::<BTreeSet<_>>() == want && index.len() == expected.len(),
        "{when}: the localStorage index lists {index:?}, expected {want:?}"
    );
    Ok(())
}

/// Makes every `put` into the `images` store throw QuotaExceededError (the `meta` put, queued
/// first in the same transaction, succeeds: the app must abort the transaction).
const QUOTA_FULL: &str = "
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (...args) {
    if (this.name === 'images') throw new DOMException('full', 'QuotaExceededError');
    return put.apply(this, args);
  };";

// ---------------------------------------------------------------------------------------------
// Several tabs
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn tabs_share_one_history_and_concurrent_generations_lose_nothing() {
    e2e::run(MockConfig::default(), TIMEOUT, async |app| {
        app.open_ready().await?;
        let tab_a = app.client.window().await?;
        let tab_b = app.client.new_window(false).await?.handle;
        app.client.switch_to_window(tab_b.clone()).await?;
        app.open().await?;
        app.use_mock().await?;
        app.enter_key(DEMO_KEY).await?;
        wait_gallery(app, &[], UI_TIMEOUT).await?;

        // A generates: B shows both without a reload.
        app.client.switch_to_window(tab_a.clone()).await?;
        generate(app, "tab a first", UI_TIMEOUT).await?;
        generate(app, "tab a second", UI_TIMEOUT).await?;
        wait_gallery(app, &["tab a second", "tab a first"], UI_TIMEOUT).await?;
        app.client.switch_to_window(tab_b.clone()).await?;
        wait_gallery(app, &["tab a second", "tab a first"], UI_TIMEOUT)
            .await
            .map_err(|e| format!("tab B did not pick up tab A's images: {e}"))?;

        // B favourites one and deletes the other: A follows.
        app.history_button("tab a first", "Favorite").await?;
        app.history_button("tab a second", "Delete").await?;
        wait_gallery(app, &["tab a first"], UI_TIMEOUT).await?;
        app.client.switch_to_window(tab_a.clone()).await?;
        app.poll(
            "tab A to show the favourite set in tab B",
            UI_TIMEOUT,
            async || {
                let items = gallery(app).await?;
                Ok(items
                    .iter()
                    .any(|i| i.prompt == "tab a first" && i.favorite)
                    .then_some(()))
            },
        )
        .await?;
        // The deletion becomes final after the Undo delay, then reaches the other tab.
        wait_gallery(app, &["tab a first"], Duration::from_secs(20))
            .await
            .map_err(|e| format!("tab A did not drop the image deleted in tab B: {e}"))?;
        ensure!(
            gallery(app).await?[0].favorite,
            "tab A lost the favourite flag"
        );

        // Both tabs generate at the same time (each answer takes 1.5 s).
        app.mock.push_fault(Fault::Delay { ms: 1500 });
        app.mock.push_fault(Fault::Delay { ms: 1500 });
        let before = app.generation_requests().len();
        app.type_prompt("concurrent from a").await?;
        app.click_generate().await?;
        app.client.switch_to_window(tab_b.clone()).await?;
        app.type_prompt("concurrent from b").await?;
        app.click_generate().await?;
        app.poll(
            "both generations to be running at once",
            UI_TIMEOUT,
            async || {
                let requests = app.generation_requests();
                Ok((requests.len() >= before + 2).then_some(()))
            },
        )
        .await?;
        let overlapped = app.generation_requests()[before..]
            .iter()
            .all(|r| r.outcome == e2e::Outcome::Pending);
        app.poll("tab B's result", Duration::from_secs(20), async || {
            result_width(app, "concurrent from b").await
        })
        .await?;
        app.client.switch_to_window(tab_a.clone()).await?;
        app.poll("tab A's result", Duration::from_secs(20), async || {
            result_width(app, "concurrent from a").await
        })
        .await?;
        ensure!(
            overlapped,
            "the two generations did not overlap at the mock (test setup problem)"
        );
        let all = ["concurrent from a", "concurrent from b", "tab a first"];
        wait_gallery_set(app, &all, UI_TIMEOUT)
            .await
            .map_err(|e| format!("tab A (no reload) after concurrent saves: {e}"))?;
        app.client.switch_to_window(tab_b.clone()).await?;
        wait_gallery_set(app, &all, UI_TIMEOUT)
            .await
            .map_err(|e| format!("tab B (no reload) after concurrent saves: {e}"))?;
        // The shared index (last writer wins) and IndexedDB both hold all three.
        let mut last = String::new();
        app.poll(
            "the index and IndexedDB to hold all three",
            UI_TIMEOUT,
            async || {
                let r = assert_stored(app, &all, "before any reload").await;
                last = r
                    .as_ref()
                    .err()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                Ok(r.is_ok().then_some(()))
            },
        )
        .await
        .map_err(|e| format!("{e}: {last}"))?;

        app.reload().await?;
        let items = wait_gallery_set(app, &all, UI_TIMEOUT)
            .await
            .map_err(|e| format!("tab B after a reload: {e}"))?;
        ensure!(
            items
                .iter()
                .any(|i| i.prompt == "tab a first" && i.favorite),
            "the favourite did not survive: {items:?}"
        );
        assert_stored(app, &all, "after concurrent generation").await?;
        Ok(())
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Quota exceeded
// ---------------------------------------------------------------------------------------------

/// The "Storage full" group: its text and its buttons' names (`None` when not shown).
async fn quota_group(app: &App) -> e2e::Result<Option<(String, Vec<String>)>> {
    let v = app
        .js(
            "const g = document.querySelector('[role=group][aria-label=\"Storage full\"]');
             if (!g || !g.offsetParent) return null;
             return [g.innerText, Array.from(g.querySelectorAll('button')).map(b => b.textContent.trim())];",
            vec![],
        )
        .await?;
    Ok(v.as_array().map(|a| {
        (
            a[0].as_str().unwrap_or_default().to_owned(),
            a[1].as_array()
                .map(|b| {
                    b.iter()
                        .filter_map(|s| s.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        )
    }))
}

async fn click_in_quota_group(app: &App, name: &str) -> e2e::Result {
    let ok = app
        .js(
            "const g = document.querySelector('[role=group][aria-label=\"Storage full\"]');
             const b = g && Array.from(g.querySelectorAll('button')).find(b => b.textContent.trim() === arguments[0]);
             if (b) b.click(); return !!b;",
            vec![json!(name)],
        )
        .await?;
    ensure!(ok == json!(true), "no {name:?} in the Storage full group");
    Ok(())
}

#[tokio::test]
async fn a_full_quota_writes_nothing_says_so_and_offers_export_and_cleanup() {
    e2e::run(MockConfig::default(), TIMEOUT, async |app| {
        app.open_ready().await?;
        generate(app, "older picture", UI_TIMEOUT).await?;
        wait_gallery(app, &["older picture"], UI_TIMEOUT).await?;
        assert_stored(app, &["older picture"], "before the quota fills").await?;

        app.js(QUOTA_FULL, vec![]).await?;
        let width = generate(app, "does not fit", UI_TIMEOUT).await?;
        ensure!(
            width == 1024,
            "the result image must still be shown (width {width})"
        );
        let alert = app
            .wait_alert("storage for this site is full", UI_TIMEOUT)
            .await?;
        ensure!(
            e2e::contains_ci(&alert, "download"),
            "the message should say how to keep the image: {alert:?}"
        );
        let (text, buttons) = app
            .poll("the Storage full group", UI_TIMEOUT, async || {
                quota_group(app).await
            })
            .await?;
        ensure!(
            buttons.contains(&"Export history".to_owned())
                && buttons.contains(&"Delete the 10 oldest images".to_owned()),
            "the Storage full group offers {buttons:?} ({text:?})"
        );
        // Nothing was evicted to make room, and nothing half-written remains.
        wait_gallery(app, &["older picture"], UI_TIMEOUT).await?;
        ensure!(
            result_width(app, "does not fit").await?.is_some(),
            "the image that could not be saved must stay on screen"
        );
        assert_stored(app, &["older picture"], "right after the failed save").await?;

        // The offered export works and carries the stored image.
        app.js(e2e::CAPTURE_DOWNLOADS, vec![]).await?;
        click_in_quota_group(app, "Export history").await?;
        let export = app
            .poll("the export download", UI_TIMEOUT, async || {
                let v = app
                    .js("return window.__downloads[0] || null;", vec![])
                    .await?;
                Ok((!v.is_null()).then_some(v))
            })
            .await?;
        let zip = base64::engine::general_purpose::STANDARD
            .decode(export["data"].as_str().unwrap_or_default())?;
        let plan = read_export(&zip).map_err(|e| format!("the export does not read back: {e}"))?;
        let exported: Vec<&str> = plan
            .entries
            .iter()
            .map(|(e, _)| e.prompt.as_str())
            .collect();
        ensure!(
            exported == ["older picture"],
            "the export holds {exported:?}"
        );

        // A reload (which drops the patched IndexedDB) shows no trace of the failed image.
        app.reload().await?;
        wait_gallery(app, &["older picture"], UI_TIMEOUT).await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        wait_gallery(app, &["older picture"], UI_TIMEOUT).await?;
        assert_stored(app, &["older picture"], "after a reload").await?;

        app.enter_key(DEMO_KEY).await?;
        // Full again: "Delete the 10 oldest images" deletes (here: the only stored one), for good.
        app.js(QUOTA_FULL, vec![]).await?;
        generate(app, "still no room", UI_TIMEOUT).await?;
        app.wait_alert("storage for this site is full", UI_TIMEOUT)
            .await?;
        app.poll("the Storage full group", UI_TIMEOUT, async || {
            quota_group(app).await
        })
        .await?;
        click_in_quota_group(app, "Delete the 10 oldest images").await?;
        wait_gallery(app, &[], UI_TIMEOUT).await?;
        app.poll(
            "the Storage full group to go away",
            UI_TIMEOUT,
            async || Ok(quota_group(app).await?.is_none().then_some(())),
        )
        .await?;
        let status = app.live_text("History").await?;
        ensure!(
            status.contains("Deleted the 1 oldest"),
            "status after cleanup: {status:?}"
        );
        assert_stored(app, &[], "after deleting the oldest").await?;
        app.reload().await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        wait_gallery(app, &[], UI_TIMEOUT).await?;
        assert_stored(app, &[], "after deleting the oldest and a reload").await?;
        Ok(())
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// No IndexedDB
// ---------------------------------------------------------------------------------------------

/// Ways a browser refuses IndexedDB, injected before the app's own script runs.
const NO_IDB: &[(&str, &str)] = &[
    (
        "indexedDB undefined",
        "Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true });",
    ),
    (
        "open() throws SecurityError",
        "IDBFactory.prototype.open = function () {
           throw new DOMException('access to the Indexed Database API is denied in this context', 'SecurityError');
         };",
    ),
    (
        "open() fails asynchronously",
        "const open = IDBFactory.prototype.open;
         IDBFactory.prototype.open = function (name, version) {
           const r = open.call(this, '__kleinbild_blocked_' + Math.random(), version);
           r.addEventListener('upgradeneeded', () => r.transaction.abort());
           return r;
         };",
    ),
];

/// Whether the page asks before it is left: a `beforeunload` it cancels.
async fn leaving_is_guarded(app: &App) -> e2e::Result<bool> {
    let v = app
        .js(
            "const e = new Event('beforeunload', { cancelable: true });
             window.dispatchEvent(e); return e.defaultPrevented;",
            vec![],
        )
        .await?;
    Ok(v == json!(true))
}

/// Holds every thumbnail encoding (the first step of a save) until `window.__releaseSaves()`.
const HOLD_SAVES: &str = "const encode = OffscreenCanvas.prototype.convertToBlob;
   const gate = new Promise(resolve => { window.__releaseSaves = resolve; });
   OffscreenCanvas.prototype.convertToBlob = function (...args) {
     return gate.then(() => encode.apply(this, args));
   };";

#[tokio::test]
async fn leaving_while_an_image_is_still_being_saved_asks_first() {
    e2e::run(MockConfig::default(), TIMEOUT, async |app| {
        app.open_ready().await?;
        ensure!(
            !leaving_is_guarded(app).await?,
            "with nothing to save, leaving must not ask"
        );
        app.js(HOLD_SAVES, vec![]).await?;
        generate(app, "saved in a moment", UI_TIMEOUT).await?;
        ensure!(
            leaving_is_guarded(app).await?,
            "the image is shown but not yet stored: leaving must ask first"
        );
        app.js("window.__releaseSaves();", vec![]).await?;
        wait_gallery(app, &["saved in a moment"], UI_TIMEOUT).await?;
        ensure!(
            !leaving_is_guarded(app).await?,
            "once the image is stored, leaving must not ask"
        );
        app.reload().await?;
        wait_gallery(app, &["saved in a moment"], UI_TIMEOUT).await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn without_indexeddb_history_is_memory_only_with_a_warning_and_generation_works() {
    e2e::run(MockConfig::default(), TIMEOUT, async |app| {
        app.open_ready().await?;
        let mut problems = Vec::new();
        for (n, (how, script)) in NO_IDB.iter().enumerate() {
            let added = app.cdp("Page.addScriptToEvaluateOnNewDocument",
                json!({ "source": script }),
            )
            .await?;
            let identifier = added["identifier"].as_str().unwrap_or_default().to_owned();
            let outcome: e2e::Result = async {
                app.reload().await?;
                let notice = app
                    .poll("the no-storage notice", UI_TIMEOUT, async || {
                        let v = app
                            .js("return (document.querySelector('section[aria-label=History]') || {}).innerText || '';", vec![])
                            .await?;
                        Ok(v.as_str()
                            .filter(|t| t.contains("does not let Kleinbild store images"))
                            .map(str::to_owned))
                    })
                    .await?;
                ensure!(notice.contains("Download"), "the notice should say how to keep images: {notice:?}");
                // The key is not remembered across reloads by default.
                app.enter_key(DEMO_KEY).await?;
                let prompt = format!("memory only {n}");
                let width = generate(app, &prompt, UI_TIMEOUT).await?;
                ensure!(width == 1024, "result width {width}");
                wait_gallery(app, &[&prompt], UI_TIMEOUT).await?;
                let alert = app.alert_text().await?;
                ensure!(alert.is_empty(), "a memory-only save must not fail: alert {alert:?}");
                ensure!(
                    leaving_is_guarded(app).await?,
                    "leaving the page must ask first while images live only in memory"
                );
                // Memory-only: gone after a reload, and no ghost entry without its image.
                app.reload().await?;
                tokio::time::sleep(Duration::from_millis(800)).await;
                let items = gallery(app).await?;
                ensure!(
                    items.is_empty(),
                    "after a reload the memory-only image must be gone, History shows {items:?} \
                     (index kleinbild.history.v1 lists {:?})",
                    index_prompts(app).await?
                );
                Ok(())
            }
            .await;
            if let Err(e) = outcome {
                problems.push(format!("{how}: {e}"));
            }
            app.cdp("Page.removeScriptToEvaluateOnNewDocument",
                json!({ "identifier": identifier }),
            )
            .await?;
            // Start each variant from an empty history, whatever the previous one left behind.
            app.js("localStorage.removeItem('kleinbild.history.v1');", vec![]).await?;
        }
        // And with IndexedDB back, nothing of the memory-only images appears.
        app.reload().await?;
        app.enter_key(DEMO_KEY).await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let items = gallery(app).await?;
        if !items.is_empty() {
            problems.push(format!("with IndexedDB back, History shows {items:?}"));
        }
        if !problems.is_empty() {
            bail!("{}", problems.join("\n"));
        }
        Ok(())
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// A large history
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn forty_large_images_survive_a_reload() {
    const COUNT: usize = 40;
    let config = MockConfig {
        large_images: true,
        ..MockConfig::default()
    };
    // About 35 s on 2 cores (40 generations ≈ 32 s); the budget leaves room for a loaded machine.
    e2e::run(config, Duration::from_secs(300), async |app| {
        app.open_ready().await?;
        let started = Instant::now();
        let prompts: Vec<String> = (1..=COUNT).map(|i| format!("large image number {i:02}")).collect();
        for prompt in &prompts {
            generate(app, prompt, Duration::from_secs(60)).await?;
        }
        let generated = started.elapsed();
        let newest_first: Vec<&str> = prompts.iter().rev().map(String::as_str).collect();
        wait_gallery(app, &newest_first, Duration::from_secs(60)).await?;

        let db = idb(app).await?;
        let sizes: Vec<u64> = db["sizes"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_u64).collect())
            .unwrap_or_default();
        ensure!(sizes.len() == COUNT, "IndexedDB holds {} images", sizes.len());
        let total: u64 = sizes.iter().sum();
        ensure!(
            sizes.iter().all(|s| *s >= 2_000_000),
            "the mock's large images should be ~3 MB each: {sizes:?}"
        );

        let reload_start = Instant::now();
        app.reload().await?;
        let items = wait_gallery(app, &newest_first, Duration::from_secs(60)).await?;
        let reloaded = reload_start.elapsed();
        ensure!(
            items.iter().all(|i| i.width > 0 && i.width <= 256),
            "thumbnails must be decoded and small: {items:?}"
        );
        ensure!(
            app.find(Role::Button, "Show more (0)").await?.is_none()
                && app
                    .js(
                        "return !Array.from(document.querySelectorAll('button')).some(b => b.textContent.trim().startsWith('Show more'));",
                        vec![],
                    )
                    .await?
                    == json!(true),
            "40 images fit on the first page: no Show more"
        );
        // The count beside the History heading has no role or name: found by its class.
        let count = app
            .js("return document.querySelector('.gallery__count').textContent;", vec![])
            .await?;
        ensure!(count == json!("40 images"), "the count says {count}");
        assert_stored(app, &newest_first, "after a reload").await?;

        // The newest opens in the lightbox at full size.
        let newest = app.control(Role::Button, newest_first[0]).await?;
        app.js(
            "const b = arguments[0]; b.scrollIntoView(); b.click();",
            vec![serde_json::to_value(&newest)?],
        )
        .await?;
        app.poll("the lightbox with the newest image at 1024 px", Duration::from_secs(20), async || {
            let v = app
                .js(
                    "const d = document.querySelector('dialog[aria-label=\"Image details\"]');
                     if (!d || !d.open) return null;
                     const img = d.querySelector('img');
                     return img && img.complete ? [img.alt, img.naturalWidth] : null;",
                    vec![],
                )
                .await?;
            Ok((v == json!([newest_first[0], 1024])).then_some(()))
        })
        .await?;
        eprintln!(
            "forty_large_images: generated {COUNT} in {generated:.1?} ({:.1?} each), {:.1} MB stored, \
             reload to all thumbnails in {reloaded:.1?}",
            generated / COUNT as u32,
            total as f64 / 1e6
        );
        Ok(())
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Usage in Settings
// ---------------------------------------------------------------------------------------------

/// Parses `"12.3 MB"` (decimal units, as the app writes them) into bytes.
fn parse_bytes(figure: &str) -> Option<f64> {
    let (number, unit) = figure.trim().split_once(' ')?;
    let number: f64 = number.parse().ok()?;
    let scale = match unit {
        "GB" => 1e9,
        "MB" => 1e6,
        "kB" => 1e3,
        "bytes" => 1.0,
        _ => return None,
    };
    Some(number * scale)
}

/// The most a figure written with one decimal in the app's units can be off by.
fn rounding(bytes: f64) -> f64 {
    let unit = [1e9, 1e6, 1e3]
        .into_iter()
        .find(|u| bytes >= *u)
        .unwrap_or(1.0);
    unit * 0.05 + 1.0
}

/// The Settings usage line, reopening Settings so it is measured again; waits until its
/// figures satisfy `accept(used, quota)`. Returns `(text, used, quota)`.
async fn usage_line(
    app: &App,
    what: &str,
    accept: impl Fn(f64, f64) -> bool,
) -> e2e::Result<(String, f64, f64)> {
    app.close_settings().await?;
    app.open_settings().await?;
    let mut last = String::new();
    let r = app
        .poll(what, UI_TIMEOUT, async || {
            // The usage line has no role or name: found by its class inside the open Settings.
            let v = app
                .js(
                    "const p = document.querySelector('#settings-panel:not([hidden]) .settings__usage');
                     return p && p.offsetParent ? p.innerText : '';",
                    vec![],
                )
                .await?;
            let text = v.as_str().unwrap_or_default().to_owned();
            last = text.clone();
            let figures = text
                .split_once(" use ")
                .and_then(|(_, rest)| rest.split_once(" of the "))
                .and_then(|(used, rest)| {
                    let (quota, _) = rest.split_once(" this browser allows this site")?;
                    Some((parse_bytes(used)?, parse_bytes(quota)?))
                });
            Ok(figures
                .filter(|(u, q)| accept(*u, *q))
                .map(|(u, q)| (text.clone(), u, q)))
        })
        .await;
    r.map_err(|e| format!("{e}; the usage line reads {last:?}").into())
}

#[tokio::test]
async fn settings_show_storage_usage_and_quota() {
    let config = MockConfig {
        large_images: true,
        ..MockConfig::default()
    };
    e2e::run(config, TIMEOUT, async |app| {
        app.open_ready().await?;
        let (before_text, before, _) =
            usage_line(app, "the storage usage line", |_, q| q > 0.0).await?;
        generate(app, "one large image", Duration::from_secs(60)).await?;
        wait_gallery(app, &["one large image"], UI_TIMEOUT).await?;
        let stored: u64 = idb(app).await?["sizes"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_u64).sum())
            .unwrap_or(0);
        ensure!(stored > 2_000_000, "the image stored is {stored} bytes");

        let (text, used, quota) = usage_line(
            app,
            "the usage line to count the stored image",
            |u, _| u >= before + stored as f64 * 0.9,
        )
        .await
        .map_err(|e| format!("before the image: {before_text:?}; {stored} bytes stored; {e}"))?;
        ensure!(
            ["kB", "MB", "GB"]
                .iter()
                .any(|u| text.contains(&format!(" {u} of the "))),
            "usage line {text:?}"
        );
        ensure!(quota > used, "quota below usage: {text:?}");
        // The figures are the browser's own estimate.
        let estimate = app
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 navigator.storage.estimate().then(e => done([e.usage, e.quota]), () => done(null));",
                vec![],
            )
            .await?;
        let (u, q) = (
            estimate[0].as_f64().unwrap_or(0.0),
            estimate[1].as_f64().unwrap_or(0.0),
        );
        ensure!(
            (used - u).abs() <= rounding(u) + u * 0.05
                && (quota - q).abs() <= rounding(q),
            "Settings says {text:?}, navigator.storage.estimate() says usage {u}, quota {q}"
        );
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_version_1_database_is_upgraded_without_losing_an_image() {
    e2e::run(MockConfig::default(), TIMEOUT, async |app| {
        app.open_ready().await?;
        app.set_remember(true).await?;
        app.generate("made before references were stored").await?;
        let png = app.last_generated_image().await?;
        let image = kleinbild::generation::verify_image(png.clone())?;
        // The database as the first release wrote it: three stores, metadata as JSON
        // without a "references" field. The app's own connection closes when asked.
        let entry = json!({
            "id": "img-1700000000000-0000abcd", "created_ms": 1_700_000_000_000u64,
            "prompt": "kept from version 1", "model": e2e::KLEIN_MODEL, "seed": 7,
            "aspect_ratio": "1:1", "width": image.width, "height": image.height,
            "cost_usd": null, "mime": "image/png", "bytes": png.len(),
            "generation_id": null, "favorite": true,
        });
        let made = app
            .js(
                "const [meta, data] = arguments;
                 const raw = atob(data); const bytes = new Uint8Array(raw.length);
                 for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
                 const blob = new Blob([bytes], { type: 'image/png' });
                 localStorage.removeItem('kleinbild.history.v1');
                 return new Promise((resolve, reject) => {
                   const del = indexedDB.deleteDatabase('kleinbild');
                   del.onerror = () => reject(del.error);
                   del.onsuccess = () => {
                     const open = indexedDB.open('kleinbild', 1);
                     open.onupgradeneeded = () => {
                       for (const s of ['meta', 'images', 'thumbs']) open.result.createObjectStore(s);
                     };
                     open.onsuccess = () => {
                       const db = open.result;
                       const tx = db.transaction(['meta', 'images', 'thumbs'], 'readwrite');
                       tx.objectStore('meta').put(JSON.stringify(meta), meta.id);
                       tx.objectStore('images').put(blob, meta.id);
                       tx.objectStore('thumbs').put(blob, meta.id);
                       tx.oncomplete = () => { db.close(); resolve(db.version); };
                       tx.onerror = () => reject(tx.error);
                     };
                     open.onerror = () => reject(open.error);
                   };
                 });",
                vec![entry, json!(base64::engine::general_purpose::STANDARD.encode(&png))],
            )
            .await?;
        ensure!(made == json!(1), "could not build a version 1 database: {made}");

        app.reload().await?;
        let items = wait_gallery(app, &["kept from version 1"], UI_TIMEOUT).await?;
        ensure!(items[0].favorite, "the favourite flag was lost");
        let version = app
            .js(
                "return new Promise(r => { const o = indexedDB.open('kleinbild');
                   o.onsuccess = () => { const v = [o.result.version, Array.from(o.result.objectStoreNames)];
                   o.result.close(); r(v); }; });",
                vec![],
            )
            .await?;
        ensure!(
            version == json!([2, ["images", "meta", "refs", "thumbs"]]),
            "after the upgrade: {version}"
        );

        // The upgraded database stores references too.
        app.history_button("kept from version 1", "Use as reference")
            .await?;
        app.generate("made after the upgrade").await?;
        // Saved (thumbnail, then one IndexedDB transaction) before the reload.
        wait_gallery(
            app,
            &["made after the upgrade", "kept from version 1"],
            UI_TIMEOUT,
        )
        .await?;
        app.reload().await?;
        wait_gallery(
            app,
            &["made after the upgrade", "kept from version 1"],
            UI_TIMEOUT,
        )
        .await?;
        app.history_button("made after the upgrade", "Reuse settings")
            .await?;
        app.poll("the reference to come back", UI_TIMEOUT, async || {
            Ok((app.reference_count().await? == 1).then_some(()))
        })
        .await?;
        Ok(())
    })
    .await;
}
