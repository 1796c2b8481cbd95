//! The static file server: the release build on an ephemeral loopback port, as a static host
//! would serve it (axum on hyper), brotli-compressed when the browser accepts it, as GitHub
//! Pages, Netlify and CDNs compress text and wasm.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::{Result, bail};

/// Directory of the release build: `$DIST_DIR` or `<workspace>/dist`.
pub fn dist_dir() -> PathBuf {
    std::env::var_os("DIST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../dist"))
}

/// One request line + headers as the static server received them
/// (`GET /index.html HTTP/1.1\r\nhost: 127.0.0.1:…\r\n…`; header names in lower case).
pub type RequestHead = String;

/// Serves a directory over HTTP/1.1 on an ephemeral loopback port, under `/` or a sub-path
/// (as a project page on GitHub Pages is). Every answer says `Cache-Control: no-store`;
/// missing files are 404, methods other than GET and HEAD 405, and no path may contain `..`.
/// Logs the head of every request. Stops when dropped.
pub struct StaticServer {
    addr: SocketAddr,
    prefix: String,
    log: Arc<Mutex<Vec<RequestHead>>>,
    stop: Mutex<Option<oneshot::Sender<()>>>,
}

/// What every request handler shares.
struct Site {
    dir: PathBuf,
    /// Starts and ends with `/`.
    prefix: String,
    log: Arc<Mutex<Vec<RequestHead>>>,
}

impl StaticServer {
    /// Serves `dir` at `/`.
    pub async fn start(dir: PathBuf) -> Result<StaticServer> {
        StaticServer::start_at(dir, "/").await
    }

    /// Serves `dir` under `prefix` (e.g. `/kleinbild/`): `<prefix>` (and any folder's
    /// path ending in `/`) is that folder's `index.html`,
    /// `<prefix>name` is `dir/name`, the prefix without its final `/` redirects to it, and
    /// everything outside it is 404.
    pub async fn start_at(dir: PathBuf, prefix: &str) -> Result<StaticServer> {
        if !dir.join("index.html").is_file() {
            bail!(
                "no index.html in {} (set DIST_DIR or run trunk build --release)",
                dir.display()
            );
        }
        let prefix = normalize_prefix(prefix)?;
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let site = Arc::new(Site {
            dir,
            prefix: prefix.clone(),
            log: log.clone(),
        });
        let app = Router::new().fallback(serve).with_state(site);
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            // No Nagle delay: without it, each response's last small segment
            // waits for the browser's delayed ACK (tens of ms per file).
            let listener = listener.tap_io(|tcp| {
                let _ = tcp.set_nodelay(true);
            });
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(StaticServer {
            addr,
            prefix,
            log,
            stop: Mutex::new(Some(stop)),
        })
    }

    /// `http://127.0.0.1:PORT`
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The path the build is served under: `/`, or e.g. `/kleinbild/`.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The page's URL: `http://127.0.0.1:PORT/` plus the sub-path, if any.
    pub fn url(&self) -> String {
        format!("{}{}", self.origin(), self.prefix)
    }

    /// Every request head received so far.
    pub fn requests(&self) -> Vec<RequestHead> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Stops serving, as when the site is out of reach: no new connection is
    /// accepted; open ones end as soon as they are idle.
    pub fn stop(&self) {
        if let Some(stop) = self.stop.lock().ok().and_then(|mut s| s.take()) {
            let _ = stop.send(());
        }
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `kleinbild`, `/kleinbild` or `/kleinbild/` → `/kleinbild/`; `""` or `/` → `/`.
fn normalize_prefix(prefix: &str) -> Result<String> {
    let inner = prefix.trim_matches('/');
    if inner.contains("..") || inner.contains(['?', '#', '\\']) || inner.contains("//") {
        bail!("not a usable sub-path: {prefix:?}");
    }
    Ok(if inner.is_empty() {
        "/".to_owned()
    } else {
        format!("/{inner}/")
    })
}

async fn serve(State(site): State<Arc<Site>>, request: Request) -> Response {
    if let Ok(mut log) = site.log.lock() {
        log.push(head_of(&request));
    }
    let method = request.method();
    if method != Method::GET && method != Method::HEAD {
        let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let path = request.uri().path();
    if site.prefix != "/" && path == site.prefix.trim_end_matches('/') {
        let mut response = no_store(StatusCode::MOVED_PERMANENTLY, Body::empty());
        if let Ok(location) = HeaderValue::from_str(&site.prefix) {
            response.headers_mut().insert(header::LOCATION, location);
        }
        return response;
    }
    let file = path
        .strip_prefix(site.prefix.as_str())
        .filter(|rest| !rest.contains("..") && !rest.starts_with('/'))
        // A folder's page (`<prefix>`, `<prefix>de/`) is its index.html, as hosts do.
        .map(|rest| {
            if rest.is_empty() || rest.ends_with('/') {
                site.dir.join(rest).join("index.html")
            } else {
                site.dir.join(rest)
            }
        })
        .filter(|file| file.is_file());
    let Some(file) = file else {
        return plain(StatusCode::NOT_FOUND, "not found");
    };
    let kind = content_type(&file);
    let bytes = match tokio::fs::read(&file).await {
        Ok(bytes) => bytes,
        Err(e) => return plain(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    let packed = if accepts_brotli(&request) && compressible(kind) {
        compressed(&file, &bytes).await
    } else {
        None
    };
    let brotli = packed.is_some();
    let bytes = packed.unwrap_or(bytes);
    // For HEAD, axum sends the headers (with the length) and drops the body.
    let mut response = no_store(StatusCode::OK, Body::from(bytes));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if brotli {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
    }
    response
}

fn accepts_brotli(request: &Request) -> bool {
    request
        .headers()
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            parts.next() == Some("br") && !parts.any(|p| p.replace(' ', "") == "q=0")
        })
}

/// What hosts compress: text, scripts, wasm, SVG and JSON (not images, already compressed).
fn compressible(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || matches!(
            content_type,
            "application/wasm" | "image/svg+xml" | "application/json" | "application/manifest+json"
        )
}

/// `bytes` brotli-compressed at the highest quality (the size the budgets count), computed
/// once per file content for the whole process: every test starts its own server. `None` when
/// compression fails, so the file goes out as it is.
async fn compressed(file: &Path, bytes: &[u8]) -> Option<Vec<u8>> {
    type Cache = Mutex<HashMap<(PathBuf, u64), Arc<Vec<u8>>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (file.to_path_buf(), fingerprint(bytes));
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return Some(hit.as_ref().clone());
    }
    let input = bytes.to_vec();
    let packed = tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        let params = brotli::enc::BrotliEncoderParams {
            quality: 11,
            ..Default::default()
        };
        brotli::BrotliCompress(&mut input.as_slice(), &mut out, &params).ok()?;
        Some(out)
    })
    .await
    .ok()??;
    if let Ok(mut c) = cache.lock() {
        c.insert(key, Arc::new(packed.clone()));
    }
    Some(packed)
}

/// A cheap content fingerprint (FNV-1a), so a rebuilt file is compressed again.
fn fingerprint(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The request line and headers, as they arrived.
fn head_of(request: &Request) -> RequestHead {
    let mut head = format!(
        "{} {} {:?}",
        request.method(),
        request.uri(),
        request.version()
    );
    for (name, value) in request.headers() {
        head.push_str("\r\n");
        head.push_str(name.as_str());
        head.push_str(": ");
        head.push_str(&String::from_utf8_lossy(value.as_bytes()));
    }
    head
}

fn no_store(status: StatusCode, body: Body) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn plain(status: StatusCode, text: &str) -> Response {
    let mut response = no_store(status, Body::from(text.to_owned()));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
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
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::send;

    /// A build-like directory: `index.html`, a `.wasm` and a `.js`.
    fn site() -> PathBuf {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("e2e-static-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "<!doctype html><title>k</title>").unwrap();
        std::fs::write(dir.join("app_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
        std::fs::write(dir.join("app.js"), "export {};").unwrap();
        dir
    }

    async fn get(method: Method, url: &str) -> (StatusCode, String, String, Vec<u8>) {
        let answer = send(method, url, &[], Vec::new()).await.unwrap();
        let header = |name| {
            answer
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        (
            answer.status,
            header(header::CONTENT_TYPE),
            header(header::CACHE_CONTROL),
            answer.body.to_vec(),
        )
    }

    #[tokio::test]
    async fn serves_the_build_at_the_root() {
        let dir = site();
        let server = StaticServer::start(dir.clone()).await.unwrap();
        let base = server.url();
        assert_eq!(base, format!("{}/", server.origin()));

        let (status, ctype, cache, body) = get(Method::GET, &base).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(ctype, "text/html; charset=utf-8");
        assert_eq!(cache, "no-store");
        assert_eq!(body, std::fs::read(dir.join("index.html")).unwrap());

        let (status, ctype, _, body) = get(Method::GET, &format!("{base}app_bg.wasm?v=1")).await;
        assert_eq!(
            (status, ctype.as_str()),
            (StatusCode::OK, "application/wasm")
        );
        assert_eq!(body, b"\0asm\x01\0\0\0");

        let answer = send(Method::HEAD, &format!("{base}app.js"), &[], Vec::new())
            .await
            .unwrap();
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.headers[header::CONTENT_LENGTH], "10");
        assert!(answer.body.is_empty());

        let (status, _, cache, _) = get(Method::GET, &format!("{base}missing.js")).await;
        assert_eq!(
            (status, cache.as_str()),
            (StatusCode::NOT_FOUND, "no-store")
        );
        let (status, ..) = get(Method::GET, &format!("{base}x/../index.html")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, ..) = get(Method::POST, &base).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);

        let heads = server.requests();
        assert_eq!(heads.len(), 6, "{heads:#?}");
        assert!(
            heads[1].starts_with("GET /app_bg.wasm?v=1 HTTP/1.1\r\n"),
            "{}",
            heads[1]
        );
        assert!(heads[1].contains("\r\nhost: 127.0.0.1:"), "{}", heads[1]);
        assert!(heads[5].starts_with("POST / HTTP/1.1"), "{}", heads[5]);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn serves_the_build_under_a_sub_path() {
        let dir = site();
        let server = StaticServer::start_at(dir.clone(), "kleinbild")
            .await
            .unwrap();
        assert_eq!(server.prefix(), "/kleinbild/");
        let base = server.url();
        assert_eq!(base, format!("{}/kleinbild/", server.origin()));

        let (status, ctype, ..) = get(Method::GET, &base).await;
        assert_eq!(
            (status, ctype.as_str()),
            (StatusCode::OK, "text/html; charset=utf-8")
        );
        let (status, ctype, ..) = get(Method::GET, &format!("{base}app.js")).await;
        assert_eq!(
            (status, ctype.as_str()),
            (StatusCode::OK, "text/javascript; charset=utf-8")
        );
        let answer = send(
            Method::GET,
            &format!("{}/kleinbild", server.origin()),
            &[],
            Vec::new(),
        )
        .await
        .unwrap();
        assert_eq!(answer.status, StatusCode::MOVED_PERMANENTLY);
        assert_eq!(answer.headers[header::LOCATION], "/kleinbild/");
        for outside in ["/", "/app.js", "/kleinbildx/app.js", "/kleinbild//app.js"] {
            let (status, ..) = get(Method::GET, &format!("{}{outside}", server.origin())).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{outside}");
        }
        drop(server);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn compresses_text_and_wasm_with_brotli_when_the_browser_accepts_it() {
        let dir = site();
        std::fs::write(dir.join("photo.png"), b"\x89PNG\r\n\x1a\n").unwrap();
        let server = StaticServer::start(dir.clone()).await.unwrap();
        let base = server.url();
        let fetch = |path: &'static str, accept: &'static str| {
            let url = format!("{base}{path}");
            async move {
                send(
                    Method::GET,
                    &url,
                    &[(header::ACCEPT_ENCODING, accept)],
                    Vec::new(),
                )
                .await
                .unwrap()
            }
        };
        for (path, original) in [("", "index.html"), ("app_bg.wasm", "app_bg.wasm")] {
            // Twice: the second answer comes from the cache and must be the same.
            for _ in 0..2 {
                let answer = fetch(path, "gzip, deflate, br, zstd").await;
                assert_eq!(answer.headers[header::CONTENT_ENCODING], "br", "{path}");
                assert_eq!(answer.headers[header::VARY], "accept-encoding");
                let mut unpacked = Vec::new();
                brotli::BrotliDecompress(&mut answer.body.as_ref(), &mut unpacked).unwrap();
                assert_eq!(
                    unpacked,
                    std::fs::read(dir.join(original)).unwrap(),
                    "{path}"
                );
            }
        }
        for (path, accept) in [
            ("app.js", "gzip"),
            ("app.js", "br;q=0"),
            ("photo.png", "br"),
        ] {
            let answer = fetch(path, accept).await;
            assert!(
                !answer.headers.contains_key(header::CONTENT_ENCODING),
                "{path} with {accept}"
            );
            assert_eq!(answer.body, std::fs::read(dir.join(path)).unwrap());
        }
        drop(server);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn prefixes_are_normalized() {
        assert_eq!(normalize_prefix("").unwrap(), "/");
        assert_eq!(normalize_prefix("/").unwrap(), "/");
        assert_eq!(normalize_prefix("kleinbild").unwrap(), "/kleinbild/");
        assert_eq!(normalize_prefix("/kleinbild/").unwrap(), "/kleinbild/");
        assert_eq!(normalize_prefix("/a/b").unwrap(), "/a/b/");
        assert!(normalize_prefix("/../x/").is_err());
    }
}
