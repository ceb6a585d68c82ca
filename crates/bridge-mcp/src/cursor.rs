//! Opaque cursors: where a list goes on, as base64url JSON naming the tool it belongs to,
//! so that a cursor of one tool given to another is refused rather than misread.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Longest cursor accepted (ours are well under it).
const MAX_CURSOR: usize = 512;

pub(crate) fn encode(tool: &str, position: impl Serialize) -> String {
    let body = json!({ "t": tool, "p": position });
    URL_SAFE_NO_PAD.encode(body.to_string())
}

/// The position in `cursor`, when it is one of `tool`'s.
pub(crate) fn decode<T: DeserializeOwned>(tool: &str, cursor: &str) -> Result<T, String> {
    let invalid = || {
        format!(
            "the cursor is not one this tool gave ({tool}); leave it out to start from the beginning"
        )
    };
    if cursor.len() > MAX_CURSOR {
        return Err(invalid());
    }
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if value.get("t").and_then(Value::as_str) != Some(tool) {
        return Err(invalid());
    }
    serde_json::from_value(value.get("p").cloned().unwrap_or(Value::Null)).map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_only_for_its_tool() {
        let cursor = encode("find_people", 42i64);
        assert_eq!(decode::<i64>("find_people", &cursor), Ok(42));
        assert!(decode::<i64>("projects", &cursor).is_err());
        assert!(decode::<i64>("find_people", "not a cursor").is_err());
        assert!(decode::<i64>("find_people", &"A".repeat(5000)).is_err());
    }
}
