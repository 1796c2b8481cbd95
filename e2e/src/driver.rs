//! chromedriver and browser sessions: one chromedriver per test, one fresh Chromium profile per
//! session, and raw WebDriver commands for what fantoccini has no method for.

use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};
use tokio::net::TcpStream;

use crate::Result;

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
        self.session_in(&[]).await
    }

    /// Like [`Driver::session`], with a browser whose preferred languages are
    /// `languages` (e.g. `["de-DE", "de"]`; empty: the browser's default).
    pub async fn session_in(&self, languages: &[&str]) -> Result<Client> {
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
        let lang_arg = languages.first().map(|l| format!("--lang={l}"));
        if let Some(arg) = &lang_arg {
            args.push(arg);
        }
        let mut options = json!({ "args": args });
        if !languages.is_empty() {
            options["prefs"] = json!({ "intl.accept_languages": languages.join(",") });
        }
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
pub(crate) struct RawCommand {
    method: http::Method,
    path: String,
    body: Option<Value>,
}

impl RawCommand {
    pub(crate) fn get(path: impl Into<String>) -> RawCommand {
        RawCommand {
            method: http::Method::GET,
            path: path.into(),
            body: None,
        }
    }

    pub(crate) fn post(path: impl Into<String>, body: Value) -> RawCommand {
        RawCommand {
            method: http::Method::POST,
            path: path.into(),
            body: Some(body),
        }
    }
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
