//! Two authd processes on one database: nothing about sessions or revocation may live in only one of them.

use std::time::{Duration, Instant};

use crate::helpers::{
    AuthdProcess, Backend, assert_invalid_grant, assert_invalid_token, authd, spawn_app,
    spawn_app_with,
};

/// Waits until `instance` refuses the access token, and returns how long that took.
async fn time_until_refused(instance: &AuthdProcess, access_token: &str) -> Duration {
    let started = Instant::now();
    while instance.get("/v1/me", Some(access_token)).await.status() == 200 {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "still accepted after 5 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    started.elapsed()
}

async fn rotation_reuse_and_revocation_cross_instances(backend: Backend) {
    // The in-process server creates the database, runs migrations and writes the keys both instances share.
    let app = spawn_app(backend).await;
    app.signed_up("multi@example.com").await;
    let a = authd(&app.vars).serve().await;
    let b = authd(&app.vars).serve().await;

    // Log in on A, refresh on B, replay the old token on A: the session is revoked on both.
    let first = a.logged_in("multi@example.com").await;
    let response = b.refresh(&first.refresh_token).await;
    assert_eq!(response.status(), 200);
    let second: authd::routes::TokenResponse = response.json().await.unwrap();
    assert_invalid_grant(a.refresh(&first.refresh_token).await, "reuse_detected").await;
    for instance in [&a, &b] {
        assert_invalid_grant(
            instance.refresh(&second.refresh_token).await,
            "session_revoked",
        )
        .await;
    }
    let waited = time_until_refused(&b, &second.access_token).await;
    assert!(
        waited < Duration::from_secs(2),
        "B took {waited:?} to refuse a session revoked on A"
    );

    // Revoke on B; A refuses that session's access token within 2 s, without a database round trip per request.
    let third = a.logged_in("multi@example.com").await;
    assert_eq!(
        a.get("/v1/me", Some(&third.access_token)).await.status(),
        200
    );
    assert_eq!(b.logout(&third.refresh_token).await.status(), 204);
    let waited = time_until_refused(&a, &third.access_token).await;
    assert!(
        waited < Duration::from_secs(2),
        "A took {waited:?} to refuse a session revoked on B"
    );
    assert_eq!(
        a.get("/v1/me", Some(&third.access_token)).await.status(),
        401
    );
}

/// An operator disables an account through one instance's admin API: every instance refuses its access tokens
/// within 2 s (this one at once), without a database round trip per request.
async fn a_disabled_account_is_refused_by_every_instance_within_2_s(backend: Backend) {
    let app = spawn_app_with(backend, &[("AUTHD_ADMIN_BIND", "127.0.0.1:0")]).await;
    let user = app.signed_up("off@example.com").await;
    let other = authd(&app.vars).serve().await;
    let elsewhere = other.logged_in("off@example.com").await;
    assert_eq!(
        other
            .get("/v1/me", Some(&elsewhere.access_token))
            .await
            .status(),
        200
    );
    let key = app.admin_key("ops", false);
    let url = app.admin_url(&format!("/admin/v1/users/{}/disable", user.user.id));
    let response = app.client.post(url).bearer_auth(&key).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_invalid_token(
        app.get("/v1/me", Some(&user.access_token)).await,
        "session_revoked",
    )
    .await;
    let waited = time_until_refused(&other, &elsewhere.access_token).await;
    assert!(
        waited < Duration::from_secs(2),
        "the other instance took {waited:?}"
    );
}

backend_tests!(
    rotation_reuse_and_revocation_cross_instances,
    a_disabled_account_is_refused_by_every_instance_within_2_s,
);
