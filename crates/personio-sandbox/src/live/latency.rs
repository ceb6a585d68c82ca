//! Response latency, so that what a client measures against the sandbox resembles what it
//! meets against Personio, whose answers take tens to hundreds of milliseconds.
//!
//! A latency is written as a spec: a fixed `200ms`, a range `50ms..400ms` (each request
//! draws its own wait, uniformly, from a generator seeded by the sandbox's seed or the
//! spec's, so runs repeat), and per-route overrides after it, comma-separated, as
//! `PATH_PREFIX=DELAY` (`200ms,/v1/company/employees=400ms..900ms`). The longest matching
//! prefix wins; a spec made of overrides only leaves other routes undelayed. Every Personio
//! route is delayed; our own `/_sandbox/` routes never are.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use parking_lot::Mutex;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use super::is_admin;
use crate::state::AppState;

/// Longest delay a spec may ask for: a minute.
const MAX_DELAY: Duration = Duration::from_secs(60);

/// One delay: a fixed wait, or a range each request draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delay {
    pub min: Duration,
    pub max: Duration,
}

/// A parsed latency spec.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Latency {
    /// The delay of every route no override names (none: undelayed).
    pub default: Option<Delay>,
    /// `(path prefix, delay)`, in the order given.
    pub routes: Vec<(String, Delay)>,
}

impl std::str::FromStr for Latency {
    type Err = String;

    fn from_str(text: &str) -> Result<Latency, String> {
        let mut latency = Latency::default();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part.split_once('=') {
                Some((prefix, delay)) => {
                    let prefix = prefix.trim();
                    if !prefix.starts_with('/') {
                        return Err(format!(
                            "a route override starts with a path, like /v2/persons=300ms (got {part:?})"
                        ));
                    }
                    latency.routes.push((prefix.to_owned(), delay.parse()?));
                }
                None if latency.default.is_some() => {
                    return Err(format!(
                        "{part:?}: only one delay without a route (the default) is allowed"
                    ));
                }
                None => latency.default = Some(part.parse()?),
            }
        }
        if latency.default.is_none() && latency.routes.is_empty() {
            return Err("an empty latency: give e.g. 200ms or 50ms..400ms".into());
        }
        Ok(latency)
    }
}

impl std::str::FromStr for Delay {
    type Err = String;

    fn from_str(text: &str) -> Result<Delay, String> {
        let one = |t: &str| -> Result<Duration, String> {
            let d = humantime::parse_duration(t.trim())
                .map_err(|e| format!("{t:?} is not a duration like 200ms: {e}"))?;
            if d > MAX_DELAY {
                return Err(format!("{t:?} is longer than the most allowed, 60s"));
            }
            Ok(d)
        };
        let (min, max) = match text.split_once("..") {
            Some((a, b)) => (one(a)?, one(b)?),
            None => {
                let d = one(text)?;
                (d, d)
            }
        };
        if min > max {
            return Err(format!(
                "{text:?}: a range goes from the shorter to the longer"
            ));
        }
        Ok(Delay { min, max })
    }
}

impl std::fmt::Display for Delay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |d: Duration| format!("{}ms", d.as_millis());
        if self.min == self.max {
            f.write_str(&ms(self.min))
        } else {
            write!(f, "{}..{}", ms(self.min), ms(self.max))
        }
    }
}

impl std::fmt::Display for Latency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts: Vec<String> = self.default.iter().map(Delay::to_string).collect();
        parts.extend(self.routes.iter().map(|(p, d)| format!("{p}={d}")));
        f.write_str(&parts.join(","))
    }
}

impl Latency {
    /// The delay for a path: the longest matching override, else the default.
    fn delay_for(&self, path: &str) -> Option<Delay> {
        self.routes
            .iter()
            .filter(|(prefix, _)| path.starts_with(prefix.as_str()))
            .max_by_key(|(prefix, _)| prefix.len())
            .map(|(_, d)| *d)
            .or(self.default)
    }
}

/// The latency in force, with its seeded generator.
pub(crate) struct Latencies {
    state: Mutex<Active>,
}

struct Active {
    latency: Latency,
    seed: u64,
    rng: ChaCha8Rng,
}

impl Latencies {
    pub(crate) fn new(latency: Latency, seed: u64) -> Latencies {
        Latencies {
            state: Mutex::new(Active {
                latency,
                seed,
                rng: ChaCha8Rng::seed_from_u64(seed),
            }),
        }
    }

    /// Replaces the latency; the draws start again from `seed`.
    pub(crate) fn set(&self, latency: Latency, seed: u64) {
        *self.state.lock() = Active {
            latency,
            seed,
            rng: ChaCha8Rng::seed_from_u64(seed),
        };
    }

    /// `{"spec": "200ms,/v1/company/employees=400ms", "seed": 1}` (`spec` null: none).
    pub(crate) fn snapshot(&self) -> Value {
        let state = self.state.lock();
        let spec = (state.latency != Latency::default()).then(|| state.latency.to_string());
        json!({ "spec": spec, "seed": state.seed })
    }

    /// How long the request on `path` waits before it is handled.
    fn draw(&self, path: &str) -> Duration {
        let mut state = self.state.lock();
        match state.latency.delay_for(path) {
            None => Duration::ZERO,
            Some(Delay { min, max }) if min == max => min,
            Some(Delay { min, max }) => {
                let span = (max - min).as_micros() as u64;
                min + Duration::from_micros(state.rng.random_range(0..=span))
            }
        }
    }
}

/// Middleware: waits the drawn latency, then handles the request. Admin routes go at once.
pub(crate) async fn delay(State(app): State<AppState>, request: Request, next: Next) -> Response {
    if !is_admin(request.uri().path()) {
        let wait = app.live.latency.draw(request.uri().path());
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn specs_read_fixed_ranges_and_overrides() {
        let fixed: Latency = "200ms".parse().unwrap();
        assert_eq!(
            fixed.delay_for("/v2/persons"),
            Some(Delay {
                min: 200 * MS,
                max: 200 * MS
            })
        );
        let spec: Latency = "50ms..400ms, /v1/company/employees=1s, /v1/company/employees/7=5ms"
            .parse()
            .unwrap();
        assert_eq!(spec.delay_for("/v2/persons").unwrap().max, 400 * MS);
        assert_eq!(
            spec.delay_for("/v1/company/employees").unwrap().min,
            1000 * MS
        );
        assert_eq!(
            spec.delay_for("/v1/company/employees/7").unwrap().min,
            5 * MS,
            "longest prefix"
        );
        assert_eq!(
            spec.to_string(),
            "50ms..400ms,/v1/company/employees=1000ms,/v1/company/employees/7=5ms"
        );
        let only: Latency = "/v2/attendance-periods=100ms".parse().unwrap();
        assert_eq!(
            only.delay_for("/v2/persons"),
            None,
            "overrides alone delay only their routes"
        );
    }

    #[test]
    fn bad_specs_say_why() {
        for bad in ["", "fast", "400ms..50ms", "200ms,300ms", "v2=1ms", "2h"] {
            assert!(bad.parse::<Latency>().is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn draws_repeat_with_the_seed_and_stay_in_range() {
        let spec: Latency = "50ms..400ms".parse().unwrap();
        let draws = |seed| {
            let l = Latencies::new(spec.clone(), seed);
            (0..50).map(|_| l.draw("/v2/persons")).collect::<Vec<_>>()
        };
        assert_eq!(draws(7), draws(7));
        assert_ne!(draws(7), draws(8));
        assert!(draws(7).iter().all(|d| (50 * MS..=400 * MS).contains(d)));
    }
}
