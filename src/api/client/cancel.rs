//! Stopping requests: the user's Cancel, and the idle timer of streamed answers.

use web_sys::{AbortController, AbortSignal};

use crate::api::ApiError;

/// A new AbortController. The studio makes each request's Cancel handle
/// itself, outside the `later` part, so this message is a `core` string.
fn controller() -> Result<AbortController, ApiError> {
    AbortController::new().map_err(|_| ApiError::Network {
        detail: crate::i18n::core().studio_detail_no_abort.into(),
    })
}

/// Lets the UI abort the in-flight request (dropping a future would not).
#[derive(Clone, Debug)]
pub struct CancelHandle(AbortController);

impl CancelHandle {
    pub fn new() -> Result<Self, ApiError> {
        controller().map(Self)
    }

    pub fn cancel(&self) {
        self.0.abort();
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.signal().aborted()
    }

    pub(super) fn signal(&self) -> AbortSignal {
        self.0.signal()
    }
}

/// Aborts a streamed request when nothing arrives for a while; [`IdleTimer::reset`]
/// on every piece of data.
pub(super) struct IdleTimer {
    controller: AbortController,
    seconds: u32,
    timer: std::cell::RefCell<Option<gloo_timers::callback::Timeout>>,
}

impl IdleTimer {
    pub(super) fn new(seconds: u32) -> Result<IdleTimer, ApiError> {
        let timer = IdleTimer {
            controller: controller()?,
            seconds,
            timer: Default::default(),
        };
        timer.reset();
        Ok(timer)
    }

    pub(super) fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }

    pub(super) fn reset(&self) {
        let controller = self.controller.clone();
        let fire =
            gloo_timers::callback::Timeout::new(self.seconds.saturating_mul(1000), move || {
                controller.abort()
            });
        // Replacing the old Timeout cancels it.
        self.timer.replace(Some(fire));
    }
}
