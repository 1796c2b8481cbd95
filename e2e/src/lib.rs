//! End-to-end harness for Kleinbild: the release build (`dist/`) served by a tiny static file
//! server, headless Chromium driven through chromedriver (fantoccini), and a fresh
//! `mock-openrouter` per test. Tests find controls the way a user does, by role and accessible
//! name ([`App::control`]), never by CSS class.
//!
//! Every test gets its own static server (so its own origin, so its own localStorage), its own
//! chromedriver and browser session (fresh profile) and its own mock.
//!
//! Run (from the workspace root; the build in `dist/` must be current):
//!
//! ```text
//! CARGO_TARGET_DIR=/tmp/target-e2e cargo test -p e2e --no-fail-fast -- --test-threads=2
//! ```
//!
//! (about 50 s on 2 cores once built; `--no-fail-fast` so one failing file does not hide the
//! others.) `--test-threads=2` matters on a 2-core machine: each test runs a whole Chromium, and more
//! of them at once make Leptos' timers and the mock's delays race the timeouts below.
//!
//! Environment: `DIST_DIR` (default `<workspace>/dist`), `CHROMEDRIVER` (default
//! `/usr/bin/chromedriver`), `CHROME_BIN` (optional; Debian's chromedriver finds chromium),
//! `E2E_HEADFUL=1` to watch the browser.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use std::time::{Duration, Instant};

use base64::Engine as _;
use fantoccini::elements::Element;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub use mock_openrouter::{DEMO_KEY, Fault, MockConfig, MockServer, Outcome, RecordedRequest};

/// Errors carry a readable message; tests print them as the failure.
pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Result<T = ()> = std::result::Result<T, Error>;

/// Returns early with a formatted error.
#[macro_export]
macro_rules! bail {
    ($($arg:tt)*) => { return Err(format!($($arg)*).into()) };
}

/// `assert!` that returns an error (so the browser session still gets closed).
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($arg:tt)*) => { if !$cond { $crate::bail!($($arg)*); } };
}

/// The model the app must ask for.
pub const KLEIN_MODEL: &str = "black-forest-labs/flux.2-klein-4b";

/// How long to wait for things a user would see "at once" (render after a click, a 300 ms mock
/// answer). Generous, because two Chromiums share two cores.
pub const UI_TIMEOUT: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------------------------
// Static file server
// ---------------------------------------------------------------------------------------------

/// Directory of the release build: `$DIST_DIR` or `<workspace>/dist`.
pub fn dist_dir() -> PathBuf {
    std::env::var_os("DIST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../dist"))
}

/// One request line + headers as the static server received them.
pub type RequestHead = String;

/// Serves a directory over HTTP/1.1 on an ephemeral loopback port (one request per
/// connection). Stops when dropped.
pub struct StaticServer {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<RequestHead>>>,
    task: tokio::task::JoinHandle<()>,
}

impl StaticServer {
    pub async fn start(dir: PathBuf) -> Result<StaticServer> {
        if !dir.join("index.html").is_file() {
            bail!(
                "no index.html in {} (set DIST_DIR or run trunk build --release)",
                dir.display()
            );
        }
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let dir = Arc::new(dir);
        let task_log = log.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (dir, log) = (dir.clone(), task_log.clone());
                tokio::spawn(async move {
                    let _ = serve_one(stream, &dir, &log).await;
                });
            }
        });
        Ok(StaticServer { addr, log, task })
    }

    /// `http://127.0.0.1:PORT`
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request head received so far.
    pub fn requests(&self) -> Vec<RequestHead> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve_one(mut stream: TcpStream, dir: &Path, log: &Mutex<Vec<RequestHead>>) -> Result {
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 2048];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await?;
        if n == 0 || buf.len() > 64 * 1024 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    if let Ok(mut l) = log.lock() {
        l.push(head.split("\r\n\r\n").next().unwrap_or_default().to_owned());
    }
    let mut parts = head.split_whitespace();
    let method = parts.next().unwrap_or_default();
    let target = parts.next().unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let path = if path == "/" { "/index.html" } else { path };
    let file = (!path.contains("..") && path.starts_with('/'))
        .then(|| dir.join(&path[1..]))
        .filter(|p| p.is_file());
    let (status, ctype, body) = match (method, file) {
        ("GET" | "HEAD", Some(file)) => {
            ("200 OK", content_type(&file), tokio::fs::read(&file).await?)
        }
        ("GET" | "HEAD", None) => ("404 Not Found", "text/plain", b"not found".to_vec()),
        _ => (
            "405 Method Not Allowed",
            "text/plain",
            b"method not allowed".to_vec(),
        ),
    };
    let header = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(header.as_bytes()).await?;
    if method != "HEAD" {
        stream.write_all(&body).await?;
    }
    stream.shutdown().await?;
    Ok(())
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
    {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "json" | "webmanifest" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

// ---------------------------------------------------------------------------------------------
// chromedriver + browser session
// ---------------------------------------------------------------------------------------------

/// A chromedriver process on a free loopback port; killed when dropped.
pub struct Driver {
    child: tokio::process::Child,
    port: u16,
}

impl Driver {
    pub async fn start() -> Result<Driver> {
        let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let mut last = String::new();
        for _ in 0..3 {
            let port = free_port()?;
            let mut child = tokio::process::Command::new(&bin)
                .arg(format!("--port={port}"))
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .kill_on_drop(true)
                .spawn()
                .map_err(|e| format!("cannot start {bin}: {e}"))?;
            let deadline = Instant::now() + Duration::from_secs(15);
            while Instant::now() < deadline {
                if TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                    return Ok(Driver { child, port });
                }
                if let Ok(Some(status)) = child.try_wait() {
                    last = format!("chromedriver exited with {status}");
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let _ = child.kill().await;
            if last.is_empty() {
                last = "chromedriver did not open its port within 15 s".into();
            }
        }
        Err(last.into())
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Opens a new browser session: a fresh profile, empty cache and storage.
    pub async fn session(&self) -> Result<Client> {
        let mut args = vec![
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1200,900",
        ];
        if std::env::var_os("E2E_HEADFUL").is_some() {
            args.remove(0);
        }
        let mut options = json!({ "args": args });
        if let Ok(bin) = std::env::var("CHROME_BIN") {
            options["binary"] = json!(bin);
        }
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), options);
        // Lets `browser_log` see console errors (a Rust panic is logged there before the abort).
        caps.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
        // A freshly started chromedriver (or Chromium's first start after an
        // install) can drop the first connection: try again before failing.
        let mut last = String::new();
        for attempt in 0..3 {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&self.url())
                .await
            {
                Ok(client) => return Ok(client),
                Err(e) => last = e.to_string(),
            }
        }
        Err(format!("cannot open a browser session: {last}").into())
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// A raw WebDriver command for endpoints fantoccini has no method for (relative to the session).
#[derive(Debug)]
struct RawCommand {
    method: http::Method,
    path: String,
    body: Option<Value>,
}

impl WebDriverCompatibleCommand for RawCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> std::result::Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            self.method.clone(),
            self.body.as_ref().map(Value::to_string),
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Roles and accessible names
// ---------------------------------------------------------------------------------------------

/// The kinds of control the UI contract names (design.md §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Text-like input or textarea (a password input counts: it has no ARIA role of its own).
    Textbox,
    Password,
    Checkbox,
    /// `<select>`
    Combobox,
    /// `<input type=number>`
    Spinbutton,
    /// `<button>`, `<input type=submit|button>`, `role=button`, or a `<summary>`.
    Button,
    Summary,
}

impl Role {
    fn elements(self) -> &'static str {
        match self {
            Role::Textbox => {
                "*[self::textarea or (self::input and (not(@type) or @type='text' or @type='url' or @type='search' or @type='email' or @type='password'))]"
            }
            Role::Password => "input[@type='password']",
            Role::Checkbox => "*[(self::input and @type='checkbox') or @role='checkbox']",
            Role::Combobox => "*[self::select or @role='combobox']",
            Role::Spinbutton => "*[(self::input and @type='number') or @role='spinbutton']",
            Role::Button => {
                "*[self::button or self::summary or @role='button' or (self::input and (@type='submit' or @type='button'))]"
            }
            Role::Summary => "summary",
        }
    }

    /// The ARIA role Chromium computes for the element.
    pub fn aria(self) -> &'static [&'static str] {
        match self {
            Role::Textbox | Role::Password => &["textbox"],
            Role::Checkbox => &["checkbox"],
            Role::Combobox => &["combobox"],
            Role::Spinbutton => &["spinbutton"],
            // Chromium reports <summary> as "DisclosureTriangle" (no ARIA role) in some versions.
            Role::Button | Role::Summary => &["button", "DisclosureTriangle", "disclosuretriangle"],
        }
    }
}

/// An XPath string literal for `s`.
fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        let parts: Vec<String> = s.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// XPath for visible controls of `role` whose accessible name is `name`: `aria-label`,
/// `aria-labelledby`, a wrapping `<label>` or `<label for>`, or (buttons) their own text.
/// The one place that knows how names are found.
pub fn xpath_for(role: Role, name: &str) -> String {
    let n = xpath_literal(name);
    let el = role.elements();
    // A label "names" a control when its text (outside embedded controls) is exactly `name`.
    let label = format!(
        "label[normalize-space(.)={n} or .//text()[not(ancestor::select or ancestor::textarea or ancestor::option)][normalize-space()={n}]]"
    );
    let mut alternatives = vec![
        format!("//{el}[@aria-label={n}]"),
        format!("//{el}[@aria-labelledby = //*[normalize-space(.)={n}]/@id]"),
    ];
    if matches!(role, Role::Button | Role::Summary) {
        alternatives.push(format!("//{el}[not(@aria-label)][normalize-space(.)={n}]"));
    } else {
        alternatives.push(format!("//{label}//{el}[not(@aria-label)]"));
        alternatives.push(format!("//{el}[not(@aria-label)][@id = //{label}/@for]"));
    }
    alternatives.join(" | ")
}

// ---------------------------------------------------------------------------------------------
// The app under test
// ---------------------------------------------------------------------------------------------

/// One browser session on the app, with its own static server and mock.
pub struct App {
    pub client: Client,
    pub mock: MockServer,
    pub site: StaticServer,
    driver: Driver,
}

/// Runs a test body against a fresh [`App`] and always closes the browser, even when the body
/// fails or panics; then reports the failure. `timeout` bounds the whole body.
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
    let outcome = tokio::time::timeout(timeout, CatchUnwind(Box::pin(body(&app)))).await;
    let log = app.browser_log().await.unwrap_or_default();
    let violations = check_recorded_requests(&app.mock);
    app.close().await;
    let panics: Vec<&String> = log.iter().filter(|l| l.contains("panicked at")).collect();
    match outcome {
        Ok(Ok(Ok(()))) if panics.is_empty() && violations.is_empty() => {}
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
        let site = StaticServer::start(dist).await?;
        let mock = MockServer::start(config, "127.0.0.1:0".parse()?).await?;
        let driver = Driver::start().await?;
        let client = driver.session().await?;
        Ok(App {
            client,
            mock,
            site,
            driver,
        })
    }

    /// Ends the browser session, then chromedriver.
    pub async fn close(self) {
        let _ = self.client.close().await;
        drop(self.driver);
    }

    /// The page's URL (what the app sends as `HTTP-Referer`).
    pub fn page_url(&self) -> String {
        format!("{}/", self.site.origin())
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

    /// Waits until the `Generate` button exists and is enabled.
    pub async fn wait_ready(&self) -> Result {
        self.poll(
            "the Generate button to be enabled",
            Duration::from_secs(20),
            async || match self.find(Role::Button, "Generate").await? {
                Some(b) if b.is_enabled().await? => Ok(Some(())),
                _ => Ok(None),
            },
        )
        .await
    }

    // --- finding ------------------------------------------------------------------------------

    /// The first control of `role` named `name`, if present now.
    pub async fn find(&self, role: Role, name: &str) -> Result<Option<Element>> {
        let found = self
            .client
            .find_all(Locator::XPath(&xpath_for(role, name)))
            .await?;
        Ok(found.into_iter().next())
    }

    /// The control of `role` named `name`, waiting up to [`UI_TIMEOUT`] for it to appear.
    pub async fn control(&self, role: Role, name: &str) -> Result<Element> {
        self.poll(
            &format!("{role:?} named {name:?}"),
            UI_TIMEOUT,
            async || self.find(role, name).await,
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

    // --- key panel ----------------------------------------------------------------------------

    /// Pastes `key` into "OpenRouter API key" and presses Enter; waits until the panel uses it.
    pub async fn enter_key(&self, key: &str) -> Result {
        let field = self.control(Role::Password, "OpenRouter API key").await?;
        self.replace_text(&field, key).await?;
        field.send_keys("\u{E007}").await?;
        let tail: String = key
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        self.poll(
            "the key panel to say the key is in use",
            UI_TIMEOUT,
            async || {
                let forget = self.control(Role::Button, "Forget key").await?;
                let field = self.control(Role::Password, "OpenRouter API key").await?;
                let cleared = field.prop("value").await?.unwrap_or_default().is_empty();
                let enabled = forget.is_enabled().await?;
                // The status line under the field names the key in use by its last characters.
                let status = self
                    .client
                    .find(Locator::Css(".key-panel__status"))
                    .await?
                    .text()
                    .await?;
                let named = status.contains(&format!("\u{2026}{tail}"));
                Ok((cleared && enabled && named).then_some(()))
            },
        )
        .await
    }

    /// Ticks or unticks "Remember on this device".
    pub async fn set_remember(&self, on: bool) -> Result {
        let checkbox = self
            .control(Role::Checkbox, "Remember on this device")
            .await?;
        if checkbox.is_selected().await? != on {
            checkbox.click().await?;
        }
        self.poll("the Remember checkbox to change", UI_TIMEOUT, async || {
            let c = self
                .control(Role::Checkbox, "Remember on this device")
                .await?;
            Ok((c.is_selected().await? == on).then_some(()))
        })
        .await
    }

    pub async fn forget_key(&self) -> Result {
        self.control(Role::Button, "Forget key")
            .await?
            .click()
            .await?;
        self.poll("Forget key to take effect", UI_TIMEOUT, async || {
            let b = self.control(Role::Button, "Forget key").await?;
            Ok((!b.is_enabled().await?).then_some(()))
        })
        .await
    }

    // --- settings -----------------------------------------------------------------------------

    /// Opens the Settings disclosure if it is closed.
    pub async fn open_settings(&self) -> Result {
        let summary = self.control(Role::Summary, "Settings").await?;
        let open = self
            .js(
                "return arguments[0].parentElement.open === true",
                vec![serde_json::to_value(&summary)?],
            )
            .await?;
        if open != json!(true) {
            summary.click().await?;
        }
        self.poll(
            "the API base URL field to be visible",
            UI_TIMEOUT,
            async || {
                let f = self.control(Role::Textbox, "API base URL").await?;
                Ok(f.is_displayed().await?.then_some(()))
            },
        )
        .await
    }

    /// The message tied to the API base URL field (`aria-describedby`), e.g. "Saved.".
    pub async fn settings_message(&self) -> Result<String> {
        let field = self.control(Role::Textbox, "API base URL").await?;
        let Some(ids) = field.attr("aria-describedby").await? else {
            bail!("the API base URL field has no aria-describedby message");
        };
        let mut text = String::new();
        for id in ids.split_whitespace() {
            let el = self.client.find(Locator::Id(id)).await?;
            let v = self
                .js(
                    "return arguments[0].textContent",
                    vec![serde_json::to_value(&el)?],
                )
                .await?;
            text.push_str(v.as_str().unwrap_or_default());
        }
        Ok(text.trim().to_owned())
    }

    /// Types into "API base URL" and presses "Save settings"; returns the message shown
    /// afterwards (waits until it is not empty / changed).
    pub async fn save_api_base(&self, url: &str) -> Result<String> {
        self.open_settings().await?;
        let field = self.control(Role::Textbox, "API base URL").await?;
        self.replace_text(&field, url).await?;
        self.press_save_settings().await
    }

    /// The browser's own constraint-validation message for a field (e.g. Chrome's "Please enter
    /// a URL." for `type=url`), or `None` when the browser considers the value valid.
    pub async fn native_validation_message(
        &self,
        role: Role,
        name: &str,
    ) -> Result<Option<String>> {
        let el = self.control(role, name).await?;
        let v = self
            .js(
                "const e = arguments[0]; return e.validity && !e.validity.valid ? e.validationMessage : null;",
                vec![serde_json::to_value(&el)?],
            )
            .await?;
        Ok(v.as_str().map(str::to_owned))
    }

    /// Sets "Request timeout (seconds)" and saves.
    pub async fn save_timeout(&self, seconds: u32) -> Result<String> {
        self.open_settings().await?;
        let field = self
            .control(Role::Spinbutton, "Request timeout (seconds)")
            .await?;
        self.replace_text(&field, &seconds.to_string()).await?;
        self.press_save_settings().await
    }

    /// Sets Settings' "Idle timeout (seconds)" (streamed answers) and saves.
    pub async fn save_idle_timeout(&self, seconds: u32) -> Result<String> {
        self.open_settings().await?;
        let field = self
            .control(Role::Spinbutton, "Idle timeout (seconds)")
            .await?;
        self.replace_text(&field, &seconds.to_string()).await?;
        self.press_save_settings().await
    }

    /// Ticks or clears Settings' "Stream responses" (saved at once).
    pub async fn set_streaming(&self, on: bool) -> Result {
        self.open_settings().await?;
        let checkbox = self.control(Role::Checkbox, "Stream responses").await?;
        if checkbox.is_selected().await? != on {
            checkbox.click().await?;
        }
        self.poll(
            "the streaming setting to be saved",
            UI_TIMEOUT,
            async || {
                let stored = self.local_storage().await?;
                let saved = stored
                    .get("kleinbild.settings.v1")
                    .is_some_and(|s| s.contains(&format!("\"stream\":{on}")));
                Ok(saved.then_some(()))
            },
        )
        .await
    }

    async fn press_save_settings(&self) -> Result<String> {
        let before = self.settings_message().await?;
        self.control(Role::Button, "Save settings")
            .await?
            .click()
            .await?;
        // The message is reactive text: wait until it changes. Saving twice in a row can show
        // the same message again ("Saved."), so after a short grace period an unchanged,
        // non-empty message counts as the answer.
        let start = Instant::now();
        self.poll("a message after Save settings", UI_TIMEOUT, async || {
            let m = self.settings_message().await?;
            let settled = start.elapsed() > Duration::from_millis(1500);
            Ok((!m.is_empty() && (m != before || settled)).then_some(m))
        })
        .await
    }

    /// Points the app at this test's mock and checks it says "Saved.".
    pub async fn use_mock(&self) -> Result {
        let base = self.mock.base_url();
        let message = self.save_api_base(&base).await?;
        ensure!(
            message.contains("Saved"),
            "saving API base {base} said {message:?}"
        );
        let shown = self.value_of(Role::Textbox, "API base URL").await?;
        ensure!(
            shown == base,
            "API base URL field shows {shown:?} after saving {base:?}"
        );
        Ok(())
    }

    /// Opens the app, points it at the mock and enters the demo key.
    pub async fn open_ready(&self) -> Result {
        self.open().await?;
        self.use_mock().await?;
        self.enter_key(DEMO_KEY).await
    }

    // --- prompt form --------------------------------------------------------------------------

    pub async fn type_prompt(&self, prompt: &str) -> Result {
        let field = self.control(Role::Textbox, "Prompt").await?;
        self.replace_text(&field, prompt).await
    }

    pub async fn prompt_value(&self) -> Result<String> {
        self.value_of(Role::Textbox, "Prompt").await
    }

    pub async fn select_aspect_ratio(&self, ratio: &str) -> Result {
        let select = self.control(Role::Combobox, "Aspect ratio").await?;
        select.select_by_value(ratio).await?;
        self.poll("the aspect ratio to change", UI_TIMEOUT, async || {
            Ok((self.value_of(Role::Combobox, "Aspect ratio").await? == ratio).then_some(()))
        })
        .await
    }

    pub async fn click_generate(&self) -> Result {
        self.control(Role::Button, "Generate")
            .await?
            .click()
            .await?;
        Ok(())
    }

    /// Ctrl+Enter inside the prompt.
    pub async fn ctrl_enter_in_prompt(&self) -> Result {
        let field = self.control(Role::Textbox, "Prompt").await?;
        field.send_keys("\u{E009}\u{E007}\u{E000}").await?;
        Ok(())
    }

    /// The progress text (`role=status`) while generating, if shown.
    pub async fn progress_text(&self) -> Result<Option<String>> {
        // "Generating… N s", or "Retrying in N s — attempt M of 3" between attempts.
        let found = self
            .client
            .find_all(Locator::Css(".progress[role=status]"))
            .await?;
        match found.first() {
            Some(el) => Ok(Some(el.text().await?)),
            None => Ok(None),
        }
    }

    // --- alert --------------------------------------------------------------------------------

    /// The text of the `role=alert` region as rendered (closed `<details>` excluded; "" when
    /// empty or missing).
    pub async fn alert_text(&self) -> Result<String> {
        self.alert_property("innerText").await
    }

    /// All text in the alert region, including collapsed details.
    pub async fn alert_full_text(&self) -> Result<String> {
        self.alert_property("textContent").await
    }

    async fn alert_property(&self, property: &str) -> Result<String> {
        let v = self
            .js(
                "return Array.from(document.querySelectorAll('[role=alert]')).map(e => e[arguments[0]]).join('\\n');",
                vec![json!(property)],
            )
            .await?;
        Ok(v.as_str().unwrap_or_default().trim().to_owned())
    }

    /// Waits until the alert contains `phrase` (case-insensitive); returns the whole text.
    pub async fn wait_alert(&self, phrase: &str, timeout: Duration) -> Result<String> {
        let needle = phrase.to_lowercase();
        let mut last = String::new();
        let r = self
            .poll(
                &format!("an alert containing {phrase:?}"),
                timeout,
                async || {
                    let t = self.alert_text().await?;
                    last = t.clone();
                    Ok(t.to_lowercase().contains(&needle).then_some(t))
                },
            )
            .await;
        r.map_err(|e| format!("{e} (alert text was {last:?})").into())
    }

    /// Waits until the alert has any text; returns it.
    pub async fn wait_any_alert(&self, timeout: Duration) -> Result<String> {
        self.poll("any alert", timeout, async || {
            let t = self.alert_text().await?;
            Ok((!t.is_empty()).then_some(t))
        })
        .await
    }

    // --- results ------------------------------------------------------------------------------

    /// `(naturalWidth, naturalHeight)` of the `<img>` whose alt is `alt`, once it has decoded.
    pub async fn wait_image(&self, alt: &str, timeout: Duration) -> Result<(u64, u64)> {
        self.poll(&format!("a decoded image with alt {alt:?}"), timeout, async || {
            let v = self
                .js(
                    "const i = Array.from(document.images).find(i => i.alt === arguments[0]);
                     return i && i.complete && i.naturalWidth > 0 ? [i.naturalWidth, i.naturalHeight] : null;",
                    vec![json!(alt)],
                )
                .await?;
            Ok(v.as_array().map(|a| (a[0].as_u64().unwrap_or(0), a[1].as_u64().unwrap_or(0))))
        })
        .await
    }

    /// Whether an `<img>` with this alt is in the page now.
    pub async fn has_image(&self, alt: &str) -> Result<bool> {
        let v = self
            .js(
                "return Array.from(document.images).some(i => i.alt === arguments[0]);",
                vec![json!(alt)],
            )
            .await?;
        Ok(v == json!(true))
    }

    /// Types `prompt`, clicks Generate and waits for its image; returns its natural size.
    pub async fn generate(&self, prompt: &str) -> Result<(u64, u64)> {
        self.type_prompt(prompt).await?;
        self.click_generate().await?;
        self.wait_image(prompt, UI_TIMEOUT).await
    }

    /// Waits until the Generate button is back (no generation running).
    pub async fn wait_idle(&self) -> Result {
        self.poll("the Generate button to come back", UI_TIMEOUT, async || {
            Ok(self.find(Role::Button, "Generate").await?.map(|_| ()))
        })
        .await
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
            .issue_cmd(RawCommand {
                method: http::Method::POST,
                path: "se/log".into(),
                body: Some(json!({ "type": "browser" })),
            })
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

    /// Chromium's computed accessible name of an element (WebDriver "Get Computed Label").
    pub async fn computed_label(&self, el: &Element) -> Result<String> {
        let v = self
            .client
            .issue_cmd(RawCommand {
                method: http::Method::GET,
                path: format!("element/{}/computedlabel", el.element_id()),
                body: None,
            })
            .await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// Chromium's computed ARIA role of an element (WebDriver "Get Computed Role").
    pub async fn computed_role(&self, el: &Element) -> Result<String> {
        let v = self
            .client
            .issue_cmd(RawCommand {
                method: http::Method::GET,
                path: format!("element/{}/computedrole", el.element_id()),
                body: None,
            })
            .await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    // --- the mock -----------------------------------------------------------------------------

    /// The generation requests (POST …/chat/completions or …/images) the mock received.
    pub fn generation_requests(&self) -> Vec<RecordedRequest> {
        self.mock
            .requests()
            .into_iter()
            .filter(|r| {
                r.method == "POST"
                    && (r.path.ends_with("/chat/completions") || r.path.ends_with("/images"))
            })
            .collect()
    }

    /// Waits until the mock has recorded the `n`-th generation request (1-based) and it is no
    /// longer pending; returns it.
    pub async fn wait_generation_request(
        &self,
        n: usize,
        timeout: Duration,
    ) -> Result<RecordedRequest> {
        self.poll(
            &format!("generation request #{n} to finish at the mock"),
            timeout,
            async || {
                Ok(self
                    .generation_requests()
                    .into_iter()
                    .nth(n - 1)
                    .filter(|r| r.outcome != Outcome::Pending))
            },
        )
        .await
    }
}

/// Phrase check helper for table-driven tests: case-insensitive `contains`.
pub fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

/// Sends `body` to the mock's chat endpoint again and returns the first image's bytes
/// (the mock is deterministic: the same request gives the same image).
pub async fn replay_image(addr: &std::net::SocketAddr, body: &Value) -> Result<Vec<u8>> {
    // The same request answered as one JSON body (the image depends only on
    // prompt, seed and references, not on streaming).
    let mut body = body.clone();
    body["stream"] = Value::Bool(false);
    let payload = body.to_string();
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let head = format!(
        "POST /api/v1/chat/completions HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {DEMO_KEY}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        payload.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(payload.as_bytes()).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no HTTP header end")?;
    let headers = String::from_utf8_lossy(&raw[..split]).to_lowercase();
    let mut body = raw[split + 4..].to_vec();
    if headers.contains("transfer-encoding: chunked") {
        body = dechunk(&body)?;
    }
    let json: Value = serde_json::from_slice(&body)?;
    let url = json
        .pointer("/choices/0/message/images/0/image_url/url")
        .and_then(Value::as_str)
        .ok_or("no image in the replayed answer")?;
    let b64 = url
        .split_once("base64,")
        .ok_or("not a base64 data URL")?
        .1
        .trim();
    Ok(base64::engine::general_purpose::STANDARD.decode(b64)?)
}

fn dechunk(mut data: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("bad chunk header")?;
        let size_text = String::from_utf8_lossy(&data[..end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)?;
        data = &data[end + 2..];
        if size == 0 {
            return Ok(out);
        }
        if data.len() < size {
            bail!("truncated chunk");
        }
        out.extend_from_slice(&data[..size]);
        data = data.get(size + 2..).unwrap_or_default();
    }
}

// ---------------------------------------------------------------------------------------------
// History helpers shared by the test files
// ---------------------------------------------------------------------------------------------

/// Page script: remembers every Blob turned into an object URL and captures downloads
/// (link clicks with `download`) in `window.__downloads` instead of saving files.
pub const CAPTURE_DOWNLOADS: &str = "
  window.__blobs = new Map(); window.__downloads = [];
  const create = URL.createObjectURL;
  URL.createObjectURL = b => { const u = create(b); window.__blobs.set(u, b); return u; };
  const click = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function () {
    const blob = this.download && window.__blobs.get(this.href);
    if (!blob) return click.call(this);
    const name = this.download;
    blob.arrayBuffer().then(buf => {
      const bytes = new Uint8Array(buf); let text = '';
      for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      window.__downloads.push({ name, data: btoa(text) });
    });
  };";

impl App {
    /// The bytes of the image the app's last generation request got back (the mock is
    /// deterministic, so asking again gives the same image).
    pub async fn last_generated_image(&self) -> Result<Vec<u8>> {
        let last = self
            .generation_requests()
            .pop()
            .ok_or("no generation request recorded")?;
        replay_image(&self.mock.addr(), &last.body).await
    }

    /// Clicks the button `name` of the History item whose image alt is `prompt`.
    pub async fn history_button(&self, prompt: &str, name: &str) -> Result {
        // The entry shows up once its save finished, a moment after the studio shows the
        // image, so wait for the button; the click happens exactly once.
        self.poll(
            &format!("a {name:?} button for {prompt:?} in History"),
            UI_TIMEOUT,
            async || {
                let clicked = self
                    .js(
                        "const li = Array.from(document.querySelectorAll('section[aria-label=History] li'))
                           .find(li => (li.querySelector('img') || {}).alt === arguments[0]);
                         const b = li && Array.from(li.querySelectorAll('button')).find(b => b.textContent.trim() === arguments[1]);
                         if (b) b.click(); return !!b;",
                        vec![json!(prompt), json!(name)],
                    )
                    .await?;
                Ok((clicked == json!(true)).then_some(()))
            },
        )
        .await
    }

    /// Waits for captured download number `n` (from 0, after [`CAPTURE_DOWNLOADS`] ran)
    /// and returns its file name and bytes.
    pub async fn download(&self, n: usize) -> Result<(String, Vec<u8>)> {
        let v = self
            .poll(&format!("download #{n}"), UI_TIMEOUT, async || {
                let v = self
                    .js(
                        "return window.__downloads[arguments[0]] || null;",
                        vec![json!(n)],
                    )
                    .await?;
                Ok((!v.is_null()).then_some(v))
            })
            .await?;
        let name = v["name"].as_str().unwrap_or_default().to_owned();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(v["data"].as_str().unwrap_or_default())?;
        Ok((name, bytes))
    }
}

impl App {
    /// Runs a Chrome DevTools Protocol command (e.g. to grant a permission or inject a
    /// script into every new document).
    pub async fn cdp(&self, cmd: &'static str, params: Value) -> Result<Value> {
        let command = RawCommand {
            method: http::Method::POST,
            path: "goog/cdp/execute".into(),
            body: Some(json!({ "cmd": cmd, "params": params })),
        };
        Ok(self.client.issue_cmd(command).await?)
    }
}
