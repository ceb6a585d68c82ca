//! Hostile mutations of documented JSON bodies, for property tests: one node replaced by
//! something a careless or malicious server could send (wrong types, huge strings, deep
//! nesting, numbers out of range), a field dropped, bytes that are not UTF-8, a body cut short.

use proptest::prelude::*;
use serde_json::Value;

/// Stands in for the mutated node until the body is text (deep nesting and out-of-range
/// numbers cannot be built as a `serde_json::Value`).
const MARK: &str = "\u{1}hostile\u{1}";

#[derive(Debug, Clone)]
pub enum Mutation {
    /// The node becomes this JSON text.
    Replace(String),
    /// The node's key is dropped (or the element, in an array).
    Remove,
    /// A byte that is not UTF-8 goes into the body at this fraction of its length.
    NotUtf8(u8),
    /// The body ends early.
    Cut(u8),
}

pub fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("[]".to_owned()),
        Just("{}".to_owned()),
        Just("\"\"".to_owned()),
        Just("-1".to_owned()),
        Just("1e400".to_owned()),
        Just("-1e400".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("-99999999999999999999999999".to_owned()),
        Just("0.000000000000000000000000001".to_owned()),
        Just("\"2025-13-45T99:99:99Z\"".to_owned()),
        (1usize..4).prop_map(|mb| format!("\"{}\"", "x".repeat(mb << 20))),
        (1usize..50_000).prop_map(|depth| format!("{}{}", "[".repeat(depth), "]".repeat(depth))),
        (1usize..20_000).prop_map(|depth| format!(
            "{}1{}",
            "{\"a\":".repeat(depth),
            "}".repeat(depth)
        )),
        "\\PC{0,40}".prop_map(|s| serde_json::to_string(&s).expect("a string serializes")),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|x| serde_json::to_string(&x).unwrap_or_else(|_| "0".into())),
    ]
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => hostile_text().prop_map(Mutation::Replace),
        2 => Just(Mutation::Remove),
        1 => any::<u8>().prop_map(Mutation::NotUtf8),
        1 => any::<u8>().prop_map(Mutation::Cut),
    ]
}

/// JSON pointers of every node below the root.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    let children: Vec<(String, &Value)> = match value {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.replace('~', "~0").replace('/', "~1"), v))
            .collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        _ => Vec::new(),
    };
    for (key, child) in children {
        let pointer = format!("{at}/{key}");
        out.push(pointer.clone());
        pointers(child, pointer, out);
    }
}

/// The fixture with one node mutated, as bytes.
pub fn mutate(original: &[u8], node: usize, mutation: &Mutation) -> Vec<u8> {
    let Ok(mut value) = serde_json::from_slice::<Value>(original) else {
        return original.to_vec();
    };
    let mut all = Vec::new();
    pointers(&value, String::new(), &mut all);
    let Some(pointer) = all.get(node % all.len().max(1)) else {
        return original.to_vec();
    };
    let fraction = |at: u8, len: usize| len * usize::from(at) / 256;
    match mutation {
        Mutation::Replace(text) => {
            *value
                .pointer_mut(pointer)
                .expect("the pointer was read from this value") = Value::String(MARK.into());
            let marked = serde_json::to_string(&value).expect("a value serializes");
            let mark = serde_json::to_string(MARK).expect("a string serializes");
            marked.replacen(&mark, text, 1).into_bytes()
        }
        Mutation::Remove => {
            let (parent, key) = pointer.rsplit_once('/').expect("pointers start with /");
            match value.pointer_mut(parent).expect("a node's parent exists") {
                Value::Object(map) => {
                    map.shift_remove(&key.replace("~1", "/").replace("~0", "~"));
                }
                Value::Array(items) => {
                    if let Ok(index) = key.parse::<usize>() {
                        items.remove(index);
                    }
                }
                _ => unreachable!("a parent holds children"),
            }
            serde_json::to_vec(&value).expect("a value serializes")
        }
        Mutation::NotUtf8(at) => {
            let mut bytes = original.to_vec();
            let at = fraction(*at, bytes.len());
            bytes.splice(at..at, [0xff, 0xc3, 0x28]);
            bytes
        }
        Mutation::Cut(at) => original[..fraction(*at, original.len())].to_vec(),
    }
}
