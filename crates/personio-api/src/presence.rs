//! Fields that can be absent, `null`, or set.
//!
//! Personio leaves a field out when the credential may not read it, and sends `null` when it
//! may read it but the value is empty (personio-api.md §3.3–3.4). `Option<Option<T>>` keeps
//! the three states apart: `None` = absent, `Some(None)` = null, `Some(Some(v))` = value.
//! Use with `#[serde(default, skip_serializing_if = "Option::is_none", with = "presence")]`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Serializes the inner option (`null` or the value); the outer `None` is skipped by the field attribute.
pub fn serialize<T: Serialize, S: Serializer>(
    value: &Option<Option<T>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(inner) => inner.serialize(serializer),
        None => serializer.serialize_none(),
    }
}

/// A present field becomes `Some(..)`; an absent one takes the `default` (`None`).
pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}
