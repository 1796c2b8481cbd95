//! Requests through gloo-net with exactly the headers OpenRouter documents
//! (each extra one would need CORS approval), and failures described in a line.

use gloo_net::http::{Method, RequestBuilder};
use js_sys::JsString;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Response};

use crate::api::APP_TITLE;

/// An answer whose status and headers have arrived; the body is still to read.
pub(super) struct Sent {
    pub(super) status: u16,
    response: Response,
}

impl Sent {
    /// A header, if the server exposed it to the page through CORS.
    pub(super) fn header(&self, name: &str) -> Option<String> {
        self.response.headers().get(name).ok().flatten()
    }

    pub(super) fn is_event_stream(&self) -> bool {
        self.header("Content-Type")
            .is_some_and(|t| t.contains("text/event-stream"))
    }

    /// The body as it arrives, for streamed answers.
    pub(super) fn body(&self) -> Option<web_sys::ReadableStream> {
        self.response.body()
    }

    /// The whole body as a JavaScript string (a large answer is not copied
    /// into wasm whole: see `held`).
    pub(super) async fn text(&self) -> Result<JsString, String> {
        let failed = |e: wasm_bindgen::JsValue| match e.dyn_ref::<js_sys::Error>() {
            Some(e) => format!("{}: {}", e.name(), e.message()),
            None => crate::i18n::later().studio_detail_body_unreadable.into(),
        };
        let promise = self.response.text().map_err(failed)?;
        let text = JsFuture::from(promise).await.map_err(failed)?;
        Ok(text.unchecked_into())
    }
}

/// Sends a request: POST with a JSON `body`, else GET. The key (and the
/// attribution headers that go with it) only when `key` is given: public
/// requests go without, so a plain GET needs no CORS preflight round trip.
pub(super) async fn send(
    url: &str,
    key: Option<&str>,
    body: Option<String>,
    signal: &AbortSignal,
) -> Result<Sent, String> {
    // gloo-net rebuilds the query from its own list (and would append a stray
    // `&` to one already in the URL), so the query goes through that list.
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let pairs = query.split('&').filter_map(|pair| pair.split_once('='));
    let mut request = RequestBuilder::new(path)
        .query(pairs)
        .abort_signal(Some(signal));
    if let Some(key) = key {
        request = request
            .header("Authorization", &format!("Bearer {key}"))
            .header("HTTP-Referer", &app_url())
            .header("X-OpenRouter-Title", APP_TITLE);
    }
    let response = match body {
        Some(body) => {
            request
                .method(Method::POST)
                .header("Content-Type", "application/json")
                .body(body)
                .map_err(describe)?
                .send()
                .await
        }
        None => request.method(Method::GET).send().await,
    }
    .map_err(describe)?;
    Ok(Sent {
        status: response.status(),
        response: response.into(),
    })
}

/// A readable one-liner for what the browser reported (e.g. "TypeError: Failed to fetch").
pub(super) fn describe(error: gloo_net::Error) -> String {
    match error {
        gloo_net::Error::JsError(e) => format!("{}: {}", e.name, e.message),
        other => other.to_string(),
    }
}

/// The page URL without query or fragment: what OpenRouter attributes usage to.
pub fn app_url() -> String {
    web_sys::window()
        .and_then(|w| {
            let location = w.location();
            Some(format!(
                "{}{}",
                location.origin().ok()?,
                location.pathname().ok()?
            ))
        })
        .unwrap_or_default()
}
