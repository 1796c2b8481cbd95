//! History: the per-item buttons and captured downloads.

use base64::Engine as _;
use serde_json::json;

use crate::{App, Result, UI_TIMEOUT};

/// Page script: remembers every Blob turned into an object URL and captures downloads
/// (link clicks with `download`, to a Blob or a base64 `data:` URL) in
/// `window.__downloads` instead of saving files.
pub const CAPTURE_DOWNLOADS: &str = "
  window.__blobs = new Map(); window.__downloads = [];
  const create = URL.createObjectURL;
  URL.createObjectURL = b => { const u = create(b); window.__blobs.set(u, b); return u; };
  const click = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function () {
    if (this.download && this.href.startsWith('data:') && this.href.includes(';base64,')) {
      window.__downloads.push({ name: this.download, data: this.href.split(',')[1] });
      return;
    }
    const blob = this.download && window.__blobs.get(this.href);
    if (!blob) return click.call(this);
    const name = this.download;
    blob.arrayBuffer().then(buf => {
      const bytes = new Uint8Array(buf); let text = '';
      for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      window.__downloads.push({ name, data: btoa(text) });
    });
  };";

impl App {
    /// Hands `bytes` to the hidden file input of "Import history", as choosing a file does.
    pub async fn import_history_file(&self, bytes: &[u8]) -> Result {
        self.js(
            "const input = document.querySelector('section[aria-label=History] input[type=file]');
             const raw = atob(arguments[0]); const bytes = new Uint8Array(raw.length);
             for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
             const dt = new DataTransfer();
             dt.items.add(new File([bytes], 'history.zip', { type: 'application/zip' }));
             input.files = dt.files; input.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![json!(
                base64::engine::general_purpose::STANDARD.encode(bytes)
            )],
        )
        .await?;
        Ok(())
    }

    /// The History images' alt texts (their prompts), in the gallery's order.
    pub async fn history_prompts(&self) -> Result<Vec<String>> {
        let v = self
            .js(
                "return Array.from(document.querySelectorAll(`section[aria-label=\"${arguments[0]}\"] li img`)).map(i => i.alt);",
                vec![json!(self.say("History"))],
            )
            .await?;
        Ok(serde_json::from_value(v).unwrap_or_default())
    }

    /// Waits until History lists exactly `expected`, in that order.
    pub async fn wait_history(&self, expected: &[&str]) -> Result {
        self.poll(
            &format!("History to list {expected:?}"),
            UI_TIMEOUT,
            async || Ok((self.history_prompts().await? == expected).then_some(())),
        )
        .await
    }

    /// Clicks the button `name` of the History item whose image alt is `prompt`.
    pub async fn history_button(&self, prompt: &str, name: &str) -> Result {
        // The entry shows up once its save finished, a moment after the studio shows the
        // image, so wait for the button; the click happens exactly once.
        self.poll(
            &format!("a {name:?} button for {prompt:?} in History"),
            UI_TIMEOUT,
            async || {
                let clicked = self
                    .js(
                        "const li = Array.from(document.querySelectorAll('section[aria-label=History] li'))
                           .find(li => (li.querySelector('img') || {}).alt === arguments[0]);
                         const b = li && Array.from(li.querySelectorAll('button')).find(b => b.textContent.trim() === arguments[1]);
                         if (b) b.click(); return !!b;",
                        vec![json!(prompt), json!(name)],
                    )
                    .await?;
                Ok((clicked == json!(true)).then_some(()))
            },
        )
        .await
    }

    /// Waits for captured download number `n` (from 0, after [`CAPTURE_DOWNLOADS`] ran)
    /// and returns its file name and bytes.
    pub async fn download(&self, n: usize) -> Result<(String, Vec<u8>)> {
        let v = self
            .poll(&format!("download #{n}"), UI_TIMEOUT, async || {
                let v = self
                    .js(
                        "return window.__downloads[arguments[0]] || null;",
                        vec![json!(n)],
                    )
                    .await?;
                Ok((!v.is_null()).then_some(v))
            })
            .await?;
        let name = v["name"].as_str().unwrap_or_default().to_owned();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(v["data"].as_str().unwrap_or_default())?;
        Ok((name, bytes))
    }
}
