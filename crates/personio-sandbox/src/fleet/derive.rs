//! A fleet's per-company values, computed from the seed and the company's index so that a
//! tool can know them without asking (and `GET /_sandbox/companies` can list them).

use sha2::{Digest, Sha256};

/// Fleet company ids start above the generator's range (10,000 to 99,999), so each
/// company of a fleet has its own.
const COMPANY_ID_BASE: i64 = 100_000;

/// The Personio company id of company `index` (from 1).
pub fn fleet_company_id(index: usize) -> i64 {
    COMPANY_ID_BASE + index as i64
}

/// The company index behind a fleet company id, when it is one of the fleet's `count`.
pub(super) fn index_of_company_id(company_id: i64, count: usize) -> Option<usize> {
    let index = usize::try_from(company_id.checked_sub(COMPANY_ID_BASE)?).ok()?;
    (1..=count).contains(&index).then_some(index)
}

/// The client id of company `index`'s credential.
pub fn fleet_client_id(index: usize) -> String {
    format!("demo-{index}")
}

/// The company index a `demo-{i}` client id names, when it is one of the fleet's `count`.
pub(super) fn index_of_client_id(client_id: &str, count: usize) -> Option<usize> {
    parse_index(client_id.strip_prefix("demo-")?, count)
}

/// The secret of company `index`'s credential, for the fleet seeded with `seed`.
pub fn fleet_client_secret(seed: u64, index: usize) -> String {
    format!("papi-{}", digest("client secret", seed, index, 40))
}

/// Company `index`'s recruiting API token.
pub(super) fn recruiting_token(seed: u64, index: usize) -> String {
    digest("recruiting token", seed, index, 32)
}

/// A company index written in decimal digits only, within 1..=count.
pub(super) fn parse_index(text: &str, count: usize) -> Option<usize> {
    if text.is_empty() || text.len() > 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let index: usize = text.parse().ok()?;
    (1..=count).contains(&index).then_some(index)
}

fn digest(purpose: &str, seed: u64, index: usize, len: usize) -> String {
    let hash = Sha256::digest(format!("personio-sandbox fleet {purpose} {seed} {index}"));
    let mut hex = String::with_capacity(64);
    for byte in hash {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex.truncate(len);
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_the_same_for_the_same_seed_and_index_only() {
        assert_eq!(fleet_client_secret(7, 3), fleet_client_secret(7, 3));
        assert_ne!(fleet_client_secret(7, 3), fleet_client_secret(7, 4));
        assert_ne!(fleet_client_secret(7, 3), fleet_client_secret(8, 3));
        assert_ne!(recruiting_token(7, 3), recruiting_token(7, 4));
        assert!(fleet_client_secret(1, 1).starts_with("papi-"));
    }

    #[test]
    fn indexes_parse_back_only_within_the_fleet() {
        assert_eq!(index_of_client_id("demo-12", 20), Some(12));
        assert_eq!(index_of_client_id("demo-21", 20), None);
        assert_eq!(index_of_client_id("demo-0", 20), None);
        assert_eq!(index_of_client_id("demo-+1", 20), None);
        assert_eq!(index_of_client_id("papi-x", 20), None);
        assert_eq!(index_of_company_id(fleet_company_id(20), 20), Some(20));
        assert_eq!(index_of_company_id(fleet_company_id(21), 20), None);
        assert_eq!(index_of_company_id(42_000, 20), None);
    }
}
