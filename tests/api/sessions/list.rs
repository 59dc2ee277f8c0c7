//! Logout, logout-all, the session list and deleting a session.

use authd::routes::TokenResponse;
use serde_json::{Value, json};

use crate::helpers::{
    Backend, PASSWORD, TestApp, assert_error, assert_invalid_grant, assert_invalid_token, spawn_app,
};

async fn logout_ends_the_session_and_twice_is_still_204(backend: Backend) {
    let app = spawn_app(backend).await;
    let tokens = app.signed_up("bye@example.com").await;
    assert_eq!(app.logout(&tokens.refresh_token).await.status(), 204);
    assert_eq!(app.logout(&tokens.refresh_token).await.status(), 204);
    assert_invalid_grant(app.refresh(&tokens.refresh_token).await, "session_revoked").await;
    assert_invalid_token(
        app.get("/v1/me", Some(&tokens.access_token)).await,
        "session_revoked",
    )
    .await;
    assert_invalid_token(
        app.get("/v1/auth/verify", Some(&tokens.access_token)).await,
        "session_revoked",
    )
    .await;
}

async fn logout_refuses_tokens_that_are_not_ours(backend: Backend) {
    let app = spawn_app(backend).await;
    let tokens = app.signed_up("notours@example.com").await;
    for token in ["garbage", "a.b.c", tokens.access_token.as_str()] {
        assert_error(app.logout(token).await, 401, "invalid_grant").await;
    }
    assert_error(
        app.post_json("/v1/auth/logout", &json!({})).await,
        400,
        "invalid_request",
    )
    .await;
    // None of that touched the real session.
    assert_eq!(app.refresh(&tokens.refresh_token).await.status(), 200);
}

async fn logout_all_ends_every_session_of_the_user_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app.signed_up("all@example.com").await;
    let second = app.logged_in("all@example.com").await;
    let bystander = app.signed_up("bystander@example.com").await;
    assert_invalid_token(
        app.post_bearer("/v1/auth/logout-all", "nope", None).await,
        "malformed",
    )
    .await;
    assert_eq!(
        app.post_bearer("/v1/auth/logout-all", &second.access_token, None)
            .await
            .status(),
        204
    );
    for tokens in [&first, &second] {
        assert_error(
            app.refresh(&tokens.refresh_token).await,
            401,
            "invalid_grant",
        )
        .await;
        assert_invalid_token(
            app.get("/v1/me", Some(&tokens.access_token)).await,
            "session_revoked",
        )
        .await;
    }
    assert_eq!(
        app.get("/v1/me", Some(&bystander.access_token))
            .await
            .status(),
        200
    );
    assert_eq!(app.refresh(&bystander.refresh_token).await.status(), 200);
    // Logging in again starts a fresh session.
    assert_eq!(app.login("all@example.com", PASSWORD).await.status(), 200);
}

async fn sessions_lists_the_callers_live_sessions(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app.signed_up("list@example.com").await;
    let response = app
        .client
        .post(app.url("/v1/auth/login"))
        .header("user-agent", "phone-app/1.0")
        .json(&json!({"email": "list@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let second: Value = response.json().await.unwrap();
    let ended = app.logged_in("list@example.com").await;
    app.logout(&ended.refresh_token).await;
    app.signed_up("someone-else@example.com").await;

    let response = app.get("/v1/sessions", Some(&first.access_token)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers().get("cache-control").unwrap(), "no-store");
    let list: Vec<Value> = response.json().await.unwrap();
    assert_eq!(
        list.len(),
        2,
        "only the two live sessions of this user: {list:?}"
    );
    let current: Vec<&Value> = list.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    let phone = list
        .iter()
        .find(|s| s["user_agent"] == "phone-app/1.0")
        .expect("the phone session is listed");
    assert_eq!(phone["current"], false);
    assert_eq!(phone["ip"], "127.0.0.1");
    for session in &list {
        for field in ["id", "created_at", "last_used_at"] {
            assert!(session[field].is_string(), "{field} in {session}");
        }
        assert!(
            session.get("generation").is_none() && session.get("user_id").is_none(),
            "{session}"
        );
    }
    let seen_by_phone: Vec<Value> = app
        .get("/v1/sessions", second["access_token"].as_str())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        seen_by_phone.iter().find(|s| s["current"] == true).unwrap()["id"],
        phone["id"]
    );
    assert_invalid_token(app.get("/v1/sessions", None).await, "missing").await;
}

/// A stranger can neither end the session at `path` nor learn that it exists, and ids that are not sessions
/// are the same 404.
async fn assert_nobody_else_can_end_it(
    app: &TestApp,
    path: &str,
    mine: &TokenResponse,
    stranger: &TokenResponse,
) {
    assert_error(
        app.delete(path, &stranger.access_token).await,
        404,
        "not_found",
    )
    .await;
    assert_error(
        app.delete("/v1/sessions/not-a-session", &mine.access_token)
            .await,
        404,
        "not_found",
    )
    .await;
    let unknown = format!("/v1/sessions/{}", uuid::Uuid::now_v7());
    assert_error(
        app.delete(&unknown, &mine.access_token).await,
        404,
        "not_found",
    )
    .await;
}

async fn deleting_a_session_ends_it_and_others_are_404(backend: Backend) {
    let app = spawn_app(backend).await;
    let mine = app.signed_up("owner@example.com").await;
    let other_device = app.logged_in("owner@example.com").await;
    let stranger = app.signed_up("stranger@example.com").await;
    let sessions: Vec<Value> = app
        .get("/v1/sessions", Some(&mine.access_token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(sessions.len(), 2);
    let other_id = sessions.iter().find(|s| s["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v1/sessions/{other_id}");

    assert_nobody_else_can_end_it(&app, &path, &mine, &stranger).await;
    assert_eq!(
        app.get("/v1/me", Some(&other_device.access_token))
            .await
            .status(),
        200
    );

    assert_eq!(app.delete(&path, &mine.access_token).await.status(), 204);
    assert_eq!(
        app.delete(&path, &mine.access_token).await.status(),
        204,
        "ending it twice is fine"
    );
    assert_invalid_token(
        app.get("/v1/me", Some(&other_device.access_token)).await,
        "session_revoked",
    )
    .await;
    assert_error(
        app.refresh(&other_device.refresh_token).await,
        401,
        "invalid_grant",
    )
    .await;
    let left: Vec<Value> = app
        .get("/v1/sessions", Some(&mine.access_token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["current"], true);
}

backend_tests!(
    logout_ends_the_session_and_twice_is_still_204,
    logout_refuses_tokens_that_are_not_ours,
    logout_all_ends_every_session_of_the_user_only,
    sessions_lists_the_callers_live_sessions,
    deleting_a_session_ends_it_and_others_are_404,
);
