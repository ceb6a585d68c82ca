//! What the API looks up on every request and rarely changes (the API key presented, the id
//! of the company named), remembered for a moment so that a client's burst of requests does
//! not ask the database each time. An entry is trusted briefly: a key revoked or a company
//! removed by another process is noticed within [`TRUST`]; through this store at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long a value found in the database is used without asking again.
pub(crate) const TRUST: Duration = Duration::from_secs(2);

/// Entries kept at most; past that the expired ones go, and if none has expired, all.
const CAPACITY: usize = 1024;

/// Values by a lookup's key (for API keys the key's digest, never the key itself).
#[derive(Debug, Clone)]
pub(crate) struct Recent<V>(Arc<Mutex<HashMap<String, (V, Instant)>>>);

impl<V> Default for Recent<V> {
    fn default() -> Self {
        Recent(Arc::new(Mutex::new(HashMap::new())))
    }
}

impl<V: Clone> Recent<V> {
    /// The value of `key`, when it was found less than [`TRUST`] ago.
    pub(crate) fn get(&self, key: &str, now: Instant) -> Option<V> {
        let entries = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(key)
            .filter(|(_, found)| now.duration_since(*found) < TRUST)
            .map(|(value, _)| value.clone())
    }

    /// Remembers that `key` had `value` at `found`.
    pub(crate) fn put(&self, key: String, value: V, found: Instant) {
        let mut entries = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= CAPACITY {
            entries.retain(|_, (_, at)| found.duration_since(*at) < TRUST);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(key, (value, found));
    }

    /// Forgets everything (something was revoked or removed).
    pub(crate) fn clear(&self) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_trusted_for_a_while_then_asked_again() {
        let recent = Recent::default();
        let start = Instant::now();
        recent.put("reports".into(), 7, start);
        assert_eq!(recent.get("reports", start), Some(7));
        assert_eq!(recent.get("other", start), None);
        assert_eq!(recent.get("reports", start + TRUST), None);
        recent.put("reports".into(), 7, start);
        recent.clear();
        assert_eq!(recent.get("reports", start), None);
    }

    #[test]
    fn it_stays_bounded() {
        let recent = Recent::default();
        let start = Instant::now();
        for i in 0..CAPACITY * 3 {
            recent.put(format!("k{i}"), i, start);
        }
        let len = recent
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        assert!(len <= CAPACITY, "{len}");
    }
}
