//! Helpers for the native tests of export and import: they drive the app's own
//! code (`storage::transfer`, `storage::zip::ZipWriter`) over byte slices.

pub mod export;
pub mod zip;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// Runs a future that is ready at once (the app's readers over a byte slice
/// never wait). Panics if it keeps asking to wait: then it would need a real
/// executor, and the test would be wrong.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    for _ in 0..8 {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
    panic!("the future is still pending: byte-slice reads should never wait");
}
