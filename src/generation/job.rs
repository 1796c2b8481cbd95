//! The life of one generation as the studio shows it.

/// What the studio is doing right now.
#[derive(Clone, Debug, PartialEq)]
pub enum JobState {
    Idle,
    Running { started_ms: f64 },
}

/// What a running generation is doing, for the progress line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Phase {
    /// OpenRouter's keep-alive comments: queued or generating upstream.
    Processing,
    /// Image data is arriving.
    Receiving,
}

/// A failed attempt waiting to be tried again: what the countdown shows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryWait {
    pub seconds_left: u32,
    /// The attempt that starts when the countdown ends (from 2).
    pub next_attempt: u32,
    /// Attempts in all, the first one included.
    pub max_attempts: u32,
}

impl RetryWait {
    /// "Retrying in 4 s — attempt 2 of 3": what the countdown says.
    pub fn text(&self) -> String {
        format!(
            "Retrying in {} s \u{2014} attempt {} of {}",
            self.seconds_left, self.next_attempt, self.max_attempts
        )
    }
}
