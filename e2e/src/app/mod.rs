//! The app under test: one browser session on the release build with its own static server
//! and mock ([`App`]), the [`run`] wrapper every test goes through, and the page helpers, by
//! theme: the key panel (`key`), Settings (`settings`), the studio (prompt, alert, result,
//! references, what the mock received: `studio`) and History (`history`).

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::Client;
use fantoccini::elements::Element;
use serde_json::{Value, json};

use crate::driver::{Driver, RawCommand};
use crate::server::{StaticServer, dist_dir};
use crate::{MockConfig, MockServer, Result, Role, bail};

mod history;
mod key;
mod settings;
mod studio;

pub use history::CAPTURE_DOWNLOADS;

/// One browser session on the app, with its own static server and mock.
pub struct App {
    pub client: Client,
    pub mock: MockServer,
    pub site: StaticServer,
    driver: Driver,
    /// The app's English words → the same words in the browser's language
    /// (empty for English): names and messages the helpers look for.
    words: BTreeMap<String, String>,
}

/// Runs a test body against a fresh [`App`] and always closes the browser, even when the body
/// fails or panics; then reports the failure, a panic of the app, a request that breaks the
/// rules or anything the Content-Security-Policy blocked. `timeout` bounds the whole body.
///
/// ```text
/// e2e::run(MockConfig::default(), Duration::from_secs(60), async |app| {
///     app.open_ready().await?;
///     Ok(())
/// }).await;
/// ```
pub async fn run(config: MockConfig, timeout: Duration, body: impl AsyncFnOnce(&App) -> Result) {
    let app = App::start(config)
        .await
        .unwrap_or_else(|e| panic!("harness: {e}"));
    run_on(app, timeout, body).await;
}

/// [`run`] on an app started another way (another build, or under a sub-path).
pub async fn run_on(app: App, timeout: Duration, body: impl AsyncFnOnce(&App) -> Result) {
    let outcome = tokio::time::timeout(timeout, CatchUnwind(Box::pin(body(&app)))).await;
    let log = app.browser_log().await.unwrap_or_default();
    let violations = check_recorded_requests(&app.mock);
    app.close().await;
    let panics: Vec<&String> = log.iter().filter(|l| l.contains("panicked at")).collect();
    // Chromium reports every blocked load or connection on the console.
    let blocked: Vec<&String> = log
        .iter()
        .filter(|l| l.contains("Content Security Policy"))
        .collect();
    match outcome {
        Ok(Ok(Ok(()))) if panics.is_empty() && violations.is_empty() && blocked.is_empty() => {}
        Ok(Ok(Ok(()))) if !blocked.is_empty() => panic!(
            "the page's Content-Security-Policy blocked something:\n{}",
            join(&blocked)
        ),
        Ok(Ok(Ok(()))) if !violations.is_empty() => panic!(
            "requests the app sent break the rules:\n{}",
            violations.join("\n")
        ),
        Ok(Ok(Ok(()))) => panic!("the app panicked (browser console):\n{}", join(&panics)),
        Ok(Ok(Err(e))) => panic!("{e}\n--- browser console ---\n{}", log.join("\n")),
        Ok(Err(p)) => std::panic::resume_unwind(p),
        Err(_) => panic!(
            "test timed out after {timeout:?}\n--- browser console ---\n{}",
            log.join("\n")
        ),
    }
}

/// Every request the app sent during a test, checked after it: each chat body
/// must validate against OpenRouter's published OpenAPI description, and no key
/// may ever travel in a URL.
fn check_recorded_requests(mock: &MockServer) -> Vec<String> {
    let contract = contract::Contract::load();
    let mut problems = Vec::new();
    for request in mock.requests() {
        if request.path.contains("sk-or-") || request.query.contains("sk-or-") {
            problems.push(format!(
                "#{}: a key in the URL {}",
                request.seq, request.path
            ));
        }
        let is_chat = request.method == "POST" && request.path.ends_with("/chat/completions");
        if !is_chat || request.body.is_null() {
            continue;
        }
        let checked =
            contract::validate_request_body(contract, "/chat/completions", "post", &request.body);
        if let Err(e) = checked {
            problems.push(format!("#{}: body breaks ChatRequest: {e}", request.seq));
        }
    }
    problems
}

/// Turns a panic inside a future into a value, so the browser can be closed before re-raising.
struct CatchUnwind<F>(std::pin::Pin<Box<F>>);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = std::thread::Result<F::Output>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let inner = &mut self.0;
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| inner.as_mut().poll(cx))) {
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Ok(std::task::Poll::Ready(v)) => std::task::Poll::Ready(Ok(v)),
            Err(p) => std::task::Poll::Ready(Err(p)),
        }
    }
}

fn join(lines: &[&String]) -> String {
    lines
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

impl App {
    /// Starts the static server, the mock, chromedriver and a browser session (no page yet).
    pub async fn start(config: MockConfig) -> Result<App> {
        App::start_in(config, dist_dir()).await
    }

    /// Like [`App::start`], serving the build in `dist`.
    pub async fn start_in(config: MockConfig, dist: PathBuf) -> Result<App> {
        App::start_at(config, dist, "/").await
    }

    /// Like [`App::start_in`], serving the build under the sub-path `prefix` (e.g.
    /// `/kleinbild/`, as a project page on GitHub Pages is served).
    pub async fn start_at(config: MockConfig, dist: PathBuf, prefix: &str) -> Result<App> {
        App::start_with(config, dist, prefix, &[]).await
    }

    /// Like [`App::start_in`], in a browser whose preferred languages are `languages`.
    pub async fn start_in_languages(
        config: MockConfig,
        dist: PathBuf,
        languages: &[&str],
    ) -> Result<App> {
        App::start_with(config, dist, "/", languages).await
    }

    async fn start_with(
        config: MockConfig,
        dist: PathBuf,
        prefix: &str,
        languages: &[&str],
    ) -> Result<App> {
        let site = StaticServer::start_at(dist, prefix).await?;
        let mock = MockServer::start(config, "127.0.0.1:0".parse()?).await?;
        let driver = Driver::start().await?;
        let client = driver.session_in(languages).await?;
        let app = App {
            client,
            mock,
            site,
            driver,
            words: words_for(languages)?,
        };
        if !languages.is_empty() {
            // Headless Chromium keeps `navigator.languages` English whatever the
            // profile says; DevTools sets them (and Accept-Language) for real.
            let agent = app.js("return navigator.userAgent;", vec![]).await?;
            app.cdp(
                "Emulation.setUserAgentOverride",
                json!({ "userAgent": agent, "acceptLanguage": languages.join(",") }),
            )
            .await?;
        }
        Ok(app)
    }

    /// `english` as the app says it in the browser's language (the catalogues
    /// map it; unchanged for English, or text that is no catalogue entry).
    pub fn say(&self, english: &str) -> String {
        self.words
            .get(english)
            .cloned()
            .unwrap_or_else(|| english.to_owned())
    }

    /// Ends the browser session, then chromedriver.
    pub async fn close(self) {
        let _ = self.client.close().await;
        drop(self.driver);
    }

    /// The page's URL (what the app sends as `HTTP-Referer`).
    pub fn page_url(&self) -> String {
        self.site.url()
    }

    /// Loads the app and waits until it is usable (Generate enabled).
    pub async fn open(&self) -> Result {
        self.client.goto(&self.page_url()).await?;
        self.wait_ready().await
    }

    /// Reloads the page and waits until it is usable again.
    pub async fn reload(&self) -> Result {
        self.client.refresh().await?;
        self.wait_ready().await
    }

    /// Waits until the app runs (the static shell is gone) and its `Generate`
    /// button is enabled.
    pub async fn wait_ready(&self) -> Result {
        self.poll(
            "the app to run and its Generate button to be enabled",
            Duration::from_secs(20),
            async || {
                if self
                    .js("return !document.getElementById('shell');", vec![])
                    .await?
                    != true
                {
                    return Ok(None);
                }
                match self.find(Role::Button, "Generate").await? {
                    Some(b) if b.is_enabled().await? => Ok(Some(())),
                    _ => Ok(None),
                }
            },
        )
        .await
    }

    /// Polls `check` every 100 ms until it yields a value or `timeout` passes.
    pub async fn poll<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut check: impl AsyncFnMut() -> Result<Option<T>>,
    ) -> Result<T> {
        let deadline = Instant::now() + timeout;
        let mut last_error = String::new();
        loop {
            match check().await {
                Ok(Some(v)) => return Ok(v),
                Ok(None) => {}
                // Stale elements and the like: Leptos re-rendered between find and use.
                Err(e) => last_error = e.to_string(),
            }
            if Instant::now() >= deadline {
                let alert = self.alert_text().await.unwrap_or_default();
                bail!(
                    "timed out after {timeout:?} waiting for {what}{}{}",
                    if last_error.is_empty() {
                        String::new()
                    } else {
                        format!(" (last error: {last_error})")
                    },
                    if alert.is_empty() {
                        String::new()
                    } else {
                        format!("; alert shows: {alert:?}")
                    }
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Runs a script; `arguments[i]` are `args`.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        Ok(self.client.execute(script, args).await?)
    }

    /// Runs a Chrome DevTools Protocol command (e.g. to grant a permission or inject a
    /// script into every new document).
    pub async fn cdp(&self, cmd: &'static str, params: Value) -> Result<Value> {
        let command = RawCommand::post("goog/cdp/execute", json!({ "cmd": cmd, "params": params }));
        Ok(self.client.issue_cmd(command).await?)
    }

    /// Makes every `fetch` of a URL containing `pattern` fail the way a CSP
    /// block or a host without CORS does (a `TypeError`), from the next page
    /// load on: the app binds `fetch` when it starts, so a later override would
    /// not reach it. The real `fetch` stays reachable as `window.__realFetch`.
    pub async fn block_fetches_from_next_load(&self, pattern: &str) -> Result {
        let script = format!(
            "const realFetch = window.__realFetch = window.fetch;
             window.fetch = function (input, init) {{
               if (String(input instanceof Request ? input.url : input).includes({pattern}))
                 return Promise.reject(new TypeError('Failed to fetch'));
               return realFetch.apply(this, arguments);
             }};",
            pattern = json!(pattern)
        );
        self.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": script }),
        )
        .await?;
        Ok(())
    }

    // --- typing -------------------------------------------------------------------------------

    /// Replaces the text of an input or textarea like a user: select all, then type.
    pub async fn replace_text(&self, field: &Element, text: &str) -> Result {
        field.click().await?;
        // Control+A, release modifiers, then either the new text or Backspace.
        field.send_keys("\u{E009}a\u{E000}").await?;
        if text.is_empty() {
            field.send_keys("\u{E003}").await?;
        } else {
            field.send_keys(text).await?;
        }
        Ok(())
    }

    /// The current `value` of a field.
    pub async fn value_of(&self, role: Role, name: &str) -> Result<String> {
        let el = self.control(role, name).await?;
        Ok(el.prop("value").await?.unwrap_or_default())
    }

    // --- page state ---------------------------------------------------------------------------

    /// Every localStorage entry of the page.
    pub async fn local_storage(&self) -> Result<BTreeMap<String, String>> {
        let v = self
            .js(
                "const o = {}; for (let i = 0; i < localStorage.length; i++) { const k = localStorage.key(i); o[k] = localStorage.getItem(k); } return o;",
                vec![],
            )
            .await?;
        Ok(serde_json::from_value(v)?)
    }

    /// URL of every resource the page fetched (Resource Timing), plus the page itself.
    pub async fn fetched_urls(&self) -> Result<Vec<String>> {
        let v = self
            .js(
                "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource')).map(e => e.name);",
                vec![],
            )
            .await?;
        Ok(serde_json::from_value(v)?)
    }

    /// Console messages of the browser since the last call.
    pub async fn browser_log(&self) -> Result<Vec<String>> {
        let v = self
            .client
            .issue_cmd(RawCommand::post("se/log", json!({ "type": "browser" })))
            .await?;
        Ok(v.as_array()
            .map(|a| {
                a.iter()
                    .map(|e| {
                        format!(
                            "{} {}",
                            e["level"].as_str().unwrap_or(""),
                            e["message"].as_str().unwrap_or("")
                        )
                    })
                    .collect()
            })
            .unwrap_or_default())
    }
}

/// English text → the text of the same key in the language of `languages`'
/// first entry (e.g. `de-DE`); empty for English or no languages.
fn words_for(languages: &[&str]) -> Result<BTreeMap<String, String>> {
    let Some(lang) = languages
        .first()
        .and_then(|l| l.split(['-', '_']).next())
        .map(str::to_ascii_lowercase)
        .filter(|l| l != "en")
    else {
        return Ok(BTreeMap::new());
    };
    let english = crate::catalogue("en")?;
    let other = crate::catalogue(&lang)?;
    let mut words = BTreeMap::new();
    for (key, text) in english {
        if let Some(said) = other.get(&key) {
            words.entry(text).or_insert_with(|| said.clone());
        }
    }
    Ok(words)
}
