//! Scoped API keys and link sessions.

use bridge_store::{Grant, LinkAccess, LinkStatus, NewLinkSession, Scope};
use bridge_testkit::TestDb;
use chrono::Duration;
use secrecy::ExposeSecret;

use crate::{at, open, query_texts};

async fn keys_keep_their_scopes_and_companies(db: TestDb) {
    let store = open(&db).await;
    let (plain, _) = store
        .create_api_key("plain", &Grant::default(), at(1))
        .await
        .unwrap();
    assert_eq!(plain.scopes, [Scope::Read]);
    assert!(plain.companies.is_empty() && plain.reaches("anything"));
    assert!(plain.allows(Scope::Read) && !plain.allows(Scope::Link));
    let grant = Grant {
        scopes: vec![Scope::Link, Scope::Write],
        companies: vec!["acme".into(), "globex".into()],
    };
    let (_, secret) = store.create_api_key("vendor", &grant, at(1)).await.unwrap();
    let found = store
        .api_key_for(secret.expose_secret(), at(2))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.scopes, [Scope::Link, Scope::Write]);
    assert_eq!(found.companies, ["acme", "globex"]);
    assert!(found.reaches("globex") && !found.reaches("initech"));
    let admin = Grant {
        scopes: vec![Scope::Admin],
        companies: vec![],
    };
    let (admin, _) = store.create_api_key("root", &admin, at(1)).await.unwrap();
    assert!(Scope::ALL.iter().all(|s| admin.allows(*s)));
    let none = Grant {
        scopes: vec![],
        companies: vec![],
    };
    assert!(store.create_api_key("none", &none, at(1)).await.is_err());
}

fn new_session(lifetime: Duration) -> NewLinkSession {
    NewLinkSession {
        company: "acme".into(),
        base_url: "https://api.personio.de".into(),
        display_name: Some("ACME GmbH".into()),
        redirect_url: "https://vendor.example/done".into(),
        state: Some("s".into()),
        resources: vec!["employees".into(), "absences".into()],
        access: LinkAccess::Write,
        created_by: Some("vendor".into()),
        lifetime,
    }
}

async fn a_link_session_is_found_by_its_token_and_claimed_once(db: TestDb) {
    let store = open(&db).await;
    let (session, token) = store
        .create_link_session(new_session(Duration::minutes(60)), at(1))
        .await
        .unwrap();
    assert!(session.id.starts_with("ls_"));
    assert_eq!(session.status(at(1)), LinkStatus::Pending);
    assert_eq!(session.status(at(2)), LinkStatus::Expired);
    assert_eq!(
        store.link_token(&session.id),
        token,
        "the token can be given out again"
    );
    let found = store.link_session_by_token(&token).await.unwrap().unwrap();
    assert_eq!(found.id, session.id);
    assert_eq!(found.resources, ["employees", "absences"]);
    assert_eq!(found.access, LinkAccess::Write);
    assert!(
        store
            .link_session_by_token("forged")
            .await
            .unwrap()
            .is_none()
    );
    // Only a digest of the token is stored.
    let stored = query_texts(&db, "SELECT token_hash FROM link_sessions").await;
    assert!(stored.iter().all(|h| !h.contains(&token)));

    assert_eq!(store.link_session_refused(&session.id).await.unwrap(), 1);
    assert_eq!(store.link_session_refused(&session.id).await.unwrap(), 2);
    let now = at(1) + Duration::minutes(5);
    assert!(store.claim_link_session(&session.id, now).await.unwrap());
    assert!(
        !store.claim_link_session(&session.id, now).await.unwrap(),
        "once"
    );
    store.release_link_session(&session.id).await.unwrap();
    assert!(store.claim_link_session(&session.id, now).await.unwrap());
    let linked = store.link_session(&session.id).await.unwrap().unwrap();
    assert_eq!(linked.status(at(5)), LinkStatus::Linked);
    assert_eq!(linked.failed_attempts, 2);

    let (late, _) = store
        .create_link_session(new_session(Duration::minutes(1)), at(1))
        .await
        .unwrap();
    assert!(
        !store.claim_link_session(&late.id, at(2)).await.unwrap(),
        "expired"
    );
}

bridge_testkit::each_backend!(
    keys_keep_their_scopes_and_companies,
    a_link_session_is_found_by_its_token_and_claimed_once,
);
