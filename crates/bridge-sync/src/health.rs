//! Connection health: what a sync or the doctor learnt about whether Personio still accepts
//! a company's credential, recorded in the store (which writes the `connection.*` events).
//!
//! Broken: Personio refused the credential (401 at authentication), or an access area that
//! the company's configured resources need, and that the credential had when it was linked,
//! is now refused (403). An area the credential never had is a gap the doctor reports at
//! link time, not a break. Linked again: a relink with new credentials (the store does
//! that), or a sync of every configured resource that succeeds.

use bridge_store::{Company, Outcome, Store};
use chrono::Utc;

use crate::doctor::Report;
use crate::error::Error;
use crate::resources::ResourceName;
use crate::summary::Summary;

/// The resources a company's scheduled syncs read: its settings' (names this version does
/// not know are left out), or the default set.
pub fn configured_resources(company: &Company) -> Vec<ResourceName> {
    let named: Vec<ResourceName> = company
        .settings
        .resources
        .iter()
        .filter_map(|name| name.parse().ok())
        .collect();
    if named.is_empty() {
        ResourceName::DEFAULT.to_vec()
    } else {
        named
    }
}

/// Why a sync's result means the credential is refused, if it does.
pub fn refusal(company: &Company, result: &Result<Summary, Error>) -> Option<String> {
    match result {
        Err(Error::Personio(error @ personio_client::Error::BadCredentials { .. })) => {
            Some(error.to_string())
        }
        Err(_) => None,
        Ok(summary) => {
            let configured = configured_resources(company);
            let mut areas: Vec<&'static str> = summary
                .resources
                .iter()
                .filter(|(_, resource)| resource.skipped.is_some())
                .filter_map(|(name, _)| name.parse::<ResourceName>().ok())
                .filter(|name| configured.contains(name))
                .map(ResourceName::area)
                .filter(|area| had_area(company, area))
                .collect();
            areas.sort_unstable();
            areas.dedup();
            (!areas.is_empty()).then(|| refused_areas(&areas))
        }
    }
}

fn refused_areas(areas: &[&str]) -> String {
    format!(
        "Personio now refuses the credential access to {} (in Personio: {} > this integration > tick \"Read\" for it)",
        areas.join(", "),
        crate::doctor::CREDENTIALS_PATH
    )
}

/// Whether the credential could read `area` when it was linked (or last checked). Unknown
/// (no report stored) counts as yes: a refusal is then news.
fn had_area(company: &Company, area: &str) -> bool {
    company
        .granted
        .get("areas")
        .and_then(|a| a.as_array())
        .and_then(|areas| areas.iter().find(|a| a["area"] == area))
        .is_none_or(|a| a["read"] != false)
}

/// Records what a finished sync of `company` says about its connection. `covered` are the
/// resources the run read. Failing to record is logged, not returned: the sync's own
/// result matters more.
pub async fn after_sync(
    store: &Store,
    company: &Company,
    covered: &[ResourceName],
    result: &Result<Summary, Error>,
) {
    let recorded = match refusal(company, result) {
        Some(reason) => store
            .mark_connection_broken(company.id, &reason, Utc::now())
            .await
            .map(|changed| {
                if changed {
                    tracing::warn!(company = %company.name, %reason, "connection broken");
                }
            }),
        None => {
            let everything = configured_resources(company)
                .iter()
                .all(|r| covered.contains(r));
            let succeeded = matches!(result, Ok(s) if s.outcome == Outcome::Succeeded);
            // Only a broken company has anything to record (no write on every sync).
            if everything && succeeded && company.connection.is_broken() {
                store
                    .mark_connection_linked(company.id, Utc::now())
                    .await
                    .map(|_| ())
            } else {
                Ok(())
            }
        }
    };
    if let Err(error) = recorded {
        tracing::warn!(company = %company.name, %error, "could not record the connection's health");
    }
}

/// Records what the doctor found: a refused credential, or an area the configured resources
/// need that the stored report (`company.granted`, from before) had and `report` lacks.
pub async fn after_doctor(
    store: &Store,
    company: &Company,
    result: &Result<Report, Error>,
) -> Result<(), Error> {
    let reason = match result {
        Err(Error::Personio(error @ personio_client::Error::BadCredentials { .. })) => {
            Some(error.to_string())
        }
        Err(_) => None,
        Ok(report) => {
            let configured = configured_resources(company);
            let mut areas: Vec<&str> = report
                .areas
                .iter()
                .filter(|a| !a.read && had_area(company, a.area))
                .filter(|a| configured.iter().any(|r| r.area() == a.area))
                .map(|a| a.area)
                .collect();
            areas.dedup();
            (!areas.is_empty()).then(|| refused_areas(&areas))
        }
    };
    if let Some(reason) = reason {
        store
            .mark_connection_broken(company.id, &reason, Utc::now())
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use bridge_store::{CompanyId, CompanySettings, Connection, ConnectionStatus};
    use chrono::TimeZone;

    use super::*;
    use crate::summary::ResourceSummary;

    fn company(granted: serde_json::Value, resources: &[&str]) -> Company {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        Company {
            id: CompanyId(1),
            name: "acme".into(),
            base_url: "http://127.0.0.1:1".into(),
            client_id: "id".into(),
            recruiting_company_id: None,
            has_recruiting_token: false,
            filters: Default::default(),
            granted,
            sync_interval_minutes: None,
            connected: true,
            connection: Connection {
                status: ConnectionStatus::Linked,
                reason: None,
                since: at,
            },
            settings: CompanySettings {
                resources: resources.iter().map(|r| (*r).to_owned()).collect(),
                ..Default::default()
            },
            full_reconciled_at: None,
            created_at: at,
            updated_at: at,
        }
    }

    fn skipped(names: &[&'static str]) -> Result<Summary, Error> {
        let mut summary = Summary::default();
        for name in names {
            summary.resources.insert(
                name,
                ResourceSummary {
                    skipped: Some("no access".into()),
                    ..Default::default()
                },
            );
        }
        Ok(summary)
    }

    #[test]
    fn an_area_taken_away_breaks_the_connection_and_a_gap_known_at_link_does_not() {
        let granted = serde_json::json!({"areas": [
            {"area": "Attendances", "read": true},
            {"area": "Absences", "read": false},
            {"area": "Projects", "read": true},
        ]});
        let acme = company(granted, &[]);
        let reason = refusal(&acme, &skipped(&["attendances"])).expect("taken away");
        assert!(reason.contains("Attendances"), "{reason}");
        assert_eq!(
            refusal(&acme, &skipped(&["absences"])),
            None,
            "never had it"
        );
        assert_eq!(
            refusal(&acme, &skipped(&["projects"])),
            None,
            "not among the configured resources"
        );
        let with_projects = company(acme.granted.clone(), &["employees", "projects"]);
        assert!(refusal(&with_projects, &skipped(&["projects"])).is_some());
        let refused = Err(Error::Personio(personio_client::Error::BadCredentials {
            detail: "revoked".into(),
        }));
        assert!(refusal(&acme, &refused).unwrap().contains("revoked"));
        let other = Err(Error::Personio(personio_client::Error::Timeout {
            attempts: 3,
        }));
        assert_eq!(refusal(&acme, &other), None, "not a refusal");
    }
}
