//! Personio's change notifications into the bridge (personio-api.md §3.11): registering the
//! service's endpoint with a company's Personio when the credential may write webhooks,
//! removing it on disconnect, and what each event asks the bridge to sync.
//!
//! Personio documents no signature for deliveries; their authenticity is the token it sends
//! back verbatim in `Authorization`. The bridge registers a random token per company and keeps
//! only its hash. Deliveries carry identifiers only ("dataless"), so an event is a reason to
//! run an incremental sync of its resource, never data to store as such.

use bridge_store::{Company, PersonioWebhook, Store};
use personio_api::v2::{Webhook, WebhookWrite, webhook_event as event};
use personio_client::Client;
use personio_client::endpoints::paths;

use crate::doctor::Report;
use crate::error::Error;
use crate::resources::ResourceName;

/// The events the bridge subscribes to: those of the resources a default sync reads.
pub const EVENTS: &[&str] = &[
    event::PERSON_CREATED,
    event::PERSON_UPDATED,
    event::PERSON_DELETED,
    event::EMPLOYMENT_CREATED,
    event::EMPLOYMENT_UPDATED,
    event::EMPLOYMENT_UPDATED_COST_CENTERS,
    event::EMPLOYMENT_DELETED,
    event::EMPLOYMENT_STARTED,
    event::EMPLOYMENT_TERMINATED,
    event::ABSENCE_PERIOD_CREATED,
    event::ABSENCE_PERIOD_UPDATED_STATUS,
    event::ABSENCE_PERIOD_UPDATED_TIMERANGE,
    event::ABSENCE_PERIOD_DELETED,
    event::ATTENDANCE_PERIOD_CREATED,
    event::ATTENDANCE_PERIOD_UPDATED,
    event::ATTENDANCE_PERIOD_DELETED,
];

/// The resources an event says changed; `None` for events that change nothing we store
/// (`ping`, or a name this version does not know).
pub fn resources_for(event_name: &str) -> Option<&'static [ResourceName]> {
    let family = event_name.split('.').next().unwrap_or_default();
    match family {
        "person" | "employment" => Some(&[ResourceName::Employees]),
        "absence-period" => Some(&[ResourceName::Absences]),
        "attendance-period" => Some(&[ResourceName::Attendances]),
        _ => None,
    }
}

/// The service's endpoint for `company`'s deliveries, under the service's public address.
pub fn endpoint(public_url: &url::Url, company: &str) -> String {
    format!(
        "{}/webhooks/personio/{company}",
        public_url.as_str().trim_end_matches('/')
    )
}

/// Whether the credential may register webhooks (the Webhooks area with write access).
pub fn may_register(report: &Report) -> bool {
    report
        .areas
        .iter()
        .any(|area| area.area == "Webhooks" && area.write)
}

/// Registers the service's endpoint for `company` with Personio (enabled, authenticated by a
/// new random token) and remembers it. An earlier registration of the company is replaced.
pub async fn register(
    store: &Store,
    client: &Client,
    company: &Company,
    public_url: &url::Url,
) -> Result<PersonioWebhook, Error> {
    if let Err(error) = unregister(store, client, company).await {
        tracing::warn!(company = %company.name, %error, "could not remove the earlier webhook");
    }
    let url = endpoint(public_url, &company.name);
    let token = bridge_store::random_token("pbw_", 40);
    let write = WebhookWrite {
        url: Some(url.clone()),
        description: Some(format!("Personio Bridge: {}", company.name)),
        status: Some("ENABLED".into()),
        auth_type: Some("TOKEN".into()),
        token: Some(token.clone()),
        custom_headers: None,
        enabled_events: Some(EVENTS.iter().map(|e| (*e).to_owned()).collect()),
    };
    let created: Webhook = match client.post_json(paths::WEBHOOKS, &write).await {
        Ok(created) => created,
        // A registration for this URL exists already (an earlier link whose record is
        // gone): Personio refuses a second one, so remove it and register again.
        Err(personio_client::Error::Api { status, .. }) if status.as_u16() == 409 => {
            remove_by_url(client, &url).await?;
            client.post_json(paths::WEBHOOKS, &write).await?
        }
        Err(error) => return Err(error.into()),
    };
    let events: Vec<String> = EVENTS.iter().map(|e| (*e).to_owned()).collect();
    Ok(store
        .save_personio_webhook(
            company.id,
            &created.id,
            &url,
            &token,
            &events,
            chrono::Utc::now(),
        )
        .await?)
}

/// Removes `company`'s registered webhook from Personio (a webhook Personio no longer has
/// counts as removed) and forgets it. `false` when none was registered.
pub async fn unregister(store: &Store, client: &Client, company: &Company) -> Result<bool, Error> {
    let Some(webhook) = store.personio_webhook(company.id).await? else {
        return Ok(false);
    };
    match client.delete(&paths::webhook(&webhook.webhook_id)).await {
        Ok(_) | Err(personio_client::Error::NotFound { .. }) => {}
        Err(error) => return Err(error.into()),
    }
    store.forget_personio_webhook(company.id).await?;
    Ok(true)
}

/// Deletes the webhooks registered for `url` (first page of the list: a company has few).
async fn remove_by_url(client: &Client, url: &str) -> Result<(), Error> {
    let listed: serde_json::Value = client
        .get(paths::WEBHOOKS, &[("limit", "100".to_owned())])
        .await?;
    let ids = listed
        .get("_data")
        .and_then(|data| data.as_array())
        .into_iter()
        .flatten()
        .filter(|hook| hook.get("url").and_then(|u| u.as_str()) == Some(url))
        .filter_map(|hook| hook.get("id").and_then(|id| id.as_str()));
    for id in ids {
        client.delete(&paths::webhook(id)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_map_to_the_resources_they_change() {
        assert_eq!(
            resources_for("person.updated"),
            Some(&[ResourceName::Employees][..])
        );
        assert_eq!(
            resources_for("employment.updated.cost-centers"),
            Some(&[ResourceName::Employees][..])
        );
        assert_eq!(
            resources_for("absence-period.updated.timerange"),
            Some(&[ResourceName::Absences][..])
        );
        assert_eq!(
            resources_for("attendance-period.deleted"),
            Some(&[ResourceName::Attendances][..])
        );
        assert_eq!(resources_for("ping"), None);
        assert_eq!(resources_for("document.created"), None);
        assert!(EVENTS.iter().all(|e| resources_for(e).is_some()));
    }

    #[test]
    fn the_endpoint_sits_under_the_public_address() {
        let base = url::Url::parse("https://bridge.example.com/").unwrap();
        assert_eq!(
            endpoint(&base, "acme"),
            "https://bridge.example.com/webhooks/personio/acme"
        );
    }
}
