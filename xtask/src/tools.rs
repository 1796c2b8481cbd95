//! Installs the pinned build and test tools when they are missing, and only
//! then: a warm machine pays a few `--version` calls.

use std::path::PathBuf;
use std::process::Command;

use crate::{root, run_step};

/// npm's binaryen 132; Debian's binaryen 108 produces a blank page.
const BINARYEN_NPM: &str = "binaryen@132.0.0";
const WASM_OPT_VERSION: &str = "version 132";
/// Minifies wasm-bindgen's JS glue and the stylesheets.
const ESBUILD_NPM: &str = "esbuild@0.28.2";
const ESBUILD_VERSION: &str = "0.28.2";

/// Project-local tools (npm binaryen) live here, outside git.
fn tools_dir() -> PathBuf {
    root().join(".tools")
}

/// PATH with the project's wasm-opt first and cargo's bin dir present.
pub fn path_with_tools() -> String {
    let mut parts = vec![tools_dir().join("node_modules/.bin")];
    if let Some(home) = cargo_home() {
        parts.push(home.join("bin"));
    }
    let current = std::env::var_os("PATH").unwrap_or_default();
    parts.extend(std::env::split_paths(&current));
    std::env::join_paths(parts)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
}

/// `<program> --version` output, found on the project PATH.
fn version_of(program: &str) -> Option<String> {
    let output = Command::new(program)
        .arg("--version")
        .env("PATH", path_with_tools())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// The wasm-bindgen version locked in Cargo.lock; the CLI must match it.
pub fn locked_wasm_bindgen() -> Result<String, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        let version = (line == "name = \"wasm-bindgen\"")
            .then(|| lines.next())
            .flatten()
            .and_then(|l| l.strip_prefix("version = \""))
            .and_then(|v| v.strip_suffix('"'));
        if let Some(version) = version {
            return Ok(version.to_owned());
        }
    }
    Err("Cargo.lock has no wasm-bindgen entry".into())
}

/// wasm32 target, wasm-bindgen-cli, wasm-opt and esbuild.
pub fn ensure_build_tools() -> Result<(), String> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("wasm32-unknown-unknown"))
        .unwrap_or(false);
    if !installed {
        run_step(
            "install wasm32 target",
            Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]),
        )?;
    }
    let bindgen = locked_wasm_bindgen()?;
    if version_of("wasm-bindgen").as_deref() != Some(&format!("wasm-bindgen {bindgen}")) {
        // No --locked: its lockfile pins a crate version the registry here lacks.
        run_step(
            "install wasm-bindgen-cli",
            crate::cargo().args(["install", "wasm-bindgen-cli", "--version", &bindgen]),
        )?;
    }
    let wasm_opt_ok = version_of(&tool("wasm-opt")).is_some_and(|v| v.contains(WASM_OPT_VERSION));
    let esbuild_ok = version_of(&tool("esbuild")).as_deref() == Some(ESBUILD_VERSION);
    if !(wasm_opt_ok && esbuild_ok) {
        npm_install("wasm-opt and esbuild", &[BINARYEN_NPM, ESBUILD_NPM])?;
    }
    Ok(())
}

/// Lighthouse 12 (npm) for `cargo xtask bench`; it drives Debian's Chromium.
const LIGHTHOUSE_NPM: &str = "lighthouse@12.8.2";
const LIGHTHOUSE_VERSION: &str = "12.8.2";

/// Installs Lighthouse into `.tools/` unless that version is there.
pub fn ensure_lighthouse() -> Result<String, String> {
    let cli = tool("lighthouse");
    if version_of(&cli).as_deref() != Some(LIGHTHOUSE_VERSION) {
        npm_install("lighthouse", &[LIGHTHOUSE_NPM])?;
    }
    Ok(cli)
}

/// axe-core (npm), which the e2e accessibility test injects into the page.
const AXE_NPM: &str = "axe-core@4.14.1";
const AXE_VERSION: &str = "\"version\": \"4.14.1\"";

/// Installs axe-core into `.tools/` unless that version is there; returns the
/// path of its script.
pub fn ensure_axe() -> Result<String, String> {
    let package = tools_dir().join("node_modules/axe-core");
    let installed = std::fs::read_to_string(package.join("package.json"))
        .is_ok_and(|p| p.contains(AXE_VERSION));
    if !installed {
        npm_install("axe-core", &[AXE_NPM])?;
    }
    Ok(package.join("axe.min.js").to_string_lossy().into_owned())
}

/// Installs npm packages into `.tools/` (npm itself from Debian if missing).
fn npm_install(what: &str, packages: &[&str]) -> Result<(), String> {
    ensure_debian_package("npm", &["npm"])?;
    std::fs::create_dir_all(tools_dir()).map_err(|e| e.to_string())?;
    run_step(
        &format!("install {what} (npm)"),
        Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "--prefix",
            ])
            .arg(tools_dir())
            .args(packages),
    )
}

/// Path of an npm-installed tool in `.tools/`.
pub fn tool(name: &str) -> String {
    tools_dir()
        .join("node_modules/.bin")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

pub fn chromedriver() -> String {
    std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into())
}

/// Debian's chromium and chromedriver (never a downloaded browser).
pub fn ensure_browser() -> Result<(), String> {
    if which("chromium") && std::path::Path::new(&chromedriver()).exists() {
        return Ok(());
    }
    ensure_debian_packages(&["chromium", "chromium-driver"])
}

fn ensure_debian_package(program: &str, packages: &[&str]) -> Result<(), String> {
    if which(program) {
        Ok(())
    } else {
        ensure_debian_packages(packages)
    }
}

fn ensure_debian_packages(packages: &[&str]) -> Result<(), String> {
    let sudo = if is_root() { None } else { Some("sudo") };
    let apt = |args: &[&str]| {
        let mut command = Command::new(sudo.unwrap_or("apt-get"));
        if sudo.is_some() {
            command.arg("apt-get");
        }
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        command
    };
    run_step("apt-get update", &mut apt(&["update", "-qq"]))?;
    let mut install = apt(&["install", "-y", "-qq", "--no-install-recommends"]);
    install.args(packages);
    run_step(&format!("install {}", packages.join(", ")), &mut install)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn which(program: &str) -> bool {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .any(|dir| dir.join(program).is_file())
}
