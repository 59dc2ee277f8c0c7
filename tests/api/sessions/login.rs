use serde_json::Value;

use crate::helpers::{Backend, PASSWORD, assert_error, spawn_app, spawn_app_with};

async fn login_returns_200_with_a_new_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let signup = app.signed_up("login@example.com").await;
    let response = app.login("LOGIN@example.com ", PASSWORD).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers().get("cache-control").unwrap(), "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["user"]["id"], signup.user.id.as_str());
    assert_ne!(body["refresh_token"], signup.refresh_token.as_str());
    let me = app.get("/v1/me", body["access_token"].as_str()).await;
    assert_eq!(me.status(), 200);
}

async fn unknown_email_and_wrong_password_look_the_same(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signed_up("known@example.com").await;
    let wrong_password = app
        .login("known@example.com", "not the password at all")
        .await;
    let unknown_email = app.login("unknown@example.com", PASSWORD).await;
    let (a_status, b_status) = (wrong_password.status(), unknown_email.status());
    let a = wrong_password.bytes().await.unwrap();
    let b = unknown_email.bytes().await.unwrap();
    assert_eq!((a_status.as_u16(), b_status.as_u16()), (401, 401));
    assert_eq!(a, b, "the bodies must not tell the two apart");
    let body: Value = serde_json::from_slice(&a).unwrap();
    assert_eq!(body["error"], "invalid_credentials");
}

async fn malformed_or_oversized_credentials_are_401_not_500(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signed_up("edge@example.com").await;
    assert_error(
        app.login("not-an-email", PASSWORD).await,
        401,
        "invalid_credentials",
    )
    .await;
    assert_error(
        app.login("edge@example.com", "").await,
        401,
        "invalid_credentials",
    )
    .await;
    let huge = "x".repeat(10_000);
    assert_error(
        app.login("edge@example.com", &huge).await,
        401,
        "invalid_credentials",
    )
    .await;
    assert_error(
        app.login("edge@example.com", "nul\u{0}byte").await,
        401,
        "invalid_credentials",
    )
    .await;
}

async fn a_hash_with_old_parameters_is_upgraded_on_login(backend: Backend) {
    let mut app = spawn_app_with(backend, &[("AUTHD_ARGON2_MEMORY_KIB", "32")]).await;
    app.signed_up("upgrade@example.com").await;
    let url = authd::config::DatabaseUrl::parse(&app.vars["AUTHD_DATABASE_URL"]).unwrap();
    // Read the hash straight from the database the server uses.
    let stored_hash = || async {
        let url = url.clone();
        actix_web::web::block(move || {
            let mut conn = authd::db::connect(&url).unwrap();
            authd::db::users::find_by_email(&mut conn, "upgrade@example.com")
                .unwrap()
                .unwrap()
                .password_hash
        })
        .await
        .unwrap()
    };
    assert!(stored_hash().await.contains("m=32,"));
    app.vars
        .insert("AUTHD_ARGON2_MEMORY_KIB".into(), "64".into());
    app.restart().await;
    assert_eq!(
        app.login("upgrade@example.com", PASSWORD).await.status(),
        200
    );
    assert!(stored_hash().await.contains("m=64,"));
    assert_eq!(
        app.login("upgrade@example.com", PASSWORD).await.status(),
        200
    );
}

backend_tests!(
    login_returns_200_with_a_new_session,
    unknown_email_and_wrong_password_look_the_same,
    malformed_or_oversized_credentials_are_401_not_500,
    a_hash_with_old_parameters_is_upgraded_on_login,
);
