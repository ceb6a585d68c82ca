//! Kill moments, drawn from what an uninterrupted sync of the same phase measured.

use std::time::Duration;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// What an uninterrupted sync made: requests answered, store events logged (of each kind,
/// as [`STORE_EVENTS`] lists them), and its length.
pub struct Measure {
    pub requests: u64,
    pub events: [u64; 2],
    pub duration: Duration,
}

/// The log lines that mark a stored batch and a finished listing.
pub const STORE_EVENTS: [&str; 2] = ["batch stored", "listing finished"];

/// When to kill a sync.
#[derive(Debug, Clone, Copy)]
pub enum Moment {
    /// Once the sandbox has answered `after` of its requests, and `pause` more.
    Requests { after: u64, pause: Duration },
    /// Right after the `count`th store event of kind `event` (an index of
    /// [`STORE_EVENTS`]), and `pause` more.
    Event {
        event: usize,
        count: u64,
        pause: Duration,
    },
    /// This long after it started.
    Time(Duration),
}

/// Which kinds of moments a run draws from (`CRASH_MOMENTS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moments {
    Mixed,
    Requests,
    Events,
    Time,
}

impl Moments {
    pub fn from_env() -> Moments {
        match std::env::var("CRASH_MOMENTS").as_deref() {
            Err(_) | Ok("mixed") => Moments::Mixed,
            Ok("requests") => Moments::Requests,
            Ok("events") => Moments::Events,
            Ok("time") => Moments::Time,
            Ok(other) => panic!("CRASH_MOMENTS={other}: expected mixed, requests, events or time"),
        }
    }

    /// A seeded moment anywhere in a sync like the measured one, its very end included.
    pub fn draw(self, rng: &mut ChaCha8Rng, measure: &Measure) -> Moment {
        let kind = match self {
            Moments::Mixed => {
                [Moments::Requests, Moments::Events, Moments::Time][rng.random_range(0..3)]
            }
            kind => kind,
        };
        match kind {
            Moments::Requests => Moment::Requests {
                after: rng.random_range(1..=measure.requests.max(1)),
                pause: Duration::from_millis(rng.random_range(0..30)),
            },
            // The ends of listings are few but are where follow-up work is lost: as likely
            // as all the batches together.
            Moments::Events => {
                let event = rng.random_range(0..STORE_EVENTS.len());
                Moment::Event {
                    event,
                    count: rng.random_range(1..=measure.events[event].max(1)),
                    pause: Duration::from_micros(rng.random_range(0..3_000)),
                }
            }
            // Up to a tenth past the measured end: a sync that ends sooner is not killed.
            _ => Moment::Time(measure.duration.mul_f64(rng.random_range(0.0..1.1))),
        }
    }
}
