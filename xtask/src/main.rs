//! `cargo xtask <command>`: the project's one entry point for people and CI.
//! Every command first installs whatever it needs that is missing.

mod benchmarks;
mod build;
mod modules;
mod serve;
mod shorten;
mod sizes;
mod tools;
mod translate;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

const USAGE: &str = "\
usage: cargo xtask <command>

  serve [--mock] [--port N]   build the release app and serve it on http://127.0.0.1:8080
                              --mock: talk to the bundled mock OpenRouter (demo mode, no key needed)
  build [--connect-src ORIGIN] [--dev]
                              release build into dist/ (what a static host serves, from any path);
                              it connects to itself and https://openrouter.ai only:
                              --connect-src adds an origin (your own proxy), --dev adds loopback
  test                        fmt, clippy (host + wasm32), native, browser and end-to-end tests
  bench [--runs N]            sizes, cold load and image display times
  sizes                       release build, then only the size table (quick size work)
  mock [args]                 run the mock OpenRouter (see --help of mock-openrouter)
  modules                     the app's module graph, checked against the one-way rule
  fuzz [--cases N] [--seed S] 1,000,000 generated inputs through the app's parsers; a panic fails
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = args.first() else {
        eprint!("{USAGE}");
        return ExitCode::FAILURE;
    };
    let rest = &args[1..];
    let result = match command.as_str() {
        "serve" => serve::run(rest),
        "build" => build::run(rest).map(|_| ()),
        "test" => test(),
        "bench" => bench(rest),
        "sizes" => build::run(rest).and_then(|built| sizes::print_all(&built).map(drop)),
        "mock" => mock(rest),
        "modules" => modules::print(&root().join("src")),
        // An example of this package, so only fuzzing builds the app natively;
        // its own profile: release speed with the overflow checks of tests.
        "fuzz" => run_step(
            "fuzz the parsers",
            cargo()
                .args(["--config", "profile.fuzz.inherits=\"release\""])
                .args(["--config", "profile.fuzz.overflow-checks=true"])
                .args(["run", "--locked", "--profile", "fuzz", "-p", "xtask"])
                .args(["--example", "fuzz", "--"])
                .args(rest),
        ),
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is inside the workspace")
        .to_path_buf()
}

/// Runs a command in the workspace root with the project's tool PATH, echoing it.
pub fn run_step(name: &str, command: &mut Command) -> Result<(), String> {
    let started = Instant::now();
    eprintln!("==> {name}");
    command
        .current_dir(root())
        .env("PATH", tools::path_with_tools());
    let status = command
        .status()
        .map_err(|e| format!("{name}: could not start {:?}: {e}", command.get_program()))?;
    eprintln!("<== {name}: {:.1} s", started.elapsed().as_secs_f64());
    if status.success() {
        Ok(())
    } else {
        Err(format!("{name} failed ({status})"))
    }
}

/// Tests passed and failed over every `cargo test` step of this run.
static TESTS_PASSED: AtomicUsize = AtomicUsize::new(0);
static TESTS_FAILED: AtomicUsize = AtomicUsize::new(0);

/// Like [`run_step`], but echoes and tallies the `test result:` lines, so the
/// run can end with one total for people and CI.
fn run_tests(name: &str, command: &mut Command) -> Result<(), String> {
    let started = Instant::now();
    eprintln!("==> {name}");
    command
        .current_dir(root())
        .env("PATH", tools::path_with_tools())
        .stdout(Stdio::piped());
    let mut child = command
        .spawn()
        .map_err(|e| format!("{name}: could not start {:?}: {e}", command.get_program()))?;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("{line}");
            if let Some((passed, failed)) = parse_test_result(&line) {
                TESTS_PASSED.fetch_add(passed, Ordering::Relaxed);
                TESTS_FAILED.fetch_add(failed, Ordering::Relaxed);
            }
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    eprintln!("<== {name}: {:.1} s", started.elapsed().as_secs_f64());
    if status.success() {
        Ok(())
    } else {
        Err(format!("{name} failed ({status})"))
    }
}

/// `test result: ok. 13 passed; 0 failed; ...` → (13, 0).
fn parse_test_result(line: &str) -> Option<(usize, usize)> {
    let rest = line.trim().strip_prefix("test result: ")?;
    let count = |word: &str| {
        rest.split(';')
            .find_map(|part| {
                part.trim()
                    .trim_start_matches("ok. ")
                    .trim_start_matches("FAILED. ")
                    .strip_suffix(word)
            })
            .and_then(|n| n.trim().parse::<usize>().ok())
    };
    Some((count(" passed")?, count(" failed")?))
}

pub fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn test() -> Result<(), String> {
    let started = Instant::now();
    tools::ensure_build_tools()?;
    tools::ensure_browser()?;
    let axe = tools::ensure_axe()?;
    let browser_env = |c: &mut Command| {
        c.env("CHROMEDRIVER", tools::chromedriver())
            .env("AXE_CORE_JS", &axe)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "60");
    };
    run_step(
        "cargo fmt --check",
        cargo().args(["fmt", "--all", "--", "--check"]),
    )?;
    run_step(
        "clippy (host, whole workspace)",
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    run_step(
        "clippy (wasm32, app)",
        cargo().args([
            "clippy",
            "-p",
            "kleinbild",
            "--all-targets",
            "--target",
            "wasm32-unknown-unknown",
            "--locked",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    run_tests(
        "native tests (app, mock, contract, xtask)",
        cargo().args(["test", "--workspace", "--exclude", "e2e", "--locked"]),
    )?;
    let mut wasm = cargo();
    wasm.args([
        "test",
        "-p",
        "kleinbild",
        "--target",
        "wasm32-unknown-unknown",
        "--locked",
    ]);
    browser_env(&mut wasm);
    run_tests(
        "browser tests (wasm-bindgen-test in headless Chromium)",
        &mut wasm,
    )?;
    // A development build: the e2e tests' mock listens on loopback.
    let built = build::run(&["--dev".into()])?;
    // Sizes are deterministic with the pinned tools, so the budgets are a gate,
    // for each language's build.
    sizes::check_all(&built)?;
    let mut e2e = cargo();
    // --no-fail-fast: one failing test file must not hide the others' results.
    e2e.args([
        "test",
        "-p",
        "e2e",
        "--release",
        "--locked",
        "--no-fail-fast",
        "--",
        "--test-threads=2",
    ])
    .env("DIST_DIR", root().join("dist"));
    browser_env(&mut e2e);
    run_tests(
        "end-to-end tests (release build + mock, headless Chromium)",
        &mut e2e,
    )?;
    eprintln!(
        "all checks passed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    // The plain closing line CI and people read: every test of every step.
    println!(
        "tests: {} passed, {} failed",
        TESTS_PASSED.load(Ordering::Relaxed),
        TESTS_FAILED.load(Ordering::Relaxed)
    );
    Ok(())
}

fn bench(args: &[String]) -> Result<(), String> {
    let runs = flag_value(args, "--runs").unwrap_or_else(|| "7".into());
    // Development build: the benchmark's mock listens on loopback.
    let built = build::run(&["--dev".into()])?;
    tools::ensure_browser()?;
    let lighthouse = tools::ensure_lighthouse()?;
    let sizes = sizes::print_table(&built)?;
    let mut command = cargo();
    command
        .args([
            "run",
            "--quiet",
            "--release",
            "--locked",
            "-p",
            "e2e",
            "--bin",
            "bench",
            "--",
        ])
        .arg("--dist")
        .arg(&built.dist)
        .args(["--runs", &runs])
        .arg("--lighthouse")
        .arg(&lighthouse)
        .env("CHROMEDRIVER", tools::chromedriver())
        .env("CHROME_PATH", "/usr/bin/chromium");
    let lines = run_captured("browser timings and Lighthouse", &mut command)?;
    let report = benchmarks::report(&sizes, &lines, &runs);
    let path = root().join("BENCHMARKS.md");
    std::fs::write(&path, report).map_err(|e| format!("{path:?}: {e}"))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

/// Like [`run_step`], echoing stdout and returning its lines.
fn run_captured(name: &str, command: &mut Command) -> Result<Vec<String>, String> {
    let started = Instant::now();
    eprintln!("==> {name}");
    command
        .current_dir(root())
        .env("PATH", tools::path_with_tools())
        .stdout(Stdio::piped());
    let mut child = command
        .spawn()
        .map_err(|e| format!("{name}: could not start {:?}: {e}", command.get_program()))?;
    let mut lines = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("{line}");
            lines.push(line);
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    eprintln!("<== {name}: {:.1} s", started.elapsed().as_secs_f64());
    if status.success() {
        Ok(lines)
    } else {
        Err(format!("{name} failed ({status})"))
    }
}

fn mock(args: &[String]) -> Result<(), String> {
    run_step(
        "mock OpenRouter",
        cargo()
            .args([
                "run",
                "--quiet",
                "--release",
                "--locked",
                "-p",
                "mock-openrouter",
                "--",
            ])
            .args(args),
    )
}

/// The value after `--name`, if given.
pub fn flag_value(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::parse_test_result;

    #[test]
    fn reads_cargo_and_wasm_bindgen_result_lines() {
        let cargo = "test result: ok. 13 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.17s";
        assert_eq!(parse_test_result(cargo), Some((13, 0)));
        let failed =
            "test result: FAILED. 4 passed; 1 failed; 0 ignored; 0 filtered out; finished in 0.13s";
        assert_eq!(parse_test_result(failed), Some((4, 1)));
        assert_eq!(parse_test_result("running 13 tests"), None);
    }

    /// The workflows run the README's commands and nothing of their own.
    #[test]
    fn the_workflows_run_the_readmes_commands() {
        let read = |path: &str| std::fs::read_to_string(super::root().join(path)).unwrap();
        let (readme, ci_run) = (read("README.md"), read(".ci/run"));
        let (ci, pages) = (
            read(".github/workflows/ci.yml"),
            read(".github/workflows/pages.yml"),
        );
        assert!(readme.contains("cargo xtask test") && ci_run.contains("\ncargo xtask test\n"));
        let steps = |yml: &str| -> Vec<String> {
            yml.lines()
                .filter_map(|l| l.trim().strip_prefix("- run: ").map(str::to_owned))
                .collect()
        };
        assert_eq!(steps(&ci), ["bash .ci/run"]);
        assert_eq!(steps(&pages), ["cargo xtask build"]);
        assert!(pages.contains("actions/upload-pages-artifact") && pages.contains("path: dist"));
        assert!(pages.contains("actions/deploy-pages"));
        // Both build where the README's installs work: Debian with the pinned Rust.
        for yml in [&ci, &pages] {
            assert!(yml.contains("image: rust:1.95-bookworm"), "{yml}");
        }
    }
}
