//! JSON bodies into types, naming the JSON path of any mismatch (`_data[3].first_name`).

use serde::de::DeserializeOwned;

use crate::error::Error;

/// Decodes `text` as `T`; on failure returns the JSON path of the problem and serde's error.
pub(crate) fn decode_str<T: DeserializeOwned>(
    text: &str,
) -> Result<T, (String, serde_json::Error)> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(split)?;
    // Trailing garbage after the value is an error too.
    deserializer.end().map_err(|e| (String::new(), e))?;
    Ok(value)
}

/// Decodes a whole body from `path` as `T`.
pub(crate) fn decode_body<T: DeserializeOwned>(path: &str, body: &[u8]) -> Result<T, Error> {
    let text = std::str::from_utf8(body).map_err(|_| Error::Decode {
        path: path.to_owned(),
        at: String::new(),
        source: serde::de::Error::custom("the body is not UTF-8"),
    })?;
    decode_str(text).map_err(|(at, source)| Error::Decode {
        path: path.to_owned(),
        at,
        source,
    })
}

fn split(error: serde_path_to_error::Error<serde_json::Error>) -> (String, serde_json::Error) {
    let at = error.path().to_string();
    // The crate writes the root as "."; we leave the root unnamed.
    let at = if at == "." { String::new() } else { at };
    (at, error.into_inner())
}

/// `prefix` and a path inside it: `_data[3]` + `first_name` → `_data[3].first_name`.
pub(crate) fn join_path(prefix: &str, inner: &str) -> String {
    match (prefix.is_empty(), inner.is_empty()) {
        (_, true) => prefix.to_owned(),
        (true, false) => inner.to_owned(),
        (false, false) if inner.starts_with('[') => format!("{prefix}{inner}"),
        (false, false) => format!("{prefix}.{inner}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Person {
        id: u64,
        names: Vec<String>,
    }

    #[test]
    fn mismatches_name_their_json_path() {
        let (at, _) = decode_str::<Person>(r#"{"id": 1, "names": ["a", 2]}"#).unwrap_err();
        assert_eq!(at, "names[1]");
        let (at, _) = decode_str::<Person>(r#"{"id": "1", "names": []}"#).unwrap_err();
        assert_eq!(at, "id");
        let (at, _) = decode_str::<Person>("[]").unwrap_err();
        assert_eq!(at, "");
        assert!(decode_str::<Person>(r#"{"id": 1, "names": []} x"#).is_err());
    }

    #[test]
    fn paths_join_with_dots_except_before_indexes() {
        assert_eq!(join_path("_data[3]", "first_name"), "_data[3].first_name");
        assert_eq!(join_path("_data[3]", ""), "_data[3]");
        assert_eq!(join_path("", "id"), "id");
        assert_eq!(join_path("data", "[2]"), "data[2]");
    }
}
