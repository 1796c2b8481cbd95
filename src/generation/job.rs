//! Jobs: what one press of Generate asks for, the life of each of its images,
//! and which images are sent next. Pure, so the queue's rules are tested natively.

/// Images per job: klein returns one image per request, so a batch is that many requests.
pub const MAX_BATCH: u32 = 8;
/// Requests in flight across all jobs, by default and at most (`Parallel requests`).
pub const DEFAULT_PARALLEL: u32 = 4;
pub const MAX_PARALLEL: u32 = 8;

/// What a request is doing once the provider has it, for the progress line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Phase {
    /// A success status arrived: the provider accepted the request.
    Accepted,
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
        crate::i18n::later().studio_retry_wait(
            &self.seconds_left,
            &self.next_attempt,
            &self.max_attempts,
        )
    }
}

/// Where one image of a job is.
#[derive(Clone, Debug, PartialEq)]
pub enum ImageState {
    /// Waiting for a free request slot.
    Queued,
    /// Sent at `started_ms` (`Date.now()`); `phase` once the provider answers.
    Running {
        started_ms: f64,
        phase: Option<Phase>,
        retry: Option<RetryWait>,
    },
    /// Shown and handed to History under this id.
    Done {
        image_id: String,
    },
    /// Refused or failed: the reason in plain words.
    Failed {
        reason: String,
    },
    Cancelled,
}

impl ImageState {
    /// Sent and not finished: it takes one of the parallel request slots.
    pub fn is_running(&self) -> bool {
        matches!(self, ImageState::Running { .. })
    }

    /// Queued or running: Cancel still means something.
    pub fn is_open(&self) -> bool {
        matches!(self, ImageState::Queued | ImageState::Running { .. })
    }
}

/// One image of a job: its seed and where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct JobImage {
    pub seed: u32,
    pub state: ImageState,
}

/// One press of Generate for one prompt: a snapshot of what was asked and
/// the state of each image.
#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    pub id: u32,
    pub prompt: String,
    pub aspect_ratio: String,
    pub images: Vec<JobImage>,
}

impl Job {
    /// A job whose images all wait to be sent.
    pub fn queued(id: u32, prompt: String, aspect_ratio: String, seeds: Vec<u32>) -> Job {
        Job {
            id,
            prompt,
            aspect_ratio,
            images: seeds
                .into_iter()
                .map(|seed| JobImage {
                    seed,
                    state: ImageState::Queued,
                })
                .collect(),
        }
    }

    pub fn is_open(&self) -> bool {
        self.images.iter().any(|i| i.state.is_open())
    }

    /// Every image ended and none was made: one alert says why, not one per image.
    pub fn all_failed(&self) -> bool {
        !self.is_open()
            && self
                .images
                .iter()
                .all(|i| matches!(i.state, ImageState::Failed { .. }))
    }

    /// What the job is doing, in a few words: "Queued", "Generating… 4 s ·
    /// processing at the provider", "2 of 4 done · generating… 3 s", "Retrying
    /// in 4 s — attempt 2 of 3", "Done", "Failed: …", "3 done, 1 failed",
    /// "Cancelled".
    pub fn status(&self, now_ms: f64) -> String {
        let t = crate::i18n::core();
        let count = |f: fn(&ImageState) -> bool| self.images.iter().filter(|i| f(&i.state)).count();
        let done = count(|s| matches!(s, ImageState::Done { .. }));
        let failed = count(|s| matches!(s, ImageState::Failed { .. }));
        let total = self.images.len();
        let running = self.images.iter().find_map(|i| match &i.state {
            ImageState::Running {
                started_ms,
                phase,
                retry,
            } => Some((*started_ms, *phase, *retry)),
            _ => None,
        });
        let progress = match running {
            Some((_, _, Some(wait))) => Some(wait.text()),
            Some((started_ms, phase, None)) => {
                let seconds = ((now_ms - started_ms) / 1000.0).max(0.0) as u32;
                Some(match phase {
                    None => t.studio_job_sending(&seconds),
                    Some(Phase::Accepted) => t.studio_job_generating(&seconds),
                    Some(Phase::Processing) => t.studio_job_processing(&seconds),
                    Some(Phase::Receiving) => t.studio_job_receiving(&seconds),
                })
            }
            None if self.is_open() => Some(t.studio_job_queued.to_owned()),
            None => None,
        };
        match progress {
            Some(progress) if total > 1 => t.studio_job_progress(&done, &total, &progress),
            Some(progress) => progress,
            None if done == total => t.studio_job_done.to_owned(),
            None if failed == total && total == 1 => {
                let reason = self.images.iter().find_map(|i| match &i.state {
                    ImageState::Failed { reason } => Some(reason.as_str()),
                    _ => None,
                });
                t.studio_job_failed(&reason.unwrap_or_default())
            }
            None if failed == total => t.studio_job_all_failed(&total),
            None if done + failed == 0 => t.studio_job_cancelled.to_owned(),
            None => {
                let mut parts = vec![t.studio_job_done_count(&done)];
                if failed > 0 {
                    parts.push(t.studio_job_failed_count(&failed));
                }
                let cancelled = total - done - failed;
                if cancelled > 0 {
                    parts.push(t.studio_job_cancelled_count(&cancelled));
                }
                parts.join(", ")
            }
        }
    }
}

/// The images to send now, as `(job index, image index)`: the oldest queued
/// first, until `parallel` requests are in flight across all jobs.
pub fn next_to_send(jobs: &[Job], parallel: u32) -> Vec<(usize, usize)> {
    let running = jobs
        .iter()
        .flat_map(|j| &j.images)
        .filter(|i| i.state.is_running())
        .count();
    let free = (parallel.max(1) as usize).saturating_sub(running);
    jobs.iter()
        .enumerate()
        .flat_map(|(j, job)| {
            job.images
                .iter()
                .enumerate()
                .filter(|(_, image)| image.state == ImageState::Queued)
                .map(move |(i, _)| (j, i))
        })
        .take(free)
        .collect()
}

/// The prompts one press makes jobs of: the whole prompt, or with `one_per_line`
/// each non-empty line. Trimmed; empty when there is nothing to generate.
pub fn prompts_from(text: &str, one_per_line: bool) -> Vec<String> {
    if one_per_line {
        text.lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect()
    } else {
        Some(text.trim())
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .into_iter()
            .collect()
    }
}

/// Seeds for a batch of `count`: s, s+1, … from a chosen seed, otherwise a
/// fresh random one for each image.
pub fn batch_seeds(first: Option<u32>, count: u32, mut random: impl FnMut() -> u32) -> Vec<u32> {
    (0..count.clamp(1, MAX_BATCH))
        .map(|i| match first {
            Some(seed) => seed.wrapping_add(i),
            None => random(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(states: Vec<ImageState>) -> Job {
        Job {
            id: 1,
            prompt: "p".into(),
            aspect_ratio: "1:1".into(),
            images: states
                .into_iter()
                .enumerate()
                .map(|(i, state)| JobImage {
                    seed: i as u32,
                    state,
                })
                .collect(),
        }
    }

    fn running(started_ms: f64, phase: Option<Phase>) -> ImageState {
        ImageState::Running {
            started_ms,
            phase,
            retry: None,
        }
    }

    fn done() -> ImageState {
        ImageState::Done {
            image_id: "x".into(),
        }
    }

    fn failed(reason: &str) -> ImageState {
        ImageState::Failed {
            reason: reason.into(),
        }
    }

    #[test]
    fn sends_the_oldest_queued_images_up_to_the_parallel_limit() {
        let jobs = vec![
            job(vec![done(), running(0.0, None), ImageState::Queued]),
            job(vec![
                ImageState::Queued,
                ImageState::Queued,
                ImageState::Queued,
            ]),
        ];
        assert_eq!(next_to_send(&jobs, 4), vec![(0, 2), (1, 0), (1, 1)]);
        assert_eq!(next_to_send(&jobs, 2), vec![(0, 2)]);
        assert_eq!(next_to_send(&jobs, 1), Vec::<(usize, usize)>::new());
        // Zero means one: a queue never stalls.
        let idle = vec![job(vec![ImageState::Queued])];
        assert_eq!(next_to_send(&idle, 0), vec![(0, 0)]);
        let full: Vec<Job> = (0..3).map(|_| job(vec![running(0.0, None); 3])).collect();
        assert!(next_to_send(&full, 8).is_empty());
    }

    #[test]
    fn a_list_of_prompts_is_one_job_per_non_empty_line() {
        let text = "  a fox \n\n\tan owl\r\n   \na heron";
        assert_eq!(prompts_from(text, true), ["a fox", "an owl", "a heron"]);
        assert_eq!(prompts_from(text, false), [text.trim()]);
        assert!(prompts_from(" \n \n", true).is_empty());
        assert!(prompts_from("   ", false).is_empty());
    }

    #[test]
    fn a_batch_counts_up_from_a_chosen_seed_or_draws_each_one() {
        assert_eq!(batch_seeds(Some(7), 3, || 0), [7, 8, 9]);
        assert_eq!(batch_seeds(Some(u32::MAX), 2, || 0), [u32::MAX, 0]);
        let mut next = 100;
        let drawn = batch_seeds(None, 4, || {
            next += 1;
            next
        });
        assert_eq!(drawn, [101, 102, 103, 104]);
        assert_eq!(batch_seeds(Some(1), 0, || 0).len(), 1);
        assert_eq!(batch_seeds(Some(1), 99, || 0).len(), MAX_BATCH as usize);
    }

    #[test]
    fn the_status_says_what_the_job_is_doing() {
        assert_eq!(job(vec![ImageState::Queued]).status(0.0), "Queued");
        assert_eq!(
            job(vec![running(1000.0, None)]).status(3500.0),
            "Sending\u{2026} 2 s"
        );
        assert_eq!(
            job(vec![running(0.0, Some(Phase::Processing))]).status(4000.0),
            "Generating\u{2026} 4 s \u{b7} processing at the provider"
        );
        let wait = RetryWait {
            seconds_left: 3,
            next_attempt: 2,
            max_attempts: 3,
        };
        let retrying = ImageState::Running {
            started_ms: 0.0,
            phase: None,
            retry: Some(wait),
        };
        assert_eq!(
            job(vec![retrying]).status(0.0),
            "Retrying in 3 s \u{2014} attempt 2 of 3"
        );
        assert_eq!(
            job(vec![
                done(),
                running(0.0, Some(Phase::Accepted)),
                ImageState::Queued
            ])
            .status(1000.0),
            "1 of 3 done \u{b7} Generating\u{2026} 1 s"
        );
        assert_eq!(job(vec![done(), done()]).status(0.0), "Done");
        assert_eq!(
            job(vec![failed("the key was refused")]).status(0.0),
            "Failed: the key was refused"
        );
        assert_eq!(
            job(vec![failed("a"), failed("b")]).status(0.0),
            "All 2 failed"
        );
        assert_eq!(
            job(vec![done(), failed("a"), ImageState::Cancelled]).status(0.0),
            "1 done, 1 failed, 1 cancelled"
        );
        assert_eq!(job(vec![ImageState::Cancelled]).status(0.0), "Cancelled");
    }

    #[test]
    fn only_a_batch_where_every_image_failed_counts_as_all_failed() {
        assert!(job(vec![failed("a"), failed("b")]).all_failed());
        assert!(!job(vec![failed("a"), done()]).all_failed());
        assert!(!job(vec![failed("a"), ImageState::Queued]).all_failed());
        assert!(!job(vec![ImageState::Cancelled]).all_failed());
        assert!(job(vec![running(0.0, None)]).is_open());
        assert!(!job(vec![done(), ImageState::Cancelled]).is_open());
    }
}
