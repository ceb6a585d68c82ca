//! Personio's OpenAPI 3.0 documents as JSON Schema: read (JSON or YAML), corrected by the
//! named exceptions, and with OpenAPI's `nullable` turned into a JSON Schema type.
//!
//! OpenAPI 3.0 schema objects are close to JSON Schema draft 4: `$ref` siblings are ignored
//! by both, `example`, `readOnly` and `discriminator` are annotations. Only `nullable` needs
//! translating: `{"type": "string", "nullable": true}` becomes `{"type": ["string", "null"]}`.

use std::path::Path;

use serde_json::{Map, Value};

use super::SchemaError;

/// Reads one document; YAML when its name says so, JSON otherwise.
pub(super) fn read(path: &Path) -> Result<Value, SchemaError> {
    let text = std::fs::read_to_string(path).map_err(|source| SchemaError::Read {
        path: path.to_owned(),
        source,
    })?;
    let yaml = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    );
    let parsed = if yaml {
        serde_yaml_ng::from_str::<Value>(&text).map_err(|e| e.to_string())
    } else {
        serde_json::from_str::<Value>(&text).map_err(|e| e.to_string())
    };
    parsed.map_err(|message| SchemaError::Parse {
        path: path.to_owned(),
        message,
    })
}

/// The document as JSON Schema, everywhere in it: `nullable: true` → a `null` type (or
/// `anyOf` with `null` where there is no plain type), and `$ref`s made valid URI references.
pub(super) fn translate(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for child in map.values_mut() {
                translate(child);
            }
            if let Some(Value::String(reference)) = map.get_mut("$ref") {
                *reference = fragment_safe(reference);
            }
            if map.remove("nullable") == Some(Value::Bool(true)) {
                make_nullable(map);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(translate),
        _ => {}
    }
}

fn make_nullable(map: &mut Map<String, Value>) {
    if let Some(Value::String(kind)) = map.get("type") {
        let kind = kind.clone();
        map.insert("type".into(), Value::from(vec![kind, "null".to_owned()]));
        // An enum lists the values allowed, so `null` must be one of them too.
        if let Some(Value::Array(values)) = map.get_mut("enum")
            && !values.contains(&Value::Null)
        {
            values.push(Value::Null);
        }
        return;
    }
    let inner = Value::Object(std::mem::take(map));
    map.insert(
        "anyOf".into(),
        Value::from(vec![inner, serde_json::json!({ "type": "null" })]),
    );
}

/// The path of a document's `servers[0].url` (`/v1` for the v1 documents, empty for v2),
/// which the paths of its operations are relative to.
pub(super) fn base_path(document: &Value) -> String {
    let url = document
        .pointer("/servers/0/url")
        .and_then(Value::as_str)
        .unwrap_or("");
    let without_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    match without_scheme.find('/') {
        Some(slash) => without_scheme[slash..].trim_end_matches('/').to_owned(),
        None => String::new(),
    }
}

/// Braces are not allowed in a URI fragment, and Personio's `$ref`s into `paths` have them
/// (`~1{person_id}~1`).
pub(super) fn fragment_safe(reference: &str) -> String {
    reference.replace('{', "%7B").replace('}', "%7D")
}

/// One JSON pointer token, escaped (RFC 6901).
pub(super) fn pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn nullable_adds_null_and_refs_lose_their_braces() {
        let mut schema = json!({"properties": {
            "a": {"type": "string", "nullable": true, "enum": ["x"]},
            "b": {"$ref": "#/paths/~1a~1{id}", "nullable": true},
            "c": {"type": "string", "nullable": false}
        }});
        translate(&mut schema);
        assert_eq!(
            schema,
            json!({"properties": {
                "a": {"type": ["string", "null"], "enum": ["x", null]},
                "b": {"anyOf": [{"$ref": "#/paths/~1a~1%7Bid%7D"}, {"type": "null"}]},
                "c": {"type": "string"}
            }})
        );
    }

    #[test]
    fn the_base_path_comes_from_the_first_server() {
        assert_eq!(
            base_path(&json!({"servers": [{"url": "https://api.personio.de/v1"}]})),
            "/v1"
        );
        assert_eq!(
            base_path(&json!({"servers": [{"url": "https://api.personio.de"}]})),
            ""
        );
        assert_eq!(base_path(&json!({})), "");
    }
}
