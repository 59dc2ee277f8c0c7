use authd::config::DatabaseUrl;
use authd::db::schema::users;
use diesel::prelude::*;
use serde_json::Value;

use crate::helpers::{Backend, assert_invalid_token, spawn_app};

async fn me_returns_the_callers_account(backend: Backend) {
    let app = spawn_app(backend).await;
    let tokens = app.signed_up("me@example.com").await;
    let response = app.get("/v1/me", Some(&tokens.access_token)).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["id"], tokens.user.id.as_str());
    assert_eq!(body["email"], "me@example.com");
    assert_eq!(body["created_at"], tokens.user.created_at.as_str());
    assert_eq!(body["mfa_enabled"], false);
    assert_eq!(body["email_verified"], false);
    assert_eq!(
        body.as_object().unwrap().len(),
        5,
        "only id, email, created_at, email_verified and mfa_enabled: {body}"
    );
}

async fn me_without_credentials_is_401_with_a_bare_challenge(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_invalid_token(app.get("/v1/me", None).await, "missing").await;
    let basic = app
        .client
        .get(app.url("/v1/me"))
        .header("authorization", "Basic dXNlcjpwYXNz");
    assert_invalid_token(basic.send().await.unwrap(), "missing").await;
    let empty = app
        .client
        .get(app.url("/v1/me"))
        .header("authorization", "Bearer ");
    assert_invalid_token(empty.send().await.unwrap(), "malformed").await;
}

async fn two_users_see_their_own_accounts(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = app.signed_up("a@example.com").await;
    let b = app.signed_up("b@example.com").await;
    let seen_by_a: Value = app
        .get("/v1/me", Some(&a.access_token))
        .await
        .json()
        .await
        .unwrap();
    let seen_by_b: Value = app
        .get("/v1/me", Some(&b.access_token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen_by_a["email"], "a@example.com");
    assert_eq!(seen_by_b["email"], "b@example.com");
}

// The account row is gone (deleted where this instance's revocation set has not seen it yet) while the token
// still verifies: the caller's row step (`auth::CallerAccount`) answers 401 session_revoked, never a 404 or 500.
async fn me_for_an_account_gone_under_a_valid_token_is_401_session_revoked(backend: Backend) {
    let app = spawn_app(backend).await;
    let tokens = app.signed_up("gone@example.com").await;
    let url = DatabaseUrl::parse(&app.vars["AUTHD_DATABASE_URL"]).unwrap();
    let mut conn = authd::db::connect(&url).unwrap();
    let marked = diesel::update(users::table.find(&tokens.user.id))
        .set(users::deleted_at.eq(users::created_at.nullable()))
        .execute(&mut conn)
        .unwrap();
    assert_eq!(marked, 1);
    let response = app.get("/v1/me", Some(&tokens.access_token)).await;
    assert_invalid_token(response, "session_revoked").await;
}

backend_tests!(
    me_for_an_account_gone_under_a_valid_token_is_401_session_revoked,
    me_returns_the_callers_account,
    me_without_credentials_is_401_with_a_bare_challenge,
    two_users_see_their_own_accounts,
);
