//! Failures: each error the API (or the network) can produce must end in a plain-words alert,
//! with the prompt and settings untouched and the next Generate working. Also Cancel and the
//! request timeout, which must really abort the HTTP request.

use std::time::{Duration, Instant};

use e2e::{App, DEMO_KEY, Fault, MockConfig, Outcome, Role, UI_TIMEOUT, contains_ci, ensure, run};
use kleinbild::api::retry::MAX_ATTEMPTS;

/// Long enough for every attempt of a retried failure and the countdowns between them.
const RETRY_PATIENCE: Duration = Duration::from_secs(45);

/// One row of the fault table: what the mock does, and what the alert must say. Every inner
/// list is a set of alternatives (any one must appear); all lists must be satisfied.
struct Case {
    name: &'static str,
    fault: Fault,
    says: &'static [&'static [&'static str]],
    /// How many times the fault is queued (= the most generation requests one click may send).
    times: usize,
    /// A "try later" failure: the app must try all its attempts before showing the alert.
    retried: bool,
    /// A link the alert must offer for the next step: (text, address).
    link: Option<(&'static str, &'static str)>,
}

fn case(name: &'static str, fault: Fault, says: &'static [&'static [&'static str]]) -> Case {
    Case {
        name,
        fault,
        says,
        times: 1,
        retried: false,
        link: None,
    }
}

/// A failure whose alert must also link to the page that helps.
fn linking(c: Case, text: &'static str, href: &'static str) -> Case {
    Case {
        link: Some((text, href)),
        ..c
    }
}

/// A failure the app retries (with a countdown) before it gives up and explains.
fn retried(c: Case) -> Case {
    Case {
        times: MAX_ATTEMPTS as usize,
        retried: true,
        ..c
    }
}

/// The faults every client must handle.
fn table_a() -> Vec<Case> {
    vec![
        linking(
            case(
                "401 invalid key",
                Fault::Status { status: 401 },
                &[&["rejected the API key"]],
            ),
            "Manage your keys on OpenRouter",
            "https://openrouter.ai/settings/keys",
        ),
        linking(
            case(
                "402 out of credits",
                Fault::Status { status: 402 },
                &[&["out of credits"], &["Add credits"]],
            ),
            "Add credits on OpenRouter",
            "https://openrouter.ai/settings/credits",
        ),
        // The mock's moderation answer lists the reason "violence".
        case(
            "403 moderation",
            Fault::Status { status: 403 },
            &[&["blocked by moderation"], &["violence"]],
        ),
        retried(case(
            "429 rate limited",
            Fault::Status { status: 429 },
            &[&["Rate limited"]],
        )),
        retried(case(
            "502 provider down",
            Fault::Status { status: 502 },
            &[&["down or overloaded"], &["502"]],
        )),
        retried(case(
            "503 no provider",
            Fault::Status { status: 503 },
            &[&["down or overloaded"], &["503"]],
        )),
        retried(case(
            "HTML 502 edge page",
            Fault::Html5xx { status: 502 },
            &[&["error page"], &["502"]],
        )),
        retried(case(
            "500 without CORS headers",
            Fault::NoCors { status: 500 },
            &[&["Could not reach the API"]],
        )),
        case(
            "truncated JSON body",
            Fault::TruncatedBody,
            // Buffered: half a JSON body; streamed: the stream ends before [DONE].
            &[&["damaged or incomplete", "interrupted"]],
        ),
        case(
            "answer without image",
            Fault::NoImage,
            &[&["no usable image"]],
        ),
        case(
            "data:text/html instead of an image",
            Fault::NonImageDataUrl,
            &[&["no usable image"]],
        ),
        // Its header reads right, so it gets as far as the browser, which cannot decode it.
        case(
            "PNG the browser cannot decode",
            Fault::UndecodableImage,
            &[&["arrived damaged"]],
        ),
        case(
            "error inside the 200 choice",
            Fault::ChoiceError,
            &[&["failed while generating"]],
        ),
    ]
}

/// Every other status and failure the mock models.
fn table_b() -> Vec<Case> {
    vec![
        case(
            "400 bad request",
            Fault::Status { status: 400 },
            &[&["could not accept the request"]],
        ),
        // Chat's "no endpoint for these output modalities" sends the app to the Image API
        // once; when that fails too, the model is not available.
        Case {
            times: 2,
            ..case(
                "404 no endpoint",
                Fault::Status { status: 404 },
                &[&["not available"]],
            )
        },
        // Chromium itself replays a request that got 408 on a reused keep-alive connection (once,
        // on a fresh connection), so the page only sees the second 408 of each attempt.
        Case {
            times: 2 * MAX_ATTEMPTS as usize,
            retried: true,
            ..case(
                "408 provider timeout",
                Fault::Status { status: 408 },
                &[&["took too long"]],
            )
        },
        case(
            "413 too large",
            Fault::Status { status: 413 },
            &[&["too large"]],
        ),
        case(
            "422 unprocessable",
            Fault::Status { status: 422 },
            &[&["could not accept the request"]],
        ),
        retried(case(
            "500 internal error",
            Fault::Status { status: 500 },
            &[&["down or overloaded"], &["500"]],
        )),
        retried(case(
            "524 edge timeout",
            Fault::Status { status: 524 },
            &[&["took too long"]],
        )),
        retried(case(
            "529 overloaded",
            Fault::Status { status: 529 },
            &[&["down or overloaded"], &["529"]],
        )),
        case(
            "403 guardrail",
            Fault::Guardrail,
            &[&["refused the request"]],
        ),
        // A server that repeats the Authorization header in its message.
        case(
            "400 quoting the key",
            Fault::EchoKey,
            &[&["could not accept the request"], &["[key]"]],
        ),
        case(
            "200 text/plain body",
            Fault::NotJson,
            &[&["damaged or incomplete"]],
        ),
        case(
            "PNG the browser cannot decode, buffered",
            Fault::UndecodableImage,
            &[&["arrived damaged"]],
        ),
        // A connection cut after the 200 status: the image may be made and billed, so it is
        // an interruption and never retried.
        case(
            "connection dropped mid-answer",
            Fault::DropBeforeDone,
            &[&["interrupted"]],
        ),
        retried(case(
            "HTML 503 edge page",
            Fault::Html5xx { status: 503 },
            &[&["error page"], &["503"]],
        )),
        retried(case(
            "502 without CORS headers",
            Fault::NoCors { status: 502 },
            &[&["Could not reach the API"]],
        )),
    ]
}

/// What must not change when a generation fails.
#[derive(Debug, PartialEq)]
struct SettingsSnapshot {
    api_base: String,
    aspect_ratio: String,
    stored: Option<String>,
}

async fn snapshot(app: &App) -> e2e::Result<SettingsSnapshot> {
    app.open_settings().await?;
    Ok(SettingsSnapshot {
        api_base: app.value_of(Role::Textbox, "API base URL").await?,
        aspect_ratio: app.value_of(Role::Combobox, "Aspect ratio").await?,
        stored: app
            .local_storage()
            .await?
            .get("kleinbild.settings.v1")
            .cloned(),
    })
}

/// Fault → alert → prompt and settings intact → the same prompt generates fine.
async fn check_case(app: &App, i: usize, c: &Case, baseline: &SettingsSnapshot) -> e2e::Result {
    let prompt = format!("Fault check {i}: a quiet harbour at dawn");
    // Requests are told apart by their sequence number (the mock's record list is bounded).
    let before = app.mock.requests().last().map_or(0, |r| r.seq);
    let since = |seq: u64| {
        app.generation_requests()
            .into_iter()
            .filter(move |r| r.seq > seq)
    };
    app.type_prompt(&prompt).await?;
    for _ in 0..c.times {
        app.mock.push_fault(c.fault.clone());
    }
    app.click_generate().await?;
    let first = c.says[0][0];
    // Retries wait 2 s, then 4 s (or the server's Retry-After) between attempts.
    let patience = if c.times > 1 {
        RETRY_PATIENCE
    } else {
        UI_TIMEOUT
    };
    let alert = app
        .poll(
            &format!("an alert after the fault (expected it to say {first:?})"),
            patience,
            async || {
                let t = app.alert_text().await?;
                Ok(
                    (!t.is_empty() && app.find(Role::Button, "Generate").await?.is_some())
                        .then_some(t),
                )
            },
        )
        .await
        .map_err(|e| {
            let sent: Vec<String> = since(before)
                .map(|r| format!("{:?}/{:?}", r.status, r.outcome))
                .collect();
            format!(
                "{e}; the mock answered {} generation request(s) since the click: {sent:?}",
                sent.len()
            )
        })?;
    for alternatives in c.says {
        ensure!(
            alternatives.iter().any(|p| contains_ci(&alert, p)),
            "the alert does not say {} — it says {alert:?}",
            alternatives
                .iter()
                .map(|p| format!("{p:?}"))
                .collect::<Vec<_>>()
                .join(" or ")
        );
    }
    let links = app
        .js(
            "return Array.from(document.querySelectorAll('[role=alert] a'))
               .map(a => [a.textContent.trim(), a.href, a.target, a.rel]);",
            vec![],
        )
        .await?;
    let expected_links = match c.link {
        Some((text, href)) => {
            serde_json::json!([[text, href, "_blank", "noopener noreferrer"]])
        }
        None => serde_json::json!([]),
    };
    ensure!(
        links == expected_links,
        "the alert's links are {links}, expected {expected_links}"
    );
    let full = app.alert_full_text().await?;
    ensure!(
        !full.contains(DEMO_KEY),
        "the alert (with its details) shows the API key: {full:?}"
    );
    let value = app.prompt_value().await?;
    ensure!(
        value == prompt,
        "the prompt became {value:?} after the error"
    );
    ensure!(
        !app.has_image(&prompt).await?,
        "an image was shown although the generation failed"
    );
    let now = snapshot(app).await?;
    ensure!(
        now == *baseline,
        "settings changed after the error: {now:?}, before {baseline:?}"
    );
    let sent = since(before).count();
    let least = if c.retried { MAX_ATTEMPTS as usize } else { 1 };
    ensure!(
        (least..=c.times).contains(&sent),
        "the failed Generate sent {sent} generation requests, expected {least} to {} ({})",
        c.times,
        if c.retried {
            "a \"try later\" failure is retried"
        } else {
            "this failure must not be retried"
        }
    );

    // A fault the browser did not use up (408 without a replay) must not hit the next request.
    if sent < c.times {
        app.mock.reset();
    }
    // No fault queued now: the very same prompt must work.
    app.click_generate().await?;
    app.wait_image(&prompt, UI_TIMEOUT)
        .await
        .map_err(|e| format!("the Generate after the error did not produce an image: {e}"))?;
    let alert = app.alert_text().await?;
    ensure!(
        alert.is_empty(),
        "the old alert is still shown after a successful generation: {alert:?}"
    );
    Ok(())
}

/// Runs a fault table with streamed (SSE) or buffered answers.
async fn run_table(app: &App, cases: Vec<Case>, streamed: bool) -> e2e::Result {
    app.open().await?;
    app.use_mock().await?;
    // Remembered, so a reload can recover the page after a failed case.
    app.set_remember(true).await?;
    app.enter_key(DEMO_KEY).await?;
    app.set_streaming(streamed).await?;
    let baseline = snapshot(app).await?;
    let mut failures = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let started = Instant::now();
        match check_case(app, i, c, &baseline).await {
            Ok(()) => eprintln!("fault {:?}: ok in {:?}", c.name, started.elapsed()),
            Err(e) => {
                eprintln!("fault {:?}: FAILED: {e}", c.name);
                failures.push(format!("[{}] {e}", c.name));
                app.mock.reset();
                app.reload().await?;
            }
        }
    }
    ensure!(
        failures.is_empty(),
        "{} of {} fault cases failed:\n  {}",
        failures.len(),
        cases.len(),
        failures.join("\n  ")
    );
    Ok(())
}

#[tokio::test]
async fn faults_a_end_in_plain_alerts_and_the_next_generate_works() {
    run(
        MockConfig::default(),
        Duration::from_secs(300),
        // Table A streamed (the default), table B buffered: both paths see every kind of
        // failure between them, and the shared ones (HTML, no CORS, drops) in both.
        async |app: &App| run_table(app, table_a(), true).await,
    )
    .await;
}

#[tokio::test]
async fn faults_b_end_in_plain_alerts_and_the_next_generate_works() {
    run(
        MockConfig::default(),
        Duration::from_secs(300),
        async |app: &App| run_table(app, table_b(), false).await,
    )
    .await;
}

#[tokio::test]
async fn cancel_aborts_the_http_request() {
    run(
        MockConfig::default(),
        Duration::from_secs(60),
        async |app: &App| {
            app.open_ready().await?;
            let prompt = "A slow painting of a snail";
            app.type_prompt(prompt).await?;
            app.mock.push_fault(Fault::Hang);
            app.click_generate().await?;
            let cancel = app.control(Role::Button, "Cancel").await?;
            // Make sure the request is really in flight at the mock before cancelling.
            app.poll(
                "the generation request to reach the mock",
                UI_TIMEOUT,
                async || {
                    Ok(app
                        .generation_requests()
                        .first()
                        .map(|r| r.outcome == Outcome::Pending)
                        .filter(|p| *p))
                },
            )
            .await?;
            cancel.click().await?;

            let record = app
                .poll(
                    "the mock to see the request aborted",
                    Duration::from_secs(5),
                    async || {
                        Ok(app
                            .generation_requests()
                            .into_iter()
                            .next()
                            .filter(|r| r.outcome != Outcome::Pending))
                    },
                )
                .await?;
            ensure!(
                record.outcome == Outcome::Aborted,
                "after Cancel the mock's record says {:?}, expected Aborted",
                record.outcome
            );
            app.wait_idle().await?;
            ensure!(
                app.find(Role::Button, "Cancel").await?.is_none(),
                "Cancel is still shown after cancelling"
            );
            app.wait_job_status(prompt, "Cancelled").await?;
            let value = app.prompt_value().await?;
            ensure!(value == prompt, "the prompt became {value:?} after Cancel");
            ensure!(
                !app.has_image(prompt).await?,
                "an image was shown for the cancelled generation"
            );

            let (w, h) = app.generate("After the cancel, a fast snail").await?;
            ensure!((w, h) == (1024, 1024), "the next image is {w}×{h}");
            let second = app.wait_generation_request(2, UI_TIMEOUT).await?;
            ensure!(
                second.outcome == Outcome::Completed,
                "the generation after Cancel ended {:?}",
                second.outcome
            );
            Ok(())
        },
    )
    .await;
}

#[tokio::test]
async fn request_timeout_from_settings_stops_a_slow_answer() {
    run(
        MockConfig::default(),
        Duration::from_secs(60),
        async |app: &App| {
            app.open_ready().await?;
            // The total limit applies to buffered answers; streamed ones have an idle limit.
            app.set_streaming(false).await?;
            let message = app.save_timeout(2).await?;
            ensure!(
                message.contains("Saved"),
                "saving a 2 s timeout said {message:?}"
            );
            let baseline = snapshot(app).await?;
            let prompt = "A glacier, very slowly";
            app.type_prompt(prompt).await?;
            app.mock.push_fault(Fault::Delay { ms: 5000 });
            let clicked = Instant::now();
            app.click_generate().await?;
            let alert = app
                .wait_alert("did not answer within", Duration::from_secs(8))
                .await?;
            let waited = clicked.elapsed();
            ensure!(
                alert.contains("2 seconds"),
                "the timeout alert does not name the 2 s limit: {alert:?}"
            );
            ensure!(
                waited >= Duration::from_millis(1800) && waited < Duration::from_millis(4800),
                "the timeout alert came {waited:?} after the click; expected about 2 s"
            );
            let value = app.prompt_value().await?;
            ensure!(
                value == prompt,
                "the prompt became {value:?} after the timeout"
            );
            let now = snapshot(app).await?;
            ensure!(
                now == baseline,
                "settings changed after the timeout: {now:?}, before {baseline:?}"
            );
            let shown = app
                .value_of(Role::Spinbutton, "Request timeout (seconds)")
                .await?;
            ensure!(
                shown == "2",
                "the timeout field shows {shown:?} after the timeout"
            );
            // "Dismiss" clears the alert.
            app.control(Role::Button, "Dismiss").await?.click().await?;
            app.poll("the alert to be dismissed", UI_TIMEOUT, async || {
                Ok(app.alert_text().await?.is_empty().then_some(()))
            })
            .await?;
            let record = app
                .poll(
                    "the timed-out request to end at the mock",
                    Duration::from_secs(6),
                    async || {
                        Ok(app
                            .generation_requests()
                            .into_iter()
                            .next()
                            .filter(|r| r.outcome != Outcome::Pending))
                    },
                )
                .await?;
            ensure!(
                record.outcome == Outcome::Aborted,
                "the timed-out request was not aborted but {:?}",
                record.outcome
            );

            app.click_generate().await?;
            let (w, h) = app.wait_image(prompt, UI_TIMEOUT).await?;
            ensure!((w, h) == (1024, 1024), "the next image is {w}×{h}");
            Ok(())
        },
    )
    .await;
}

/// The progress text while a generation runs or counts down to its next attempt.
async fn wait_progress(app: &App, phrase: &str) -> e2e::Result<String> {
    app.poll(
        &format!("progress saying {phrase:?}"),
        UI_TIMEOUT,
        async || Ok(app.progress_text().await?.filter(|t| t.contains(phrase))),
    )
    .await
}

#[tokio::test]
async fn a_rate_limit_is_retried_after_retry_after_with_a_countdown() {
    run(
        MockConfig::default(),
        Duration::from_secs(60),
        async |app: &App| {
            app.open_ready().await?;
            app.mock.push_fault(Fault::Status { status: 429 });
            let prompt = "A lighthouse, after a rate limit";
            app.type_prompt(prompt).await?;
            let clicked = Instant::now();
            app.click_generate().await?;
            // The mock asks for 2 s (Retry-After and error.availability.retry_after).
            let text = wait_progress(app, "Retrying in").await?;
            ensure!(
                text.contains("attempt 2 of 3"),
                "the countdown says {text:?}"
            );
            app.wait_image(prompt, Duration::from_secs(15)).await?;
            let waited = clicked.elapsed();
            ensure!(
                waited >= Duration::from_millis(1800),
                "the retry came after {waited:?}, before the 2 s the server asked for"
            );
            let sent = app.generation_requests();
            ensure!(
                sent.len() == 2,
                "{} generation requests, expected 2",
                sent.len()
            );
            ensure!(
                sent[0].status == Some(429) && sent[1].outcome == Outcome::Completed,
                "requests: {:?}",
                sent.iter()
                    .map(|r| (r.status, r.outcome))
                    .collect::<Vec<_>>()
            );
            let alert = app.alert_text().await?;
            ensure!(
                alert.is_empty(),
                "an alert after the successful retry: {alert:?}"
            );
            app.poll("one History entry", UI_TIMEOUT, async || {
                let n = app
                    .js(
                        "return document.querySelectorAll('section[aria-label=History] li').length;",
                        vec![],
                    )
                    .await?;
                Ok((n == serde_json::json!(1)).then_some(()))
            })
            .await?;
            Ok(())
        },
    )
    .await;
}

#[tokio::test]
async fn cancel_during_the_retry_countdown_stops_everything() {
    run(
        MockConfig::default(),
        Duration::from_secs(60),
        async |app: &App| {
            app.open_ready().await?;
            for _ in 0..MAX_ATTEMPTS {
                app.mock.push_fault(Fault::Status { status: 502 });
            }
            let prompt = "A bridge that will not be built";
            app.type_prompt(prompt).await?;
            app.click_generate().await?;
            wait_progress(app, "Retrying in").await?;
            app.control(Role::Button, "Cancel").await?.click().await?;
            app.wait_job_status(prompt, "Cancelled").await?;
            // Longer than the whole countdown: no further attempt may start.
            tokio::time::sleep(Duration::from_secs(5)).await;
            let sent = app.generation_requests().len();
            ensure!(
                sent == 1,
                "{sent} generation requests after cancelling the countdown"
            );
            ensure!(
                app.prompt_value().await? == prompt,
                "the prompt changed after Cancel"
            );
            let history = app
                .js(
                    "return document.querySelectorAll('section[aria-label=History] li').length;",
                    vec![],
                )
                .await?;
            ensure!(
                history == serde_json::json!(0),
                "a cancelled job made {history} history entries"
            );
            app.mock.reset();
            app.generate("After the cancelled retry, a bridge").await?;
            Ok(())
        },
    )
    .await;
}

#[tokio::test]
async fn a_silent_stream_hits_the_idle_timeout_but_keepalives_keep_it_going() {
    let config = MockConfig {
        keepalive_ms: 500,
        ..MockConfig::default()
    };
    run(config, Duration::from_secs(60), async |app: &App| {
        app.open_ready().await?;
        let message = app.save_idle_timeout(2).await?;
        ensure!(
            message.contains("Saved"),
            "saving a 2 s idle timeout said {message:?}"
        );

        // Keep-alive comments every 0.5 s for 4 s: longer than the idle limit, but never silent.
        app.mock.push_fault(Fault::Delay { ms: 4000 });
        let prompt = "A slow but chatty provider";
        app.type_prompt(prompt).await?;
        app.click_generate().await?;
        let progress = app
            .poll(
                "the progress to show provider processing",
                UI_TIMEOUT,
                async || {
                    Ok(app
                        .progress_text()
                        .await?
                        .filter(|t| t.contains("processing at the provider")))
                },
            )
            .await?;
        ensure!(progress.starts_with("Generating"), "{progress:?}");
        app.wait_image(prompt, Duration::from_secs(15)).await?;
        let sent = app.generation_requests();
        ensure!(
            sent[0].body["stream"] == true,
            "not streamed: {}",
            sent[0].body
        );

        // Nothing at all for longer than 2 s: stopped, explained, nothing kept.
        app.mock.push_fault(Fault::Hang);
        let silent = "A provider that never answers";
        app.type_prompt(silent).await?;
        let clicked = Instant::now();
        app.click_generate().await?;
        let alert = app
            .wait_alert("stopped sending anything", Duration::from_secs(10))
            .await?;
        ensure!(alert.contains("2 seconds"), "{alert:?}");
        let waited = clicked.elapsed();
        ensure!(
            waited >= Duration::from_millis(1800) && waited < Duration::from_secs(6),
            "the idle timeout came after {waited:?}"
        );
        let record = app.wait_generation_request(2, UI_TIMEOUT).await?;
        ensure!(
            record.outcome == Outcome::Aborted,
            "the request was not aborted: {:?}",
            record.outcome
        );
        ensure!(app.prompt_value().await? == silent, "the prompt changed");
        Ok(())
    })
    .await;
}
