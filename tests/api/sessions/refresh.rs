//! Refresh rotation, reuse detection and the reuse interval.

use std::collections::BTreeMap;

use futures::future::join_all;
use serde_json::Value;

use crate::helpers::{
    Backend, assert_error, assert_invalid_grant, assert_invalid_token, spawn_app, spawn_app_with,
    status_counts,
};

async fn refresh_rotates_the_pair(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app.signed_up("rotate@example.com").await;
    let response = app.refresh(&first.refresh_token).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers().get("cache-control").unwrap(), "no-store");
    assert_eq!(response.headers().get("pragma").unwrap(), "no-cache");
    let second: Value = response.json().await.unwrap();
    assert_eq!(second["token_type"], "Bearer");
    assert_eq!(second["user"]["id"], first.user.id.as_str());
    assert_ne!(second["refresh_token"], first.refresh_token.as_str());
    assert_ne!(second["access_token"], first.access_token.as_str());
    assert_eq!(
        app.get("/v1/me", second["access_token"].as_str())
            .await
            .status(),
        200
    );
    // The new refresh token rotates again.
    let third = app.refresh(second["refresh_token"].as_str().unwrap()).await;
    assert_eq!(third.status(), 200);
}

async fn reuse_of_a_rotated_token_revokes_the_whole_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app.signed_up("reuse@example.com").await;
    let second: Value = app
        .refresh(&first.refresh_token)
        .await
        .json()
        .await
        .unwrap();
    assert_invalid_grant(app.refresh(&first.refresh_token).await, "reuse_detected").await;
    // The newest refresh token is dead too, and so is the session's access token.
    assert_invalid_grant(
        app.refresh(second["refresh_token"].as_str().unwrap()).await,
        "session_revoked",
    )
    .await;
    assert_invalid_token(
        app.get("/v1/me", second["access_token"].as_str()).await,
        "session_revoked",
    )
    .await;
    // Another session of the same user is untouched.
    let other = app.logged_in("reuse@example.com").await;
    assert_eq!(app.refresh(&other.refresh_token).await.status(), 200);
}

async fn twenty_concurrent_refreshes_of_one_token_give_one_pair(backend: Backend) {
    let app = spawn_app(backend).await;
    let tokens = app.signed_up("herd@example.com").await;
    let attempts = (0..20).map(|_| app.refresh(&tokens.refresh_token));
    let counts = status_counts(attempts).await;
    assert_eq!(counts, BTreeMap::from([(200, 1), (401, 19)]));
}

async fn a_replay_inside_the_reuse_interval_gets_the_same_pair(backend: Backend) {
    let app = spawn_app_with(backend, &[("AUTHD_REFRESH_REUSE_INTERVAL", "30")]).await;
    let first = app.signed_up("tabs@example.com").await;
    let winner = app
        .refresh(&first.refresh_token)
        .await
        .bytes()
        .await
        .unwrap();
    let replay = app.refresh(&first.refresh_token).await;
    assert_eq!(replay.status(), 200);
    assert_eq!(
        replay.bytes().await.unwrap(),
        winner,
        "the replay must return the very same response"
    );
    let pair: Value = serde_json::from_slice(&winner).unwrap();
    // Concurrent replays all get that pair too, never a second live one.
    let replays = join_all((0..10).map(|_| app.refresh(&first.refresh_token))).await;
    for response in replays {
        assert_eq!(response.status(), 200);
        assert_eq!(response.bytes().await.unwrap(), winner);
    }
    // The pair still works and rotates normally.
    assert_eq!(
        app.get("/v1/me", pair["access_token"].as_str())
            .await
            .status(),
        200
    );
    assert_eq!(
        app.refresh(pair["refresh_token"].as_str().unwrap())
            .await
            .status(),
        200
    );
    // Two generations back is theft even inside the interval.
    assert_invalid_grant(app.refresh(&first.refresh_token).await, "reuse_detected").await;
}

async fn a_replay_outside_the_reuse_interval_revokes(backend: Backend) {
    let app = spawn_app_with(backend, &[("AUTHD_REFRESH_REUSE_INTERVAL", "1")]).await;
    let first = app.signed_up("late@example.com").await;
    let second: Value = app
        .refresh(&first.refresh_token)
        .await
        .json()
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_invalid_grant(app.refresh(&first.refresh_token).await, "reuse_detected").await;
    assert_invalid_grant(
        app.refresh(second["refresh_token"].as_str().unwrap()).await,
        "session_revoked",
    )
    .await;
}

async fn an_access_token_is_not_a_grant_and_forgeries_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let tokens = app.signed_up("grant@example.com").await;
    assert_invalid_grant(app.refresh(&tokens.access_token).await, "wrong_type").await;
    for (token, reason) in [
        ("", "malformed"),
        ("garbage", "malformed"),
        ("a.b.c", "malformed"),
    ] {
        assert_invalid_grant(app.refresh(token).await, reason).await;
    }
    let parts: Vec<&str> = tokens.refresh_token.split('.').collect();
    let tampered = format!("{}.{}.{}", parts[0], parts[1].replace('e', "f"), parts[2]);
    // Either the signature fails or the mangled payload no longer parses: both are refusals.
    let body = assert_error(app.refresh(&tampered).await, 401, "invalid_grant").await;
    assert!(
        ["bad_signature", "malformed"].contains(&body["reason"].as_str().unwrap()),
        "{body}"
    );
    // The real token still works after all that.
    assert_eq!(app.refresh(&tokens.refresh_token).await.status(), 200);
}

async fn an_idle_session_expires(backend: Backend) {
    let app = spawn_app_with(backend, &[("AUTHD_SESSION_IDLE", "1")]).await;
    let tokens = app.signed_up("idle@example.com").await;
    assert_eq!(tokens.refresh_expires_in, 1);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_invalid_grant(app.refresh(&tokens.refresh_token).await, "expired").await;
}

async fn rotation_does_not_extend_the_absolute_lifetime(backend: Backend) {
    let app = spawn_app_with(backend, &[("AUTHD_SESSION_MAX_AGE", "3")]).await;
    let tokens = app.signed_up("absolute@example.com").await;
    assert!(tokens.refresh_expires_in <= 3);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let second: Value = app
        .refresh(&tokens.refresh_token)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        second["refresh_expires_in"].as_i64().unwrap() <= 2,
        "{second}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(3000)).await;
    assert_invalid_grant(
        app.refresh(second["refresh_token"].as_str().unwrap()).await,
        "expired",
    )
    .await;
}

async fn an_expired_access_token_is_refused_and_a_refresh_recovers(backend: Backend) {
    let settings = [("AUTHD_ACCESS_TTL", "1"), ("AUTHD_CLOCK_LEEWAY", "0")];
    let app = spawn_app_with(backend, &settings).await;
    let tokens = app.signed_up("short@example.com").await;
    assert_eq!(tokens.expires_in, 1);
    // Used while valid, so it sits in the cache of verified tokens: expiry must still be checked on a hit.
    assert_eq!(
        app.get("/v1/auth/verify", Some(&tokens.access_token))
            .await
            .status(),
        200
    );
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    for path in ["/v1/me", "/v1/auth/verify"] {
        assert_invalid_token(app.get(path, Some(&tokens.access_token)).await, "expired").await;
    }
    let fresh: Value = app
        .refresh(&tokens.refresh_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        app.get("/v1/me", fresh["access_token"].as_str())
            .await
            .status(),
        200
    );
}

backend_tests!(
    refresh_rotates_the_pair,
    reuse_of_a_rotated_token_revokes_the_whole_session,
    twenty_concurrent_refreshes_of_one_token_give_one_pair,
    a_replay_inside_the_reuse_interval_gets_the_same_pair,
    a_replay_outside_the_reuse_interval_revokes,
    an_access_token_is_not_a_grant_and_forgeries_are_refused,
    an_idle_session_expires,
    rotation_does_not_extend_the_absolute_lifetime,
    an_expired_access_token_is_refused_and_a_refresh_recovers,
);
