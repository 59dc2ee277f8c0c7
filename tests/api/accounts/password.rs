//! POST /v1/me/password

use serde_json::json;

use crate::helpers::{Backend, PASSWORD, assert_error, assert_invalid_token, spawn_app};

const NEW_PASSWORD: &str = "another long and unguessable phrase";

async fn changing_the_password_keeps_this_session_and_ends_the_others(backend: Backend) {
    let app = spawn_app(backend).await;
    let current = app.signed_up("change@example.com").await;
    let other = app.logged_in("change@example.com").await;
    let body = json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD});
    let response = app
        .post_bearer("/v1/me/password", &current.access_token, Some(&body))
        .await;
    assert_eq!(response.status(), 204);

    assert_eq!(
        app.get("/v1/me", Some(&current.access_token))
            .await
            .status(),
        200
    );
    assert_eq!(app.refresh(&current.refresh_token).await.status(), 200);
    assert_invalid_token(
        app.get("/v1/me", Some(&other.access_token)).await,
        "session_revoked",
    )
    .await;
    assert_error(
        app.refresh(&other.refresh_token).await,
        401,
        "invalid_grant",
    )
    .await;

    assert_error(
        app.login("change@example.com", PASSWORD).await,
        401,
        "invalid_credentials",
    )
    .await;
    assert_eq!(
        app.login("change@example.com", NEW_PASSWORD).await.status(),
        200
    );
}

async fn a_wrong_current_password_or_a_weak_new_one_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let tokens = app.signed_up("guard@example.com").await;
    let other = app.logged_in("guard@example.com").await;
    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let wrong = change("not my password", NEW_PASSWORD);
    let response = app
        .post_bearer("/v1/me/password", &tokens.access_token, Some(&wrong))
        .await;
    assert_error(response, 403, "invalid_credentials").await;
    let weak = change(PASSWORD, "password1");
    let response = app
        .post_bearer("/v1/me/password", &tokens.access_token, Some(&weak))
        .await;
    assert_error(response, 422, "weak_password").await;
    let missing = json!({"new_password": NEW_PASSWORD});
    let response = app
        .post_bearer("/v1/me/password", &tokens.access_token, Some(&missing))
        .await;
    assert_error(response, 400, "invalid_request").await;
    let response = app
        .post_bearer(
            "/v1/me/password",
            &tokens.refresh_token,
            Some(&change(PASSWORD, NEW_PASSWORD)),
        )
        .await;
    assert_invalid_token(response, "wrong_type").await;

    assert_eq!(app.login("guard@example.com", PASSWORD).await.status(), 200);
    assert_eq!(
        app.get("/v1/me", Some(&other.access_token)).await.status(),
        200
    );
}

backend_tests!(
    changing_the_password_keeps_this_session_and_ends_the_others,
    a_wrong_current_password_or_a_weak_new_one_changes_nothing,
);
