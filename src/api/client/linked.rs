//! Images an answer only links to (`https:`): downloaded without the key or
//! any other header, since the key goes to the API base only.

use gloo_net::http::Request;
use web_sys::AbortSignal;

use super::CancelHandle;
use super::http::describe;
use crate::api::ApiError;
use crate::generation::{DecodedImage, GenerationOutput, LinkedImageMissing, verify_image};

/// Downloads every linked image. Each download has its own time limit (the
/// request's), whatever the transport. A link that cannot be fetched fails the
/// generation only when no image arrived at all: the images are made and
/// billed by now, so nothing is retried.
pub(super) async fn download_linked(
    mut output: GenerationOutput,
    cancel: &CancelHandle,
    seconds: u32,
) -> Result<GenerationOutput, ApiError> {
    for url in std::mem::take(&mut output.remote_urls) {
        match download_one(&url, cancel, seconds).await {
            Ok(image) => output.images.push(image.into()),
            Err(Unreachable::Cancelled) => return Err(ApiError::Cancelled),
            Err(Unreachable::Missing(missing)) => {
                output.unreachable.get_or_insert(missing);
            }
        }
    }
    match output.unreachable.take() {
        Some(missing) if output.images.is_empty() => Err(missing.into()),
        unreachable => Ok(GenerationOutput {
            unreachable,
            ..output
        }),
    }
}

enum Unreachable {
    Cancelled,
    Missing(LinkedImageMissing),
}

/// One linked image: its bytes, checked like any other image.
async fn download_one(
    url: &str,
    cancel: &CancelHandle,
    seconds: u32,
) -> Result<DecodedImage, Unreachable> {
    let t = crate::i18n::later();
    let limit = AbortSignal::timeout_with_u32(seconds.saturating_mul(1000));
    let signal = AbortSignal::any(&js_sys::Array::of2(&cancel.signal(), &limit));
    let missing = |reason: String| {
        Unreachable::Missing(LinkedImageMissing {
            url: url.to_owned(),
            reason,
        })
    };
    let failed = |_| {
        if cancel.is_cancelled() {
            Unreachable::Cancelled
        } else if limit.aborted() {
            missing(t.studio_detail_linked_timeout(&seconds))
        } else {
            missing(t.studio_detail_linked_blocked.into())
        }
    };
    let response = Request::get(url)
        .abort_signal(Some(&signal))
        .send()
        .await
        .map_err(|e| failed(describe(e)))?;
    if !response.ok() {
        return Err(missing(format!("HTTP {}", response.status())));
    }
    let bytes = response.binary().await.map_err(|e| failed(describe(e)))?;
    verify_image(bytes).map_err(|e| missing(t.studio_detail_linked_not_image(&e)))
}
