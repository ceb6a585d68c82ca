//! The sandbox's clock: real time from a starting point, plus whatever simulation added.
//! Timestamps are whole seconds, as Personio renders them, so a client comparing the
//! values it read with `updated_since` filters never trips over hidden fractions.

use std::time::Instant;

use chrono::{DateTime, Duration, DurationRound, Utc};
use parking_lot::Mutex;

pub(crate) struct Clock {
    started: Instant,
    start: DateTime<Utc>,
    skipped: Mutex<Duration>,
}

impl Clock {
    /// A clock that reads `start` now and runs in real time from there.
    pub(crate) fn starting_at(start: DateTime<Utc>) -> Clock {
        Clock {
            started: Instant::now(),
            start,
            skipped: Mutex::new(Duration::zero()),
        }
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        let elapsed = Duration::from_std(self.started.elapsed()).unwrap_or(Duration::zero());
        let now = self.start + elapsed + *self.skipped.lock();
        now.duration_trunc(Duration::seconds(1)).unwrap_or(now)
    }

    /// Jumps ahead, as simulated days pass.
    pub(crate) fn advance(&self, by: Duration) {
        *self.skipped.lock() += by;
    }
}
