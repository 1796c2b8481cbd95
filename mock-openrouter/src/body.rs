//! A fixed body handed to hyper in slices. hyper asks for the next slice only when its write
//! buffer has room, so the moment the last slice is taken (recorded as `response_end_ms`)
//! is close to when the last byte actually left, even for multi-MB images.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use bytes::Bytes;
use http_body::{Frame, SizeHint};

const SLICE: usize = 64 * 1024;

struct Sliced {
    rest: Bytes,
}

impl http_body::Body for Sliced {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if this.rest.is_empty() {
            return Poll::Ready(None);
        }
        let n = this.rest.len().min(SLICE);
        Poll::Ready(Some(Ok(Frame::data(this.rest.split_to(n)))))
    }

    fn is_end_stream(&self) -> bool {
        self.rest.is_empty()
    }

    // Exact: hyper still sends a Content-Length.
    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.rest.len() as u64)
    }
}

pub fn sliced(bytes: impl Into<Bytes>) -> Body {
    Body::new(Sliced { rest: bytes.into() })
}
