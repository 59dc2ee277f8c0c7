//! Reads that many tests make the same way: the published keys and the caller's audit trail.

use serde_json::Value;

use super::app::TestApp;

/// `GET /.well-known/jwks.json`, as JSON.
pub async fn jwks(app: &TestApp) -> Value {
    let response = app.get("/.well-known/jwks.json", None).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// The caller's audit trail (`GET /v1/me/events`, newest first): kind, outcome and detail of each event.
pub async fn trail(app: &TestApp, access: &str) -> Vec<(String, String, Value)> {
    let response = app.get("/v1/me/events", Some(access)).await;
    assert_eq!(response.status(), 200);
    let events: Value = response.json().await.unwrap();
    events["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let (kind, outcome) = (e["kind"].as_str().unwrap(), e["outcome"].as_str().unwrap());
            (kind.to_owned(), outcome.to_owned(), e["detail"].clone())
        })
        .collect()
}

/// The detail `field` of each event of `kind` in the caller's trail, newest first.
pub async fn trail_details(app: &TestApp, access: &str, kind: &str, field: &str) -> Vec<Value> {
    let trail = trail(app, access).await.into_iter();
    let events = trail.filter(|(k, ..)| k == kind);
    events.map(|(_, _, detail)| detail[field].clone()).collect()
}

/// What each `account_change` event of the caller's trail changed, newest first.
pub async fn account_changes(app: &TestApp, access: &str) -> Vec<Value> {
    trail_details(app, access, "account_change", "change").await
}

/// Only the kinds of the caller's events, newest first.
pub async fn event_kinds(app: &TestApp, access: &str) -> Vec<String> {
    trail(app, access)
        .await
        .into_iter()
        .map(|(kind, ..)| kind)
        .collect()
}
