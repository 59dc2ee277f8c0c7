//! What browsers rely on: the opt-in refresh-token cookie with its CSRF defence (CORS: `cors.rs`).

use reqwest::header::{HeaderMap, SET_COOKIE};
use serde_json::{Value, json};

use crate::helpers::{
    Backend, PASSWORD, TestApp, assert_error, assert_invalid_grant, spawn_app_with,
};

const SPA: &str = "http://spa.test:5173";

async fn app(backend: Backend) -> TestApp {
    let app = spawn_app_with(backend, &[("AUTHD_CORS_ORIGINS", SPA)]).await;
    app.signed_up("browser@example.com").await;
    app
}

/// The `authd_refresh` cookie set by a response: (value, attributes).
fn refresh_cookie(headers: &HeaderMap) -> (String, String) {
    let cookie = headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("authd_refresh="))
        .expect("an authd_refresh cookie is set");
    let (pair, attributes) = cookie.split_once(';').unwrap_or((&cookie, ""));
    (
        pair.trim_start_matches("authd_refresh=").to_owned(),
        attributes.to_owned(),
    )
}

async fn cookie_login(app: &TestApp) -> String {
    let body =
        json!({"email": "browser@example.com", "password": PASSWORD, "token_delivery": "cookie"});
    let response = app.post_json("/v1/auth/login", &body).await;
    assert_eq!(response.status(), 200);
    let (value, attributes) = refresh_cookie(response.headers());
    for attribute in [
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/v1/auth",
        "Max-Age=",
    ] {
        assert!(
            attributes.contains(attribute),
            "{attribute} missing from {attributes}"
        );
    }
    let body: Value = response.json().await.unwrap();
    assert!(
        body.get("refresh_token").is_none(),
        "page scripts must not see it: {body}"
    );
    assert!(body["access_token"].is_string() && body["refresh_expires_in"].is_i64());
    value
}

/// A refresh or logout the way the SPA sends it: the cookie, its Origin, and the CSRF header.
fn cookie_request(
    app: &TestApp,
    path: &str,
    cookie: &str,
    origin: Option<&str>,
    csrf: bool,
) -> reqwest::RequestBuilder {
    let mut request = app
        .client
        .post(app.url(path))
        .header("cookie", format!("authd_refresh={cookie}"))
        .json(&json!({}));
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    if csrf {
        request = request.header("x-authd-csrf", "1");
    }
    request
}

async fn cookie_mode_refreshes_and_logs_out_with_the_cookie(backend: Backend) {
    let app = app(backend).await;
    let cookie = cookie_login(&app).await;
    let response = cookie_request(&app, "/v1/auth/refresh", &cookie, Some(SPA), true)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["access-control-allow-origin"], SPA);
    assert_eq!(
        response.headers()["access-control-allow-credentials"],
        "true"
    );
    let (rotated, _) = refresh_cookie(response.headers());
    assert_ne!(rotated, cookie);
    let body: Value = response.json().await.unwrap();
    assert!(body.get("refresh_token").is_none());
    assert_eq!(
        app.get("/v1/me", body["access_token"].as_str())
            .await
            .status(),
        200
    );

    // The old cookie is a rotated token: replaying it revokes the session, as in bearer mode.
    let replay = cookie_request(&app, "/v1/auth/refresh", &cookie, Some(SPA), true)
        .send()
        .await
        .unwrap();
    assert_invalid_grant(replay, "reuse_detected").await;

    let fresh = cookie_login(&app).await;
    let response = cookie_request(&app, "/v1/auth/logout", &fresh, Some(SPA), true)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let (value, attributes) = refresh_cookie(response.headers());
    assert!(
        value.is_empty() && attributes.contains("Max-Age=0"),
        "the cookie is removed: {attributes}"
    );
    let after = cookie_request(&app, "/v1/auth/refresh", &fresh, Some(SPA), true)
        .send()
        .await
        .unwrap();
    assert_error(after, 401, "invalid_grant").await;
}

async fn cookie_requests_without_the_csrf_proof_are_refused(backend: Backend) {
    let app = app(backend).await;
    let cookie = cookie_login(&app).await;
    for (origin, csrf) in [
        (Some(SPA), false),
        (None, true),
        (Some("http://evil.test"), true),
        (Some("null"), true),
    ] {
        for path in ["/v1/auth/refresh", "/v1/auth/logout"] {
            let response = cookie_request(&app, path, &cookie, origin, csrf)
                .send()
                .await
                .unwrap();
            assert_error(response, 403, "csrf_rejected").await;
        }
    }
    // None of those touched the session.
    let response = cookie_request(&app, "/v1/auth/refresh", &cookie, Some(SPA), true)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

async fn a_token_in_the_body_needs_no_csrf_proof_and_can_switch_to_a_cookie(backend: Backend) {
    let app = app(backend).await;
    let tokens = app.logged_in("browser@example.com").await;
    let body = json!({"refresh_token": tokens.refresh_token, "token_delivery": "cookie"});
    let response = app.post_json("/v1/auth/refresh", &body).await;
    assert_eq!(response.status(), 200);
    let (cookie, _) = refresh_cookie(response.headers());
    assert!(!cookie.is_empty());
    let bad = json!({"email": "browser@example.com", "password": PASSWORD, "token_delivery": "carrier-pigeon"});
    assert_error(
        app.post_json("/v1/auth/login", &bad).await,
        400,
        "invalid_request",
    )
    .await;
}

async fn a_cookie_that_no_longer_holds_the_live_token_is_removed(backend: Backend) {
    let app = app(backend).await;
    // A bad cookie: logout refuses it but tells the browser to drop it, since page scripts cannot.
    let response = cookie_request(&app, "/v1/auth/logout", "garbage", Some(SPA), true)
        .send()
        .await
        .unwrap();
    let (value, attributes) = refresh_cookie(response.headers());
    assert!(
        value.is_empty() && attributes.contains("Max-Age=0"),
        "{attributes}"
    );
    assert_invalid_grant(response, "malformed").await;

    // Switching from the cookie to JSON: the new token comes in the body and the stale cookie goes.
    let cookie = cookie_login(&app).await;
    let response = app
        .client
        .post(app.url("/v1/auth/refresh"))
        .header("cookie", format!("authd_refresh={cookie}"))
        .header("origin", SPA)
        .header("x-authd-csrf", "1")
        .json(&json!({"token_delivery": "json"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let (value, _) = refresh_cookie(response.headers());
    assert!(value.is_empty(), "the cookie is removed");
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        app.refresh(body["refresh_token"].as_str().unwrap())
            .await
            .status(),
        200
    );

    // A refused cookie refresh also removes it.
    let cookie = cookie_login(&app).await;
    cookie_request(&app, "/v1/auth/refresh", &cookie, Some(SPA), true)
        .send()
        .await
        .unwrap();
    let replay = cookie_request(&app, "/v1/auth/refresh", &cookie, Some(SPA), true)
        .send()
        .await
        .unwrap();
    let (value, _) = refresh_cookie(replay.headers());
    assert!(value.is_empty());
    assert_invalid_grant(replay, "reuse_detected").await;
}

backend_tests!(
    cookie_mode_refreshes_and_logs_out_with_the_cookie,
    cookie_requests_without_the_csrf_proof_are_refused,
    a_token_in_the_body_needs_no_csrf_proof_and_can_switch_to_a_cookie,
    a_cookie_that_no_longer_holds_the_live_token_is_removed,
);
