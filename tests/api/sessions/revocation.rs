//! The published revocation list and the access-token refusal that it drives.

use serde_json::Value;

use crate::helpers::{Backend, assert_error, spawn_app};

async fn revocations_lists_revoked_sessions_since_a_cursor(backend: Backend) {
    let app = spawn_app(backend).await;
    let empty = app.get("/v1/revocations", None).await;
    assert_eq!(empty.status(), 200);
    assert_eq!(
        empty.headers().get("cache-control").unwrap(),
        "public, max-age=1"
    );
    let empty: Value = empty.json().await.unwrap();
    assert_eq!(empty["revoked"], serde_json::json!([]));

    let tokens = app.signed_up("listed@example.com").await;
    let sid = app.session_id(&tokens.access_token).await;
    app.logout(&tokens.refresh_token).await;
    let listed: Value = app.get("/v1/revocations", None).await.json().await.unwrap();
    let entries = listed["revoked"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["sid"], sid.as_str());
    // The cursor trails the present a little, so a revocation seen late by this instance is not skipped.
    let cursor = listed["next_cursor"].as_i64().unwrap();
    let now = chrono::Utc::now().timestamp();
    assert!(
        cursor <= entries[0]["revoked_at"].as_i64().unwrap() && cursor >= now - 60,
        "{listed}"
    );
    let later_cursor = now + 100;
    let later: Value = app
        .get(&format!("/v1/revocations?since={later_cursor}"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(later["revoked"], serde_json::json!([]));
    assert_eq!(
        later["next_cursor"], later_cursor,
        "a cursor never moves backwards"
    );
    let again: Value = app
        .get(&format!("/v1/revocations?since={cursor}"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        again["revoked"][0]["sid"],
        sid.as_str(),
        "repeating the cursor lists it again"
    );

    assert_error(
        app.get("/v1/revocations?since=yesterday", None).await,
        400,
        "invalid_request",
    )
    .await;
}

backend_tests!(revocations_lists_revoked_sessions_since_a_cursor);
