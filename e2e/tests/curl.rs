//! Copy as cURL: the copied command, run by a shell, sends what Generate sends
//! (references left out), and the key is never in it.

use std::time::Duration;

use e2e::{App, MockConfig, Role, UI_TIMEOUT, ensure, run};
use serde_json::Value;

const TIMEOUT: Duration = Duration::from_secs(90);

/// Keeps what the page writes to the clipboard in `window.__copied`.
const CAPTURE_CLIPBOARD: &str =
    "navigator.clipboard.writeText = t => { window.__copied = t; return Promise.resolve(); };";

/// The arguments the command passes to curl, as bash parses them.
fn curl_args(command: &str) -> e2e::Result<Vec<String>> {
    let script = format!("curl() {{ printf '%s\\0' \"$@\"; }}\n{command}\n");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .env("OPENROUTER_API_KEY", "from-the-environment")
        .output()?;
    ensure!(
        out.status.success(),
        "bash: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8(out.stdout)?
        .split('\0')
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect())
}

#[tokio::test]
async fn the_copied_command_sends_what_generate_sends_without_the_key() {
    run(MockConfig::default(), TIMEOUT, async |app: &App| {
        app.open_ready().await?;
        app.close_settings().await?;
        app.generate("the cat to edit").await?;
        app.history_button("the cat to edit", "Use as reference")
            .await?;
        let prompt = "put it in a 'tiny' hat";
        app.type_prompt(prompt).await?;
        let seed = app.control(Role::Spinbutton, "Seed").await?;
        app.replace_text(&seed, "4242").await?;
        app.js(CAPTURE_CLIPBOARD, vec![]).await?;
        app.control(Role::Button, "Copy as cURL")
            .await?
            .click()
            .await?;
        let status = app
            .wait_text("#tool-status", "cURL command copied.")
            .await?;
        ensure!(
            status.starts_with("cURL command copied."),
            "status {status:?}"
        );
        ensure!(
            status.contains("image N"),
            "the status does not explain the left-out reference: {status:?}"
        );
        let command = app.js("return window.__copied || '';", vec![]).await?;
        let command = command.as_str().unwrap_or_default().to_owned();
        ensure!(
            !command.contains(e2e::DEMO_KEY),
            "the key is in the command"
        );
        ensure!(
            !command.contains("base64"),
            "reference data is in the command"
        );
        ensure!(command.contains("$OPENROUTER_API_KEY"), "{command}");

        let args = curl_args(&command)?;
        ensure!(
            args.iter()
                .any(|a| a == "Authorization: Bearer from-the-environment"),
            "{args:?}"
        );
        let url = args
            .iter()
            .find(|a| a.starts_with("http"))
            .cloned()
            .unwrap_or_default();
        let copied: Value = serde_json::from_str(
            args.windows(2)
                .find(|w| w[0] == "-d")
                .map(|w| w[1].as_str())
                .unwrap_or("null"),
        )?;

        // Generate with the same form: the same body, the reference aside.
        app.click_generate().await?;
        app.wait_image(prompt, UI_TIMEOUT).await?;
        let sent = app.last_generation_request()?;
        ensure!(
            url.ends_with(&sent.path),
            "the command goes to {url}, Generate to {}",
            sent.path
        );
        let mut expected = sent.body.clone();
        let part = &mut expected["messages"][0]["content"][1]["image_url"]["url"];
        ensure!(
            part.as_str().is_some_and(|u| u.starts_with("data:image/")),
            "no reference sent: {part}"
        );
        *part = Value::from("<image 1: a data: URL>");
        ensure!(copied == expected, "copied {copied}\nsent {expected}");
        ensure!(copied["seed"] == 4242, "seed {}", copied["seed"]);
        Ok(())
    })
    .await;
}
