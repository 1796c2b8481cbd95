//! The studio's queue: batches of images, failures kept per image, jobs that
//! never block the next press, and cancelling from the Jobs list or with Esc.

use std::collections::BTreeSet;
use std::time::Duration;

use e2e::{App, Fault, MockConfig, Outcome, Role, UI_TIMEOUT, ensure, run};

const TIMEOUT: Duration = Duration::from_secs(90);

fn seeds_sent(app: &App) -> Vec<u64> {
    app.generation_requests()
        .iter()
        .filter_map(|r| r.body["seed"].as_u64())
        .collect()
}

#[tokio::test]
async fn a_batch_sends_one_request_per_image_and_keeps_a_failed_one_with_its_reason() {
    run(MockConfig::default(), TIMEOUT, async |app: &App| {
        app.open_ready().await?;
        app.set_images(3).await?;
        let estimate = app
            .js(
                "return document.querySelector('.prompt-form__estimate').innerText;",
                vec![],
            )
            .await?;
        ensure!(
            estimate
                .as_str()
                .is_some_and(|e| e.contains("3 images") && e.contains("$0.042")),
            "the estimate should show the batch total, got {estimate}"
        );
        let seed = app.control(Role::Spinbutton, "Seed").await?;
        app.replace_text(&seed, "42").await?;
        let prompt = "Three lighthouses on three islands";
        app.type_prompt(prompt).await?;
        // Whichever request arrives first is refused (a 403 is never retried).
        app.mock.push_fault(Fault::Guardrail);
        app.click_generate().await?;

        app.wait_results(prompt, 2).await?;
        let retry = app.control(Role::Button, "Retry").await?;
        let reason = app
            .js(
                "return document.querySelector('.tile--failed')?.innerText ?? '';",
                vec![],
            )
            .await?;
        ensure!(
            reason.as_str().is_some_and(|r| r.len() > 20),
            "the failed image's tile should say why, got {reason}"
        );
        app.wait_job_status(prompt, "2 done, 1 failed").await?;
        let alert = app.alert_text().await?;
        ensure!(
            alert.is_empty(),
            "one failed image of three raised an alert: {alert:?}"
        );
        let sent: BTreeSet<u64> = seeds_sent(app).into_iter().collect();
        ensure!(
            sent == BTreeSet::from([42, 43, 44]),
            "a batch from seed 42 should send seeds 42, 43, 44; sent {sent:?}"
        );
        let refused_seed = app
            .generation_requests()
            .iter()
            .find(|r| r.status == Some(403))
            .and_then(|r| r.body["seed"].as_u64());

        // Retry sends that image again, with its own seed, and completes the batch.
        retry.click().await?;
        app.wait_results(prompt, 3).await?;
        app.wait_job_status(prompt, "Done").await?;
        let last = seeds_sent(app).last().copied();
        ensure!(
            refused_seed.is_some() && last == refused_seed,
            "Retry sent seed {last:?}, the refused image had {refused_seed:?}"
        );
        ensure!(
            app.find(Role::Button, "Retry").await?.is_none(),
            "Retry is still offered after the retried image arrived"
        );
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_batch_where_every_image_fails_gives_one_alert() {
    run(MockConfig::default(), TIMEOUT, async |app: &App| {
        app.open_ready().await?;
        app.set_images(2).await?;
        for _ in 0..2 {
            app.mock.push_fault(Fault::Status { status: 400 });
        }
        let prompt = "Two refused requests";
        app.type_prompt(prompt).await?;
        app.click_generate().await?;
        app.wait_job_status(prompt, "All 2 failed").await?;
        app.wait_any_alert(UI_TIMEOUT).await?;
        let alerts = app
            .js(
                "return Array.from(document.querySelectorAll('[role=alert]')).filter(a => a.innerText.trim()).length;",
                vec![],
            )
            .await?;
        ensure!(alerts == 1, "{alerts} alerts for one failed batch");
        ensure!(
            app.decoded_results(prompt).await? == 0,
            "a failed batch showed images"
        );
        ensure!(
            app.prompt_value().await? == prompt,
            "the prompt changed after the batch failed"
        );
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn generate_never_blocks_and_esc_cancels_the_newest_running_job() {
    run(MockConfig::default(), TIMEOUT, async |app: &App| {
        app.open_ready().await?;
        // The first job hangs at the provider; the second is sent beside it.
        app.mock.push_fault(Fault::Hang);
        let slow = "A job that hangs at the provider";
        app.type_prompt(slow).await?;
        app.click_generate().await?;
        app.wait_job_status(slow, "\u{2026}").await?;
        let quick = "A job pressed while the first runs";
        app.type_prompt(quick).await?;
        app.click_generate().await?;
        app.wait_results(quick, 1).await?;
        app.wait_job_status(quick, "Done").await?;
        let jobs = app.jobs().await?;
        ensure!(
            jobs.first().map(|j| j.0.as_str()) == Some(quick) && jobs.len() == 2,
            "the Jobs list should show the newest first, got {jobs:?}"
        );

        // Esc stops the newest job that still runs: the hanging one.
        let prompt_field = app.control(Role::Textbox, "Prompt").await?;
        prompt_field.send_keys("\u{E00C}").await?;
        app.wait_job_status(slow, "Cancelled").await?;
        let aborted = app
            .poll(
                "the mock to see the hanging request aborted",
                UI_TIMEOUT,
                async || {
                    Ok(app
                        .generation_requests()
                        .into_iter()
                        .find(|r| r.body["messages"].to_string().contains("hangs"))
                        .filter(|r| r.outcome != Outcome::Pending))
                },
            )
            .await?;
        ensure!(
            aborted.outcome == Outcome::Aborted,
            "after Esc the mock's record says {:?}",
            aborted.outcome
        );
        app.wait_idle().await?;
        ensure!(
            app.find(Role::Button, "Cancel all").await?.is_none(),
            "Cancel all is offered with nothing running"
        );
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn cancel_all_stops_queued_and_running_images_within_the_parallel_limit() {
    run(MockConfig::default(), TIMEOUT, async |app: &App| {
        app.open_ready().await?;
        app.set_images(6).await?;
        for _ in 0..6 {
            app.mock.push_fault(Fault::Hang);
        }
        let prompt = "Six images that never come";
        app.type_prompt(prompt).await?;
        app.click_generate().await?;
        // Four in flight (the default), two waiting.
        app.poll("four requests at the mock", UI_TIMEOUT, async || {
            Ok((app.generation_requests().len() == 4).then_some(()))
        })
        .await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let sent = app.generation_requests().len();
        ensure!(sent == 4, "{sent} requests in flight, the limit is 4");
        app.wait_job_status(prompt, "0 of 6 done").await?;
        app.control(Role::Button, "Cancel all")
            .await?
            .click()
            .await?;
        app.wait_job_status(prompt, "Cancelled").await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let requests = app.generation_requests();
        ensure!(
            requests.len() == 4 && requests.iter().all(|r| r.outcome == Outcome::Aborted),
            "after Cancel all: {:?}",
            requests.iter().map(|r| r.outcome).collect::<Vec<_>>()
        );
        ensure!(
            app.prompt_value().await? == prompt,
            "the prompt changed after Cancel all"
        );
        Ok(())
    })
    .await;
}

/// Makes the page believe it is in a background tab (or in view again), as the
/// browser says through `document.hidden` and `visibilitychange`.
async fn set_tab_hidden(app: &App, hidden: bool) -> e2e::Result {
    app.js(
        "Object.defineProperty(document, 'hidden', { configurable: true, get: () => arguments[0] });
         document.dispatchEvent(new Event('visibilitychange'));",
        vec![serde_json::json!(hidden)],
    )
    .await?;
    Ok(())
}

async fn title(app: &App) -> e2e::Result<String> {
    Ok(app
        .js("return document.title;", vec![])
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

#[tokio::test]
async fn images_finished_in_a_background_tab_are_counted_in_the_title_until_seen() {
    run(MockConfig::default(), TIMEOUT, async |app: &App| {
        app.open_ready().await?;
        let plain = title(app).await?;
        app.set_images(2).await?;
        let prompt = "Two foxes while nobody looks";
        app.type_prompt(prompt).await?;
        set_tab_hidden(app, true).await?;
        app.click_generate().await?;
        app.wait_results(prompt, 2).await?;
        let counted = app
            .poll("the title to count two images", UI_TIMEOUT, async || {
                let now = title(app).await?;
                Ok((now == format!("(2) {plain}")).then_some(now))
            })
            .await?;
        ensure!(counted.ends_with(&plain), "{counted:?}");
        // Seen again: the count goes.
        set_tab_hidden(app, false).await?;
        app.poll("the title to lose its count", UI_TIMEOUT, async || {
            Ok((title(app).await? == plain).then_some(()))
        })
        .await?;
        // In view, nothing is counted.
        app.set_images(1).await?;
        let seen = "A fox in plain sight";
        app.type_prompt(seen).await?;
        app.click_generate().await?;
        app.wait_results(seen, 1).await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = title(app).await?;
        ensure!(
            now == plain,
            "the title became {now:?} for an image made in view"
        );
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn one_prompt_per_line_makes_one_job_per_line_with_the_batch_total_estimated() {
    run(MockConfig::default(), TIMEOUT, async |app: &App| {
        app.open_ready().await?;
        app.control(Role::Checkbox, "One prompt per line")
            .await?
            .click()
            .await?;
        app.set_images(2).await?;
        app.type_prompt("a red kite\n\n  a blue kite  \n").await?;
        let estimate = app
            .js(
                "return document.querySelector('.prompt-form__estimate').innerText;",
                vec![],
            )
            .await?;
        ensure!(
            estimate
                .as_str()
                .is_some_and(|e| e.contains("4 images") && e.contains("$0.056")),
            "two lines × two images should be estimated as 4 images, $0.056: {estimate}"
        );
        app.click_generate().await?;
        app.wait_results("a red kite", 2).await?;
        app.wait_results("a blue kite", 2).await?;
        let jobs = app.jobs().await?;
        let prompts: Vec<&str> = jobs.iter().map(|(p, _)| p.as_str()).collect();
        ensure!(
            prompts == ["a blue kite", "a red kite"],
            "one job per non-empty line, newest first: {jobs:?}"
        );
        ensure!(
            app.generation_requests().len() == 4,
            "{} requests for two lines of two images",
            app.generation_requests().len()
        );
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn parallel_requests_in_settings_limits_what_is_in_flight_and_survives_a_reload() {
    run(MockConfig::default(), TIMEOUT, async |app: &App| {
        app.open_ready().await?;
        app.open_settings().await?;
        let field = app.control(Role::Spinbutton, "Parallel requests").await?;
        app.replace_text(&field, "9").await?;
        field.send_keys("\u{E004}").await?;
        let refused = app
            .poll("the settings to refuse 9", UI_TIMEOUT, async || {
                let m = app.settings_message().await?;
                Ok(m.contains("1 to 8").then_some(m))
            })
            .await?;
        ensure!(refused.contains("Not saved"), "{refused:?}");
        app.replace_text(&field, "1").await?;
        field.send_keys("\u{E004}").await?;
        app.poll("the settings to save 1", UI_TIMEOUT, async || {
            Ok(app
                .settings_message()
                .await?
                .contains("Saved")
                .then_some(()))
        })
        .await?;

        app.set_images(2).await?;
        app.mock.push_fault(Fault::Delay { ms: 1500 });
        let prompt = "One at a time, please";
        app.type_prompt(prompt).await?;
        app.click_generate().await?;
        app.poll("the first request at the mock", UI_TIMEOUT, async || {
            Ok((!app.generation_requests().is_empty()).then_some(()))
        })
        .await?;
        tokio::time::sleep(Duration::from_millis(600)).await;
        let sent = app.generation_requests().len();
        ensure!(
            sent == 1,
            "{sent} requests in flight with Parallel requests = 1"
        );
        app.wait_results(prompt, 2).await?;
        ensure!(
            app.generation_requests().len() == 2,
            "the second image was not sent after the first"
        );

        app.client.refresh().await?;
        app.open_settings().await?;
        let kept = app.value_of(Role::Spinbutton, "Parallel requests").await?;
        ensure!(kept == "1", "Parallel requests after a reload: {kept:?}");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn notify_when_done_asks_the_browser_and_says_so_when_it_refuses() {
    run(MockConfig::default(), TIMEOUT, async |app: &App| {
        app.open_ready().await?;
        app.open_settings().await?;
        let permission = app.js("return Notification.permission;", vec![]).await?;
        app.control(Role::Checkbox, "Notify when done")
            .await?
            .click()
            .await?;
        let message = app
            .poll("the settings to answer the tick", UI_TIMEOUT, async || {
                let m = app.settings_message().await?;
                Ok((m.contains("Saved") || m.contains("Not turned on")).then_some(m))
            })
            .await?;
        let ticked = app
            .js(
                "return document.querySelector('input[name=notify-when-done]').checked;",
                vec![],
            )
            .await?;
        let granted = app.js("return Notification.permission;", vec![]).await? == "granted";
        if granted {
            ensure!(
                message.contains("Saved") && ticked == true,
                "{message:?}, ticked {ticked}"
            );
        } else {
            // Headless Chromium refuses by itself: the app must say so and stay unticked.
            ensure!(
                message.contains("does not allow notifications") && ticked == false,
                "permission was {permission}: {message:?}, ticked {ticked}"
            );
        }
        Ok(())
    })
    .await;
}
