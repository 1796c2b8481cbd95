//! The key panel: entering, remembering and forgetting the OpenRouter key.

use crate::{App, Result, Role, UI_TIMEOUT};

impl App {
    /// The key panel's status line ("No key yet: …", "Using sk-or-v1-…abcd."): what the
    /// "API key" region announces.
    pub async fn key_status(&self) -> Result<String> {
        self.live_text("API key").await
    }

    /// Opens the key panel (the header's key button, named for the key's state:
    /// "Add key", "Key ✓ · $4.58 left", …) if it is folded away.
    pub async fn open_key_panel(&self) -> Result {
        let toggle = self.key_button().await?;
        if toggle.attr("aria-expanded").await?.as_deref() != Some("true") {
            toggle.click().await?;
        }
        self.poll("the key field to be visible", UI_TIMEOUT, async || {
            let f = self.control(Role::Password, "OpenRouter API key").await?;
            Ok(f.is_displayed().await?.then_some(()))
        })
        .await
    }

    /// The header's key button ("Add key", "Key ✓ · $4.58 left", …), once it works
    /// (it is drawn disabled until the panels part wires it).
    pub async fn key_button(&self) -> Result<fantoccini::elements::Element> {
        self.poll("the header's key button", UI_TIMEOUT, async || {
            let found = self
                .client
                .find_all(fantoccini::Locator::Css("button[aria-controls=key-panel]"))
                .await?
                .into_iter()
                .next();
            Ok(match found {
                Some(b) if b.is_enabled().await? => Some(b),
                _ => None,
            })
        })
        .await
    }

    /// Pastes `key` into "OpenRouter API key" and presses Enter; waits until the panel uses it.
    pub async fn enter_key(&self, key: &str) -> Result {
        self.open_key_panel().await?;
        let field = self.control(Role::Password, "OpenRouter API key").await?;
        self.replace_text(&field, key).await?;
        field.send_keys("\u{E007}").await?;
        let tail: String = key
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        self.poll(
            "the key panel to say the key is in use",
            UI_TIMEOUT,
            async || {
                let forget = self.control(Role::Button, "Forget key").await?;
                let field = self.control(Role::Password, "OpenRouter API key").await?;
                let cleared = field.prop("value").await?.unwrap_or_default().is_empty();
                let enabled = forget.is_enabled().await?;
                // The status line under the field names the key in use by its last characters.
                let named = self
                    .key_status()
                    .await?
                    .contains(&format!("\u{2026}{tail}"));
                Ok((cleared && enabled && named).then_some(()))
            },
        )
        .await
    }

    /// Ticks or unticks "Remember on this device".
    pub async fn set_remember(&self, on: bool) -> Result {
        self.open_key_panel().await?;
        let checkbox = self
            .control(Role::Checkbox, "Remember on this device")
            .await?;
        if checkbox.is_selected().await? != on {
            checkbox.click().await?;
        }
        self.poll("the Remember checkbox to change", UI_TIMEOUT, async || {
            let c = self
                .control(Role::Checkbox, "Remember on this device")
                .await?;
            Ok((c.is_selected().await? == on).then_some(()))
        })
        .await
    }

    pub async fn forget_key(&self) -> Result {
        self.open_key_panel().await?;
        self.control(Role::Button, "Forget key")
            .await?
            .click()
            .await?;
        self.poll("Forget key to take effect", UI_TIMEOUT, async || {
            let b = self.control(Role::Button, "Forget key").await?;
            Ok((!b.is_enabled().await?).then_some(()))
        })
        .await
    }
}
