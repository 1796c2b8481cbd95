//! Injected faults. A queued fault applies to the next generation request (chat or images);
//! an `X-Mock-Fault: <kind>[=<n>]` header or a `[mock:…]` tag in the prompt applies to that
//! request only. Precedence: queue, header, prompt.

use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};

/// The per-request fault header (not something a real client sends).
pub const FAULT_HEADER: &str = "x-mock-fault";

/// The fault for one generation request: the queue first, then the header, then the prompt.
pub fn for_request(queued: Option<Fault>, headers: &HeaderMap, prompt: &str) -> Option<Fault> {
    queued
        .or_else(|| {
            headers
                .get(FAULT_HEADER)
                .and_then(|v| v.to_str().ok())
                .and_then(from_tag)
        })
        .or_else(|| from_prompt(prompt))
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// The reference error body of §6.2 for this status.
    Status { status: u16 },
    /// 403 with `metadata.patterns`.
    Guardrail,
    /// An HTML edge error page (with CORS headers).
    Html5xx { status: u16 },
    /// A JSON error without any CORS header: the browser sees an opaque network error.
    NoCors { status: u16 },
    /// Wait this long before answering (SSE keep-alive comments meanwhile).
    Delay { ms: u64 },
    /// Never answer; the request ends only when the client aborts.
    Hang,
    /// HTTP 200 carrying a generation error (in the choice, or as the mid-stream error chunk).
    ChoiceError,
    /// Cut the connection before the response is complete (the generation is recorded as
    /// cancelled, nothing billed).
    DropBeforeDone,
    /// Cut the connection before the response is complete, after the generation was made and
    /// billed: its `/generation` record (after `generation_404_ms`) shows the cost.
    DropAfterBilling,
    /// 200 with the first half of a valid JSON body.
    TruncatedBody,
    /// 200 with a valid result that has no image.
    NoImage,
    /// 200 whose image is a `data:text/html` URL.
    NonImageDataUrl,
    /// 200 with a PNG whose header checksum is wrong: its signature and size read
    /// right, but no browser decodes it.
    UndecodableImage,
    /// 200 text/plain, not JSON.
    NotJson,
    /// 400 whose message repeats the request's `Authorization` header, as a careless
    /// server or proxy might: the client must not show the key.
    EchoKey,
}

/// Finds `[mock:<kind>]` or `[mock:<kind>=<number>]` in a prompt.
pub fn from_prompt(prompt: &str) -> Option<Fault> {
    let start = prompt.find("[mock:")? + "[mock:".len();
    let rest = &prompt[start..];
    from_tag(&rest[..rest.find(']')?])
}

/// Parses `<kind>` or `<kind>=<number>` (the inside of a magic tag, or an `X-Mock-Fault`
/// header value).
pub fn from_tag(tag: &str) -> Option<Fault> {
    let (kind, arg) = match tag.split_once('=') {
        Some((k, v)) => (k.trim(), v.trim().parse::<u64>().ok()),
        None => (tag.trim(), None),
    };
    let status = || arg.and_then(|n| u16::try_from(n).ok());
    Some(match kind {
        "status" => Fault::Status { status: status()? },
        "guardrail" => Fault::Guardrail,
        "html5xx" => Fault::Html5xx {
            status: status().unwrap_or(502),
        },
        "no_cors" => Fault::NoCors {
            status: status().unwrap_or(500),
        },
        "delay" => Fault::Delay { ms: arg? },
        "hang" => Fault::Hang,
        "choice_error" => Fault::ChoiceError,
        "drop_before_done" => Fault::DropBeforeDone,
        "drop_after_billing" => Fault::DropAfterBilling,
        "truncated_body" => Fault::TruncatedBody,
        "no_image" => Fault::NoImage,
        "non_image_data_url" => Fault::NonImageDataUrl,
        "undecodable_image" => Fault::UndecodableImage,
        "not_json" => Fault::NotJson,
        "echo_key" => Fault::EchoKey,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_prompts() {
        assert_eq!(
            from_prompt("a fox [mock:status=429] please"),
            Some(Fault::Status { status: 429 })
        );
        assert_eq!(
            from_prompt("[mock:html5xx=503]"),
            Some(Fault::Html5xx { status: 503 })
        );
        assert_eq!(
            from_prompt("x [mock:delay=1500]"),
            Some(Fault::Delay { ms: 1500 })
        );
        assert_eq!(from_prompt("[mock:hang]"), Some(Fault::Hang));
        assert_eq!(
            from_prompt("[mock:non_image_data_url]"),
            Some(Fault::NonImageDataUrl)
        );
        assert_eq!(from_prompt("[mock:unknown]"), None);
        assert_eq!(from_prompt("[mock:status]"), None);
        assert_eq!(from_prompt("no tag [mock:hang"), None);
        assert_eq!(from_prompt("plain"), None);
        assert_eq!(from_tag("no_cors=502"), Some(Fault::NoCors { status: 502 }));
        assert_eq!(from_tag(" drop_before_done "), Some(Fault::DropBeforeDone));
        assert_eq!(
            from_tag("drop_after_billing"),
            Some(Fault::DropAfterBilling)
        );
    }

    #[test]
    fn serde_shape() {
        let f: Fault = serde_json::from_str(r#"{"kind":"status","status":502}"#).unwrap();
        assert_eq!(f, Fault::Status { status: 502 });
        let v = serde_json::to_value(Fault::DropBeforeDone).unwrap();
        assert_eq!(v, serde_json::json!({"kind":"drop_before_done"}));
    }
}
