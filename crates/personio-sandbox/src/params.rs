//! Query strings as Personio reads them: repeated keys (`id=1&id=2`), comma lists
//! (`id=1,2`), and v1's `key[]=` arrays. Parsing never fails; handlers validate values and
//! answer in their own envelope.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// The decoded `key=value` pairs of a query string, in order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    pub(crate) fn parse(query: &str) -> Params {
        Params(serde_urlencoded::from_str(query).unwrap_or_default())
    }

    /// The first value of `key`.
    pub(crate) fn one(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `key`, repeated keys and comma lists alike, trimmed, empty ones dropped.
    pub(crate) fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// Every value of `key`, without comma splitting (for `attributes[]=a&attributes[]=b`).
    pub(crate) fn repeated(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub(crate) fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    /// The pairs whose key is not in `keys`.
    pub(crate) fn without(&self, keys: &[&str]) -> Vec<(String, String)> {
        self.0
            .iter()
            .filter(|(k, _)| !keys.contains(&k.as_str()))
            .cloned()
            .collect()
    }

    pub(crate) fn from_pairs(pairs: Vec<(String, String)>) -> Params {
        Params(pairs)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Params::parse(parts.uri.query().unwrap_or("")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_repeated_keys_comma_lists_and_arrays() {
        let p = Params::parse("id=1,2&id=3&attributes%5B%5D=first_name&attributes[]=email&x=");
        assert_eq!(p.all("id"), ["1", "2", "3"]);
        assert_eq!(p.repeated("attributes[]"), ["first_name", "email"]);
        assert!(p.all("x").is_empty());
        assert_eq!(p.one("missing"), None);
    }
}
