//! Roles and accessible names: how a control is found the way a user finds it, and what
//! Chromium itself computes for it.

use fantoccini::Locator;
use fantoccini::elements::Element;
use serde_json::json;

use crate::driver::RawCommand;
use crate::{App, Result, UI_TIMEOUT};

/// The kinds of control the UI contract names (design.md §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Text-like input or textarea (a password input counts: it has no ARIA role of its own).
    Textbox,
    Password,
    Checkbox,
    /// `<select>`
    Combobox,
    /// `<input type=number>`
    Spinbutton,
    /// `<button>`, `<input type=submit|button>`, `role=button`, or a `<summary>`.
    Button,
    Summary,
}

impl Role {
    fn elements(self) -> &'static str {
        match self {
            Role::Textbox => {
                "*[self::textarea or (self::input and (not(@type) or @type='text' or @type='url' or @type='search' or @type='email' or @type='password'))]"
            }
            Role::Password => "input[@type='password']",
            Role::Checkbox => "*[(self::input and @type='checkbox') or @role='checkbox']",
            Role::Combobox => "*[self::select or @role='combobox']",
            Role::Spinbutton => "*[(self::input and @type='number') or @role='spinbutton']",
            Role::Button => {
                "*[self::button or self::summary or @role='button' or (self::input and (@type='submit' or @type='button'))]"
            }
            Role::Summary => "summary",
        }
    }

    /// The ARIA role Chromium computes for the element.
    pub fn aria(self) -> &'static [&'static str] {
        match self {
            Role::Textbox | Role::Password => &["textbox"],
            Role::Checkbox => &["checkbox"],
            Role::Combobox => &["combobox"],
            Role::Spinbutton => &["spinbutton"],
            // Chromium reports <summary> as "DisclosureTriangle" (no ARIA role) in some versions.
            Role::Button | Role::Summary => &["button", "DisclosureTriangle", "disclosuretriangle"],
        }
    }
}

/// An XPath string literal for `s`.
fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        let parts: Vec<String> = s.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// XPath for visible controls of `role` whose accessible name is `name`: `aria-label`,
/// `aria-labelledby`, a wrapping `<label>` or `<label for>`, or (buttons) their own text or,
/// for a button that holds only an image (a History thumbnail), the image's alt text.
/// The one place that knows how names are found.
pub fn xpath_for(role: Role, name: &str) -> String {
    let n = xpath_literal(name);
    let el = role.elements();
    // A label "names" a control when its text (outside embedded controls) is exactly `name`.
    let label = format!(
        "label[normalize-space(.)={n} or .//text()[not(ancestor::select or ancestor::textarea or ancestor::option)][normalize-space()={n}]]"
    );
    let mut alternatives = vec![
        format!("//{el}[@aria-label={n}]"),
        format!("//{el}[@aria-labelledby = //*[normalize-space(.)={n}]/@id]"),
    ];
    if matches!(role, Role::Button | Role::Summary) {
        alternatives.push(format!("//{el}[not(@aria-label)][normalize-space(.)={n}]"));
        alternatives.push(format!(
            "//{el}[not(@aria-label)][normalize-space(.)=''][.//img[@alt={n}]]"
        ));
    } else {
        alternatives.push(format!("//{label}//{el}[not(@aria-label)]"));
        alternatives.push(format!("//{el}[not(@aria-label)][@id = //{label}/@for]"));
    }
    alternatives.join(" | ")
}

/// Script: the text of every live region (`role=status`, `role=alert` or `aria-live`) in the
/// region, group, form or dialog whose accessible name (`aria-label`, or the text its
/// `aria-labelledby` points at) is `arguments[0]`; outermost live regions only, none inside a
/// dialog nested in it. `null` when nothing has that name.
const LIVE_TEXT: &str = "
  const name = arguments[0];
  const nameOf = e => {
    const label = e.getAttribute('aria-label');
    if (label !== null) return label.trim();
    const ids = (e.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
    return ids.map(id => (document.getElementById(id) || {}).textContent || '').join(' ').trim();
  };
  const scope = Array.from(document.querySelectorAll('[aria-label], [aria-labelledby]'))
    .find(e => !e.matches('input, select, textarea, button') && nameOf(e) === name);
  if (!scope) return null;
  const live = '[role=status], [role=alert], [aria-live]';
  return Array.from(scope.querySelectorAll(live))
    .filter(e => e.closest('dialog') === scope.closest('dialog'))
    .filter(e => { const outer = e.parentElement.closest(live); return !outer || !scope.contains(outer); })
    .map(e => e.textContent.trim())
    .filter(t => t !== '')
    .join('\\n');";

impl App {
    /// The first control of `role` named `name`, if present now.
    pub async fn find(&self, role: Role, name: &str) -> Result<Option<Element>> {
        let found = self
            .client
            .find_all(Locator::XPath(&xpath_for(role, &self.say(name))))
            .await?;
        Ok(found.into_iter().next())
    }

    /// The control of `role` named `name`, waiting up to [`UI_TIMEOUT`] for it to appear.
    pub async fn control(&self, role: Role, name: &str) -> Result<Element> {
        self.poll(
            &format!("{role:?} named {name:?}"),
            UI_TIMEOUT,
            async || self.find(role, name).await,
        )
        .await
    }

    /// What the region, group or dialog named `scope` announces now: the text of its live
    /// regions (`role=status` or `aria-live`), e.g. "API key" → the key status line,
    /// "History" → "Imported 2 images.", "Image details" → "Prompt copied.". Several are
    /// joined by newlines; "" when they are empty or nothing is named `scope`.
    pub async fn live_text(&self, scope: &str) -> Result<String> {
        let v = self.js(LIVE_TEXT, vec![json!(self.say(scope))]).await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// Chromium's computed accessible name of an element (WebDriver "Get Computed Label").
    pub async fn computed_label(&self, el: &Element) -> Result<String> {
        let v = self
            .client
            .issue_cmd(RawCommand::get(format!(
                "element/{}/computedlabel",
                el.element_id()
            )))
            .await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// Chromium's computed ARIA role of an element (WebDriver "Get Computed Role").
    pub async fn computed_role(&self, el: &Element) -> Result<String> {
        let v = self
            .client
            .issue_cmd(RawCommand::get(format!(
                "element/{}/computedrole",
                el.element_id()
            )))
            .await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }
}
