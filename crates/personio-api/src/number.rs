//! Numbers as Personio writes them: whole values without a fraction (`100`, not `100.0`).
//! Typed clients often declare such fields as integers and reject `100.0`.
//! Use with `#[serde(serialize_with = "crate::number::compact")]` (or `compact_option`).

use serde::Serializer;

/// A float, written as an integer when it has no fraction.
pub fn compact<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        serializer.serialize_i64(*value as i64)
    } else {
        serializer.serialize_f64(*value)
    }
}

/// [`compact`] for optional fields.
pub fn compact_option<S: Serializer>(
    value: &Option<f64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => compact(v, serializer),
        None => serializer.serialize_none(),
    }
}

/// [`compact`] for fields that may be absent or `null` (see [`crate::presence`]).
pub fn compact_presence<S: Serializer>(
    value: &Option<Option<f64>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(Some(v)) => compact(v, serializer),
        _ => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    #[derive(serde::Serialize)]
    struct Share {
        #[serde(serialize_with = "super::compact")]
        percentage: f64,
    }

    #[test]
    fn whole_numbers_lose_their_fraction_and_others_keep_it() {
        assert_eq!(
            serde_json::to_string(&Share { percentage: 100.0 }).unwrap(),
            r#"{"percentage":100}"#
        );
        assert_eq!(
            serde_json::to_string(&Share { percentage: 37.5 }).unwrap(),
            r#"{"percentage":37.5}"#
        );
    }
}
