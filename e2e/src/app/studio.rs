//! The studio: the prompt form, the alert, the result, the reference images, and what the
//! mock received from it.

use std::time::Duration;

use fantoccini::Locator;
use serde_json::json;

use crate::{App, Outcome, RecordedRequest, Result, Role, UI_TIMEOUT, replay_image};

/// XPath predicate: a button named "Remove image <number>".
const REMOVE_REFERENCE: &str = "starts-with(@aria-label, 'Remove image ')";

impl App {
    // --- prompt form --------------------------------------------------------------------------

    pub async fn type_prompt(&self, prompt: &str) -> Result {
        let field = self.control(Role::Textbox, "Prompt").await?;
        self.replace_text(&field, prompt).await
    }

    pub async fn prompt_value(&self) -> Result<String> {
        self.value_of(Role::Textbox, "Prompt").await
    }

    pub async fn select_aspect_ratio(&self, ratio: &str) -> Result {
        let select = self.control(Role::Combobox, "Aspect ratio").await?;
        select.select_by_value(ratio).await?;
        self.poll("the aspect ratio to change", UI_TIMEOUT, async || {
            Ok((self.value_of(Role::Combobox, "Aspect ratio").await? == ratio).then_some(()))
        })
        .await
    }

    pub async fn click_generate(&self) -> Result {
        self.control(Role::Button, "Generate")
            .await?
            .click()
            .await?;
        Ok(())
    }

    /// Ctrl+Enter inside the prompt.
    pub async fn ctrl_enter_in_prompt(&self) -> Result {
        let field = self.control(Role::Textbox, "Prompt").await?;
        field.send_keys("\u{E009}\u{E007}\u{E000}").await?;
        Ok(())
    }

    /// The progress text while generating, if shown: the status (`role=status`) shown
    /// together with the Cancel button.
    pub async fn progress_text(&self) -> Result<Option<String>> {
        // "Generating… N s", or "Retrying in N s — attempt M of 3" between attempts.
        let found = self
            .client
            .find_all(Locator::XPath(
                "//*[@role='status'][../button[normalize-space(.)='Cancel']]",
            ))
            .await?;
        match found.first() {
            Some(el) => Ok(Some(el.text().await?)),
            None => Ok(None),
        }
    }

    // --- alert --------------------------------------------------------------------------------

    /// The text of the `role=alert` region as rendered (closed `<details>` excluded; "" when
    /// empty or missing).
    pub async fn alert_text(&self) -> Result<String> {
        self.alert_property("innerText").await
    }

    /// All text in the alert region, including collapsed details.
    pub async fn alert_full_text(&self) -> Result<String> {
        self.alert_property("textContent").await
    }

    async fn alert_property(&self, property: &str) -> Result<String> {
        let v = self
            .js(
                "return Array.from(document.querySelectorAll('[role=alert]')).map(e => e[arguments[0]]).join('\\n');",
                vec![json!(property)],
            )
            .await?;
        Ok(v.as_str().unwrap_or_default().trim().to_owned())
    }

    /// Waits until the alert contains `phrase` (case-insensitive); returns the whole text.
    pub async fn wait_alert(&self, phrase: &str, timeout: Duration) -> Result<String> {
        let needle = phrase.to_lowercase();
        let mut last = String::new();
        let r = self
            .poll(
                &format!("an alert containing {phrase:?}"),
                timeout,
                async || {
                    let t = self.alert_text().await?;
                    last = t.clone();
                    Ok(t.to_lowercase().contains(&needle).then_some(t))
                },
            )
            .await;
        r.map_err(|e| format!("{e} (alert text was {last:?})").into())
    }

    /// Waits until the alert has any text; returns it.
    pub async fn wait_any_alert(&self, timeout: Duration) -> Result<String> {
        self.poll("any alert", timeout, async || {
            let t = self.alert_text().await?;
            Ok((!t.is_empty()).then_some(t))
        })
        .await
    }

    // --- results ------------------------------------------------------------------------------

    /// `(naturalWidth, naturalHeight)` of the `<img>` whose alt is `alt`, once it has decoded.
    pub async fn wait_image(&self, alt: &str, timeout: Duration) -> Result<(u64, u64)> {
        self.poll(&format!("a decoded image with alt {alt:?}"), timeout, async || {
            let v = self
                .js(
                    "const i = Array.from(document.images).find(i => i.alt === arguments[0]);
                     return i && i.complete && i.naturalWidth > 0 ? [i.naturalWidth, i.naturalHeight] : null;",
                    vec![json!(alt)],
                )
                .await?;
            Ok(v.as_array().map(|a| (a[0].as_u64().unwrap_or(0), a[1].as_u64().unwrap_or(0))))
        })
        .await
    }

    /// Whether an `<img>` with this alt is in the page now.
    pub async fn has_image(&self, alt: &str) -> Result<bool> {
        let v = self
            .js(
                "return Array.from(document.images).some(i => i.alt === arguments[0]);",
                vec![json!(alt)],
            )
            .await?;
        Ok(v == json!(true))
    }

    /// Types `prompt`, clicks Generate and waits for its image; returns its natural size.
    pub async fn generate(&self, prompt: &str) -> Result<(u64, u64)> {
        self.type_prompt(prompt).await?;
        self.click_generate().await?;
        self.wait_image(prompt, UI_TIMEOUT).await
    }

    /// Waits until the Generate button is back (no generation running).
    pub async fn wait_idle(&self) -> Result {
        self.poll("every job to end", UI_TIMEOUT, async || {
            let busy = self
                .js(
                    "return !!document.querySelector('section[aria-label=Jobs][aria-busy=true]');",
                    vec![],
                )
                .await?;
            Ok((busy == json!(false)).then_some(()))
        })
        .await
    }

    // --- jobs ---------------------------------------------------------------------------------

    /// Types `n` into `Images` and leaves the field (its change is saved then).
    pub async fn set_images(&self, n: u32) -> Result {
        let field = self.control(Role::Spinbutton, "Images").await?;
        self.replace_text(&field, &n.to_string()).await?;
        field.send_keys("\u{E004}").await?;
        self.poll("Images to take the new value", UI_TIMEOUT, async || {
            Ok((self.value_of(Role::Spinbutton, "Images").await? == n.to_string()).then_some(()))
        })
        .await
    }

    /// How many result images with alt `alt` have decoded.
    pub async fn decoded_results(&self, alt: &str) -> Result<usize> {
        let v = self
            .js(
                "return Array.from(document.querySelectorAll('section[aria-label=Result] img'))
                   .filter(i => i.alt === arguments[0] && i.complete && i.naturalWidth > 0).length;",
                vec![json!(alt)],
            )
            .await?;
        Ok(v.as_u64().unwrap_or_default() as usize)
    }

    /// Waits until `count` result images with alt `alt` have decoded.
    pub async fn wait_results(&self, alt: &str, count: usize) -> Result {
        self.poll(
            &format!("{count} decoded results {alt:?}"),
            UI_TIMEOUT,
            async || Ok((self.decoded_results(alt).await? == count).then_some(())),
        )
        .await
    }

    /// Every job in the `Jobs` region, newest first: `(prompt, status text)`.
    pub async fn jobs(&self) -> Result<Vec<(String, String)>> {
        let v = self
            .js(
                "const region = document.querySelector('section[aria-label=Jobs]');
                 if (!region) return [];
                 return Array.from(region.querySelectorAll('li')).map(li => [
                   li.querySelector('[title]')?.getAttribute('title') ?? '',
                   li.querySelector('[role=status]')?.innerText ?? '']);",
                vec![],
            )
            .await?;
        Ok(serde_json::from_value(v)?)
    }

    /// Waits until the newest job for `prompt` has a status containing `phrase`; returns it.
    pub async fn wait_job_status(&self, prompt: &str, phrase: &str) -> Result<String> {
        let mut last = Vec::new();
        let r = self
            .poll(
                &format!("the job {prompt:?} to say {phrase:?}"),
                UI_TIMEOUT,
                async || {
                    last = self.jobs().await?;
                    Ok(last
                        .iter()
                        .find(|(p, _)| p == prompt)
                        .map(|(_, status)| status.clone())
                        .filter(|status| status.contains(phrase)))
                },
            )
            .await;
        r.map_err(|e| format!("{e} (jobs: {last:?})").into())
    }

    // --- reference images ---------------------------------------------------------------------

    /// The alt texts ("image 1: cat.png") of the chosen reference images, in order: the
    /// images of the list items that have a "Remove image …" button.
    pub async fn reference_images(&self) -> Result<Vec<String>> {
        let v = self
            .js(
                "const found = document.evaluate(arguments[0], document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
                 const alts = [];
                 for (let i = 0; i < found.snapshotLength; i++) alts.push(found.snapshotItem(i).alt);
                 return alts;",
                vec![json!(format!("//li[.//button[{REMOVE_REFERENCE}]]//img"))],
            )
            .await?;
        Ok(serde_json::from_value(v)?)
    }

    /// How many reference images are chosen.
    pub async fn reference_count(&self) -> Result<usize> {
        Ok(self.reference_images().await?.len())
    }

    /// Presses every "Remove image …" button (in one script, so no re-render in between
    /// leaves one out).
    pub async fn remove_all_references(&self) -> Result {
        self.js(
            "const found = document.evaluate(arguments[0], document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
             for (let i = 0; i < found.snapshotLength; i++) found.snapshotItem(i).click();",
            vec![json!(format!("//button[{REMOVE_REFERENCE}]"))],
        )
        .await?;
        Ok(())
    }

    // --- the mock -----------------------------------------------------------------------------

    /// The generation requests (POST …/chat/completions or …/images) the mock received.
    pub fn generation_requests(&self) -> Vec<RecordedRequest> {
        self.mock
            .requests()
            .into_iter()
            .filter(|r| {
                r.method == "POST"
                    && (r.path.ends_with("/chat/completions") || r.path.ends_with("/images"))
            })
            .collect()
    }

    /// The last generation request the mock received.
    pub fn last_generation_request(&self) -> Result<RecordedRequest> {
        Ok(self
            .generation_requests()
            .pop()
            .ok_or("no generation request was sent")?)
    }

    /// Picks `value` in the select named `select`.
    pub async fn choose(&self, select: &str, value: &str) -> Result {
        self.control(Role::Combobox, select)
            .await?
            .select_by_value(value)
            .await?;
        Ok(())
    }

    /// Waits until the element `css` finds says `phrase`; returns all it says.
    pub async fn wait_text(&self, css: &str, phrase: &str) -> Result<String> {
        self.poll(
            &format!("{css} to say {phrase:?}"),
            UI_TIMEOUT,
            async || {
                let v = self
                    .js(
                        "const el = document.querySelector(arguments[0]); return el ? el.innerText : '';",
                        vec![json!(css)],
                    )
                    .await?;
                let text = v.as_str().unwrap_or_default().to_owned();
                Ok(text.contains(phrase).then_some(text))
            },
        )
        .await
    }

    /// Waits until the mock has recorded the `n`-th generation request (1-based) and it is no
    /// longer pending; returns it.
    pub async fn wait_generation_request(
        &self,
        n: usize,
        timeout: Duration,
    ) -> Result<RecordedRequest> {
        self.poll(
            &format!("generation request #{n} to finish at the mock"),
            timeout,
            async || {
                Ok(self
                    .generation_requests()
                    .into_iter()
                    .nth(n - 1)
                    .filter(|r| r.outcome != Outcome::Pending))
            },
        )
        .await
    }

    /// The bytes of the image the app's last generation request got back (the mock is
    /// deterministic, so asking again gives the same image).
    pub async fn last_generated_image(&self) -> Result<Vec<u8>> {
        let last = self
            .generation_requests()
            .pop()
            .ok_or("no generation request recorded")?;
        replay_image(&self.mock.addr(), &last.body).await
    }
}
