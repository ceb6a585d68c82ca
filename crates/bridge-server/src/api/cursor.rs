//! Page cursors: the last key of a page, opaque to callers (base64url of `i:<n>` or
//! `t:<text>`), so that the next page starts right after it whatever changed meanwhile.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bridge_store::Key;
use bridge_store::tables::KeyType;

pub(crate) fn encode(key: &Key) -> String {
    let text = match key {
        Key::Int(n) => format!("i:{n}"),
        Key::Text(s) => format!("t:{s}"),
    };
    URL_SAFE_NO_PAD.encode(text)
}

/// The key a cursor holds, if it is one of ours for a table keyed by `kind`.
pub(crate) fn decode(cursor: &str, kind: KeyType) -> Option<Key> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    match (kind, text.split_once(':')?) {
        (KeyType::Int, ("i", n)) => n.parse().ok().map(Key::Int),
        (KeyType::Text, ("t", s)) => Some(Key::Text(s.to_owned())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_what_is_not_theirs() {
        for key in [Key::Int(42), Key::Text("a:b/c".into())] {
            let kind = match key {
                Key::Int(_) => KeyType::Int,
                Key::Text(_) => KeyType::Text,
            };
            assert_eq!(decode(&encode(&key), kind), Some(key));
        }
        assert_eq!(decode(&encode(&Key::Int(1)), KeyType::Text), None);
        assert_eq!(decode("not base64!", KeyType::Int), None);
        assert_eq!(decode(&URL_SAFE_NO_PAD.encode("i:x"), KeyType::Int), None);
    }
}
