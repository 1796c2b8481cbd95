//! Kleinbild benchmarks in headless Chromium against a release build and the mock.
//!
//! ```text
//! CARGO_TARGET_DIR=/tmp/target-e2e cargo run --release -p e2e --bin bench -- --dist dist --runs 7
//! ```
//!
//! Prints one parseable line per metric (all times in ms):
//!
//! - `cold_load_to_generate_ms`: fresh browser session per run (new profile, empty cache);
//!   the app's `kleinbild:ready` mark (ms since navigation start), read once `Generate` is enabled.
//! - `image_display_ms`: ~3 MB image (mock `large_images`): the app's `kleinbild:image-load`
//!   mark (img load event, as epoch ms) minus the mock's `response_end_ms` for that request.
//! - `click_to_image_load_ms`: the click event on Generate to the same image-load mark.
//! - `image_bytes`: size of the image file the mock sends for that prompt and seed.

use std::path::PathBuf;
use std::time::Duration;

use e2e::{App, Driver, MockConfig, Result, Role, StaticServer, bail};

struct Args {
    dist: PathBuf,
    runs: usize,
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        dist: e2e::dist_dir(),
        runs: 7,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--dist" => args.dist = PathBuf::from(it.next().ok_or("--dist needs a directory")?),
            "--runs" => args.runs = it.next().ok_or("--runs needs a number")?.parse()?,
            "-h" | "--help" => {
                println!("usage: bench [--dist <dir>] [--runs N]");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?} (usage: bench [--dist <dir>] [--runs N])"),
        }
    }
    if args.runs == 0 {
        bail!("--runs must be at least 1");
    }
    Ok(args)
}

struct Stats {
    median: f64,
    min: f64,
    max: f64,
    runs: usize,
}

fn stats(mut v: Vec<f64>) -> Stats {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Stats {
        median,
        min: v[0],
        max: v[n - 1],
        runs: n,
    }
}

fn line(name: &str, s: &Stats, extra: &str) {
    println!(
        "{name} median={:.1} min={:.1} max={:.1} runs={}{}{extra}",
        s.median,
        s.min,
        s.max,
        s.runs,
        if extra.is_empty() { "" } else { " " }
    );
}

/// Cold loads, each in a new browser session.
async fn cold_loads(args: &Args) -> Result<Vec<f64>> {
    let site = StaticServer::start(args.dist.clone()).await?;
    let driver = Driver::start().await?;
    let mut out = Vec::new();
    for run in 0..args.runs {
        let client = driver.session().await?;
        let measured: Result<f64> = async {
            client.goto(&format!("{}/", site.origin())).await?;
            let deadline = std::time::Instant::now() + Duration::from_secs(30);
            loop {
                let found = client
                    .find_all(fantoccini::Locator::XPath(&e2e::xpath_for(Role::Button, "Generate")))
                    .await?;
                if let Some(b) = found.first()
                    && b.is_enabled().await?
                {
                    break;
                }
                if std::time::Instant::now() > deadline {
                    bail!("run {run}: Generate never became enabled");
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let v = client
                .execute(
                    "const m = performance.getEntriesByName('kleinbild:ready')[0]; return m ? m.startTime : null;",
                    vec![],
                )
                .await?;
            match v.as_f64() {
                Some(ms) => Ok::<f64, e2e::Error>(ms),
                None => bail!("run {run}: no 'kleinbild:ready' performance mark"),
            }
        }
        .await;
        let _ = client.close().await;
        out.push(measured?);
    }
    Ok(out)
}

/// Generation of a large image, `runs` times in one page.
async fn image_display(args: &Args) -> Result<(Vec<f64>, Vec<f64>, Option<usize>, (u64, u64))> {
    let config = MockConfig {
        large_images: true,
        ..MockConfig::default()
    };
    let app = App::start_in(config, args.dist.clone()).await?;
    let result = async {
        app.open_ready().await?;
        let mut display = Vec::new();
        let mut click_to_load = Vec::new();
        let mut size = (0, 0);
        for run in 0..args.runs {
            let prompt = format!("Bench run {run}: a noisy mountain panorama");
            app.type_prompt(&prompt).await?;
            app.js(
                "performance.clearMarks('kleinbild:image-load');
                 window.__benchClick = null;
                 document.addEventListener('click', () => { window.__benchClick = performance.now(); }, { capture: true, once: true });",
                vec![],
            )
            .await?;
            let before = app.generation_requests().len();
            app.click_generate().await?;
            size = app.wait_image(&prompt, Duration::from_secs(60)).await?;
            let marks = app
                .poll("the image-load mark", Duration::from_secs(10), async || {
                    let v = app
                        .js(
                            "const m = performance.getEntriesByName('kleinbild:image-load');
                             return m.length ? [performance.timeOrigin + m[m.length - 1].startTime, m[m.length - 1].startTime, window.__benchClick] : null;",
                            vec![],
                        )
                        .await?;
                    Ok((!v.is_null()).then_some(v))
                })
                .await?;
            let record = app.wait_generation_request(before + 1, Duration::from_secs(10)).await?;
            let Some(end) = record.response_end_ms else {
                bail!("run {run}: the mock recorded no response end ({:?})", record.outcome);
            };
            let load_epoch = marks[0].as_f64().unwrap_or_default();
            display.push(load_epoch - end as f64);
            if let (Some(load), Some(click)) = (marks[1].as_f64(), marks[2].as_f64()) {
                click_to_load.push(load - click);
            }
        }
        // The image size, from replaying the last request (the mock's images are deterministic
        // per prompt and seed; the page's CSP does not let a script read the blob back).
        let last = app.generation_requests().pop().ok_or("no generation request")?;
        let bytes = e2e::replay_image(&app.mock.addr(), &last.body).await.ok().map(|b| b.len());
        Ok::<_, e2e::Error>((display, click_to_load, bytes, size))
    }
    .await;
    app.close().await;
    result
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if let Err(e) = real_main().await {
        eprintln!("bench failed: {e}");
        std::process::exit(1);
    }
}

async fn real_main() -> Result {
    let args = parse_args()?;
    let wasm: u64 = std::fs::read_dir(&args.dist)?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "wasm"))
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "# kleinbild bench: dist={} runs={} wasm_bytes={wasm}",
        args.dist.display(),
        args.runs
    );

    let cold = cold_loads(&args).await?;
    line("cold_load_to_generate_ms", &stats(cold), "");

    let (display, click, bytes, (w, h)) = image_display(&args).await?;
    let extra = format!(
        "image_bytes={} width={w} height={h}",
        bytes.map_or("unknown".to_owned(), |b| b.to_string())
    );
    line("image_display_ms", &stats(display), &extra);
    if click.is_empty() {
        println!("click_to_image_load_ms unavailable");
    } else {
        line("click_to_image_load_ms", &stats(click), "");
    }
    Ok(())
}
