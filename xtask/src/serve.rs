//! `cargo xtask serve [--mock]`: a release build served on 127.0.0.1, the way a
//! static host would serve it.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use crate::build::{BuildOptions, build};
use crate::{flag_value, root};

const MOCK_PORT: u16 = 8787;

pub fn run(args: &[String]) -> Result<(), String> {
    let port: u16 = flag_value(args, "--port")
        .map(|p| {
            p.parse()
                .map_err(|_| format!("--port {p}: not a port number"))
        })
        .transpose()?
        .unwrap_or(8080);
    let demo = args.iter().any(|a| a == "--mock");
    let mut mock = None;
    let dist = if demo {
        let base = format!("http://127.0.0.1:{MOCK_PORT}/api/v1");
        let dist = build(BuildOptions {
            demo_api_base: Some(base),
            dist: Some(root().join("target/dist-demo")),
            ..BuildOptions::default()
        })?
        .dist;
        mock = Some(start_mock()?);
        dist
    } else {
        // A development build: it may talk to a mock or proxy on loopback.
        build(BuildOptions {
            loopback: true,
            ..BuildOptions::default()
        })?
        .dist
    };
    let _mock = KillOnDrop(mock);
    let listener = TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    println!("Kleinbild is served on http://127.0.0.1:{port}/  (Ctrl+C stops it)");
    if demo {
        println!(
            "Demo mode: the app talks to the mock OpenRouter on http://127.0.0.1:{MOCK_PORT}/api/v1"
        );
    }
    for stream in listener.incoming().flatten() {
        let dist = dist.clone();
        std::thread::spawn(move || serve_file(stream, &dist));
    }
    Ok(())
}

struct KillOnDrop(Option<Child>);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn start_mock() -> Result<Child, String> {
    crate::run_step(
        "build mock OpenRouter",
        crate::cargo().args([
            "build",
            "--quiet",
            "--release",
            "--locked",
            "-p",
            "mock-openrouter",
        ]),
    )?;
    Command::new(root().join("target/release/mock-openrouter"))
        .args(["--port", &MOCK_PORT.to_string()])
        .spawn()
        .map_err(|e| format!("cannot start the mock: {e}"))
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("json") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

/// Answers one GET/HEAD; unknown paths get index.html, like an SPA host.
fn serve_file(mut stream: TcpStream, dist: &Path) {
    let Ok(clone) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(clone);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
        line.clear();
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default();
    let target = parts.next().unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let relative = path.trim_start_matches('/');
    // A folder's page (`/`, `/de/`) is its index.html, as static hosts do.
    let mut file: PathBuf = if relative.is_empty() || relative.ends_with('/') {
        dist.join(relative).join("index.html")
    } else {
        dist.join(relative)
    };
    let mut status = "200 OK";
    if relative.split('/').any(|s| s == "..") || !file.is_file() {
        file = dist.join("404.html");
        status = "404 Not Found";
    }
    let body = std::fs::read(&file).unwrap_or_default();
    let header = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n",
        content_type(&file),
        body.len()
    );
    let _ = stream.write_all(header.as_bytes());
    if method != "HEAD" {
        let _ = stream.write_all(&body);
    }
}
