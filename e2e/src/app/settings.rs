//! Settings: the API base URL, time-outs, streaming, and pointing the app at the mock.

use std::time::{Duration, Instant};

use fantoccini::Locator;

use crate::{App, DEMO_KEY, Result, Role, UI_TIMEOUT, bail, ensure};

impl App {
    /// Opens the Settings panel (the header's `Settings` button) if it is closed.
    pub async fn open_settings(&self) -> Result {
        self.open_disclosure("Settings", "API base URL", Role::Textbox)
            .await
    }

    /// Closes the Settings panel if it is open.
    pub async fn close_settings(&self) -> Result {
        let button = self.control(Role::Button, "Settings").await?;
        if button.attr("aria-expanded").await?.as_deref() == Some("true") {
            button.click().await?;
        }
        self.poll("Settings to close", UI_TIMEOUT, async || {
            let b = self.control(Role::Button, "Settings").await?;
            Ok((b.attr("aria-expanded").await?.as_deref() == Some("false")).then_some(()))
        })
        .await
    }

    /// Presses the header button named `button` unless its panel is open, and waits
    /// until the panel's `field` shows.
    pub(crate) async fn open_disclosure(&self, button: &str, field: &str, role: Role) -> Result {
        let toggle = self
            .poll(
                &format!("the {button} button to work"),
                UI_TIMEOUT,
                async || {
                    let b = self.control(Role::Button, button).await?;
                    Ok(b.is_enabled().await?.then_some(b))
                },
            )
            .await?;
        if toggle.attr("aria-expanded").await?.as_deref() != Some("true") {
            toggle.click().await?;
        }
        self.poll(
            &format!("the {field} field to be visible"),
            UI_TIMEOUT,
            async || {
                let f = self.control(role, field).await?;
                Ok(f.is_displayed().await?.then_some(()))
            },
        )
        .await
    }

    /// The message tied to the API base URL field (`aria-describedby`), e.g. "Saved.".
    pub async fn settings_message(&self) -> Result<String> {
        let field = self.control(Role::Textbox, "API base URL").await?;
        let Some(ids) = field.attr("aria-describedby").await? else {
            bail!("the API base URL field has no aria-describedby message");
        };
        let mut text = String::new();
        for id in ids.split_whitespace() {
            let el = self.client.find(Locator::Id(id)).await?;
            let v = self
                .js(
                    "return arguments[0].textContent",
                    vec![serde_json::to_value(&el)?],
                )
                .await?;
            text.push_str(v.as_str().unwrap_or_default());
        }
        Ok(text.trim().to_owned())
    }

    /// Types into "API base URL" and presses "Save settings"; returns the message shown
    /// afterwards (waits until it is not empty / changed).
    pub async fn save_api_base(&self, url: &str) -> Result<String> {
        self.open_settings().await?;
        let field = self.control(Role::Textbox, "API base URL").await?;
        self.replace_text(&field, url).await?;
        self.press_save_settings().await
    }

    /// The browser's own constraint-validation message for a field (e.g. Chrome's "Please enter
    /// a URL." for `type=url`), or `None` when the browser considers the value valid.
    pub async fn native_validation_message(
        &self,
        role: Role,
        name: &str,
    ) -> Result<Option<String>> {
        let el = self.control(role, name).await?;
        let v = self
            .js(
                "const e = arguments[0]; return e.validity && !e.validity.valid ? e.validationMessage : null;",
                vec![serde_json::to_value(&el)?],
            )
            .await?;
        Ok(v.as_str().map(str::to_owned))
    }

    /// Sets "Request timeout (seconds)" and saves.
    pub async fn save_timeout(&self, seconds: u32) -> Result<String> {
        self.open_settings().await?;
        let field = self
            .control(Role::Spinbutton, "Request timeout (seconds)")
            .await?;
        self.replace_text(&field, &seconds.to_string()).await?;
        self.press_save_settings().await
    }

    /// Sets Settings' "Idle timeout (seconds)" (streamed answers) and saves.
    pub async fn save_idle_timeout(&self, seconds: u32) -> Result<String> {
        self.open_settings().await?;
        let field = self
            .control(Role::Spinbutton, "Idle timeout (seconds)")
            .await?;
        self.replace_text(&field, &seconds.to_string()).await?;
        self.press_save_settings().await
    }

    /// Ticks or clears Settings' "Stream responses" (saved at once).
    pub async fn set_streaming(&self, on: bool) -> Result {
        self.open_settings().await?;
        let checkbox = self.control(Role::Checkbox, "Stream responses").await?;
        if checkbox.is_selected().await? != on {
            checkbox.click().await?;
        }
        self.poll(
            "the streaming setting to be saved",
            UI_TIMEOUT,
            async || {
                let stored = self.local_storage().await?;
                let saved = stored
                    .get("kleinbild.settings.v1")
                    .is_some_and(|s| s.contains(&format!("\"stream\":{on}")));
                Ok(saved.then_some(()))
            },
        )
        .await
    }

    async fn press_save_settings(&self) -> Result<String> {
        let before = self.settings_message().await?;
        self.control(Role::Button, "Save settings")
            .await?
            .click()
            .await?;
        // The message is reactive text: wait until it changes. Saving twice in a row can show
        // the same message again ("Saved."), so after a short grace period an unchanged,
        // non-empty message counts as the answer.
        let start = Instant::now();
        self.poll("a message after Save settings", UI_TIMEOUT, async || {
            let m = self.settings_message().await?;
            let settled = start.elapsed() > Duration::from_millis(1500);
            Ok((!m.is_empty() && (m != before || settled)).then_some(m))
        })
        .await
    }

    /// Points the app at this test's mock and checks it says "Saved.".
    pub async fn use_mock(&self) -> Result {
        let base = self.mock.base_url();
        let message = self.save_api_base(&base).await?;
        ensure!(
            message.contains(self.say("Saved.").trim_end_matches('.')),
            "saving API base {base} said {message:?}"
        );
        let shown = self.value_of(Role::Textbox, "API base URL").await?;
        ensure!(
            shown == base,
            "API base URL field shows {shown:?} after saving {base:?}"
        );
        Ok(())
    }

    /// Opens the app, points it at the mock and enters the demo key.
    pub async fn open_ready(&self) -> Result {
        self.open().await?;
        self.use_mock().await?;
        self.enter_key(DEMO_KEY).await
    }
}
