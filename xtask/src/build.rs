//! The release build: trunk (offline, pinned tools), then the page's
//! Content-Security-Policy, which needs the hash of trunk's inline loader.

use std::path::PathBuf;
use std::process::Command;

use base64::Engine as _;
use sha2::{Digest, Sha256, Sha384};

use crate::{flag_value, root, run_step, tools};

/// Origins the page may connect to besides itself: OpenRouter, plus loopback
/// for the bundled mock and local development.
const CONNECT_SRC: &str = "https://openrouter.ai http://127.0.0.1:* http://localhost:*";

/// Options of one build.
#[derive(Default)]
pub struct BuildOptions {
    pub public_url: Option<String>,
    /// Build a demo app whose default API base is this mock URL.
    pub demo_api_base: Option<String>,
    pub dist: Option<PathBuf>,
}

/// `cargo xtask build [--public-url /path/]`: returns the dist directory.
pub fn run(args: &[String]) -> Result<PathBuf, String> {
    build(BuildOptions {
        public_url: flag_value(args, "--public-url"),
        ..BuildOptions::default()
    })
}

pub fn build(options: BuildOptions) -> Result<PathBuf, String> {
    tools::ensure_build_tools()?;
    let dist = options.dist.unwrap_or_else(|| root().join("dist"));
    run_step("cargo fetch", crate::cargo().args(["fetch", "--locked"]))?;
    let mut trunk = Command::new("trunk");
    trunk
        .args(["build", "--release", "--locked", "--offline", "--dist"])
        .arg(&dist)
        .env("TRUNK_SKIP_VERSION_CHECK", "true");
    if let Some(url) = &options.public_url {
        trunk.args(["--public-url", url]);
    }
    // The app reads these with option_env!, so they must be set (or unset) explicitly.
    match &options.demo_api_base {
        Some(base) => trunk
            .env("KLEINBILD_DEMO_API_BASE", base)
            .env("KLEINBILD_DEMO_API_KEY", mock_demo_key()),
        None => trunk
            .env_remove("KLEINBILD_DEMO_API_BASE")
            .env_remove("KLEINBILD_DEMO_API_KEY"),
    };
    run_step("trunk build --release", &mut trunk)?;
    minify_js(&dist)?;
    add_content_security_policy(&dist)?;
    Ok(dist)
}

/// The key the bundled mock always accepts (see mock-openrouter DEMO_KEY).
fn mock_demo_key() -> &'static str {
    "sk-or-v1-mock-demo-key"
}

/// Minifies the JS glue in place and updates its SRI hash in index.html.
fn minify_js(dist: &std::path::Path) -> Result<(), String> {
    let index = dist.join("index.html");
    let mut html = std::fs::read_to_string(&index).map_err(|e| format!("{index:?}: {e}"))?;
    let scripts = std::fs::read_dir(dist)
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "js"));
    for script in scripts {
        run_step(
            "minify JS glue",
            Command::new(tools::tool("esbuild"))
                .arg(&script)
                .args([
                    "--minify",
                    "--format=esm",
                    "--log-level=warning",
                    "--allow-overwrite",
                ])
                .arg(format!("--outfile={}", script.display())),
        )?;
        let name = script
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = std::fs::read(&script).map_err(|e| e.to_string())?;
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha384::digest(&bytes));
        html = replace_integrity(&html, &name, &format!("sha384-{hash}"))
            .ok_or_else(|| format!("index.html has no integrity attribute for {name}"))?;
    }
    std::fs::write(&index, html).map_err(|e| format!("{index:?}: {e}"))
}

/// Replaces the `integrity` value of the tag whose attributes reference `file`.
fn replace_integrity(html: &str, file: &str, integrity: &str) -> Option<String> {
    let needle = format!("/{file}");
    let mut from = 0;
    while let Some(found) = html[from..].find(&needle) {
        let reference = from + found;
        from = reference + needle.len();
        let tag_start = html[..reference].rfind('<')?;
        // Only a reference inside a tag's attributes (not in a script body).
        if html[tag_start..reference].contains('>') {
            continue;
        }
        let tag_end = reference + html[reference..].find('>')?;
        let Some(at) = html[tag_start..tag_end].find("integrity=") else {
            continue;
        };
        let value_start = tag_start + at + "integrity=".len();
        let value_end = html[value_start..tag_end]
            .find(' ')
            .map_or(tag_end, |n| value_start + n);
        return Some(format!(
            "{}{integrity}{}",
            &html[..value_start],
            &html[value_end..]
        ));
    }
    None
}

fn add_content_security_policy(dist: &std::path::Path) -> Result<(), String> {
    let path = dist.join("index.html");
    let html = std::fs::read_to_string(&path).map_err(|e| format!("{path:?}: {e}"))?;
    if html.contains("Content-Security-Policy") {
        return Ok(());
    }
    // trunk inlines each stylesheet as its own <style>: one element, one CSP hash.
    let html = html.replace("</style><style>", "");
    let hashes = |tag: &str| {
        inline_elements(&html, tag)
            .into_iter()
            .map(|body| {
                let digest = Sha256::digest(body.as_bytes());
                format!(
                    "'sha256-{}'",
                    base64::engine::general_purpose::STANDARD.encode(digest)
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let policy = format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval' {}; style-src 'self' {}; \
         img-src 'self' blob:; connect-src 'self' {CONNECT_SRC}; manifest-src 'self'; \
         base-uri 'self'; form-action 'none'",
        hashes("script"),
        hashes("style"),
    );
    let meta = format!("<meta http-equiv=Content-Security-Policy content=\"{policy}\">");
    let at = html
        .find("<title")
        .ok_or("dist/index.html has no <title> to put the CSP before")?;
    let html = format!("{}{meta}{}", &html[..at], &html[at..]);
    std::fs::write(&path, html).map_err(|e| format!("{path:?}: {e}"))
}

/// Bodies of inline `<tag>` elements (scripts with `src` are not inline).
fn inline_elements<'a>(html: &'a str, tag: &str) -> Vec<&'a str> {
    let close = format!("</{tag}>");
    html.split(format!("<{tag}").as_str())
        .skip(1)
        .filter_map(|rest| {
            let (attributes, body) = rest.split_once('>')?;
            if attributes.contains("src=") {
                return None;
            }
            body.split_once(close.as_str()).map(|(inner, _)| inner)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{inline_elements, replace_integrity};

    #[test]
    fn replaces_the_integrity_of_the_right_tag() {
        let html = "<script type=module>import init from '/app-1.js';</script><link href=/a.css integrity=sha384-AAA rel=stylesheet><link crossorigin href=/app-1.js integrity=sha384-OLD rel=modulepreload>";
        let out = replace_integrity(html, "app-1.js", "sha384-NEW").unwrap();
        assert_eq!(out, html.replace("sha384-OLD", "sha384-NEW"));
        assert!(replace_integrity(html, "missing.js", "x").is_none());
    }

    #[test]
    fn finds_inline_scripts_only() {
        let html = "<script type=module>import a from '/x.js';</script><script src=/y.js></script><script>b()</script>";
        let found = inline_elements(html, "script");
        assert_eq!(found, ["import a from '/x.js';", "b()"]);
        let styles = "<style>a{b:c}</style><p>x</p><style media=print>d{e:f}</style>";
        let found = inline_elements(styles, "style");
        assert_eq!(found, ["a{b:c}", "d{e:f}"]);
    }
}
