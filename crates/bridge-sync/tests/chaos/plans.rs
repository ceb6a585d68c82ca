//! The fault plans a run puts on the sandbox: one per fault kind, and seeded random mixes.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

/// Longer than the client's request timeout in these runs, so the client gives up waiting.
pub const DELAY_BEYOND_TIMEOUT_MS: u64 = 2_500;

/// Every fault the sandbox can plan, as `PUT /_sandbox/faults` spells it.
pub fn fault_kinds() -> Vec<(&'static str, Value)> {
    vec![
        ("status 500", json!({"kind": "status", "status": 500})),
        ("status 502", json!({"kind": "status", "status": 502})),
        ("status 503", json!({"kind": "status", "status": 503})),
        ("status 504", json!({"kind": "status", "status": 504})),
        ("rate_limit", json!({"kind": "rate_limit"})),
        (
            "delay",
            json!({"kind": "delay", "ms": DELAY_BEYOND_TIMEOUT_MS}),
        ),
        ("reset", json!({"kind": "reset"})),
        ("truncate", json!({"kind": "truncate"})),
        ("invalid_json", json!({"kind": "invalid_json"})),
    ]
}

/// A run's plan and a name for the report.
pub struct Scenario {
    pub name: String,
    pub plan: Value,
}

/// One fault kind on every third request to Personio (every eighth for delays, which cost a
/// timeout each), auth included.
pub fn single_kind(name: &str, fault: Value) -> Scenario {
    let every = if fault["kind"] == "delay" { 8 } else { 3 };
    Scenario {
        name: format!("{name} on one request in {every}"),
        plan: json!({"rules": [{"path_prefix": "/", "every": every, "fault": fault}]}),
    }
}

/// One to four rules drawn from `seed`: a random fault kind on a random API family (or all
/// of them), each hitting requests with a random probability.
pub fn random_mix(seed: u64) -> Scenario {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let kinds = fault_kinds();
    let prefixes = ["/", "/v1", "/v2", "/v1/company", "/v2/persons", "/v1/auth"];
    let rules: Vec<Value> = (0..rng.random_range(1..=4))
        .map(|i| {
            let (_, fault) = &kinds[rng.random_range(0..kinds.len())];
            let most = if fault["kind"] == "delay" { 0.08 } else { 0.3 };
            json!({
                "path_prefix": prefixes[rng.random_range(0..prefixes.len())],
                "probability": (rng.random_range(0.02..most) * 100.0_f64).round() / 100.0,
                "seed": seed.wrapping_mul(31).wrapping_add(i),
                "fault": fault,
            })
        })
        .collect();
    Scenario {
        name: format!("random mix, seed {seed}"),
        plan: json!({ "rules": rules }),
    }
}

/// Every fault kind on v2 persons and their employments, each on about one request in 20.
pub fn persons_under_every_fault() -> Scenario {
    let rules: Vec<Value> = fault_kinds()
        .into_iter()
        .enumerate()
        .map(|(i, (_, fault))| {
            json!({
                "path_prefix": "/v2/persons",
                "probability": 0.05,
                "seed": 1000 + i as u64,
                "fault": fault,
            })
        })
        .collect();
    Scenario {
        name: "every fault kind on /v2/persons".into(),
        plan: json!({ "rules": rules }),
    }
}
