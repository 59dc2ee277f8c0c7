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

backend_tests!(
    me_returns_the_callers_account,
    me_without_credentials_is_401_with_a_bare_challenge,
    two_users_see_their_own_accounts,
);
