//! Per-client-IP rate limits and who the client is behind a proxy. The limit is checked before the database is
//! touched, so these run once; the session's recorded address runs on both backends.

use serde_json::{Value, json};

use crate::contract::openapi::{documented_statuses, resolve, spec};
use crate::helpers::{Backend, PASSWORD, TestApp, assert_error, spawn_app_with};

/// A login with a wrong password, sent with `X-Forwarded-For: xff` when given.
async fn login_from(app: &TestApp, xff: Option<&str>) -> reqwest::Response {
    let body = json!({"email": "nobody@example.com", "password": PASSWORD});
    let mut request = app.client.post(app.url("/v1/auth/login")).json(&body);
    if let Some(xff) = xff {
        request = request.header("x-forwarded-for", xff);
    }
    request.send().await.unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> String {
    let value = response.headers().get(name);
    let value = value.unwrap_or_else(|| panic!("no {name} header"));
    value.to_str().unwrap().to_owned()
}

/// Asserts a 429 of `policy` with quota `q` per `w` seconds, as the contract and the IETF draft shape it.
async fn assert_rate_limited(response: reqwest::Response, policy: &str, q: u32, w: u64) {
    let retry_after: u64 = header(&response, "retry-after").parse().unwrap();
    assert!((1..=w).contains(&retry_after), "Retry-After {retry_after}");
    let expected = format!(r#""{policy}";q={q};w={w}"#);
    assert_eq!(header(&response, "ratelimit-policy"), expected);
    let expected = format!(r#""{policy}";r=0;t={retry_after}"#);
    assert_eq!(header(&response, "ratelimit"), expected);
    assert_error(response, 429, "rate_limited").await;
}

#[actix_web::test]
async fn the_fourth_login_from_one_address_is_429_with_rate_limit_headers() {
    let app = spawn_app_with(Backend::Sqlite, &[("AUTHD_RATE_LIMIT_LOGIN_IP", "3/min")]).await;
    for _ in 0..3 {
        assert_error(login_from(&app, None).await, 401, "invalid_credentials").await;
    }
    assert_rate_limited(login_from(&app, None).await, "login-ip", 3, 60).await;
    // Each route has its own budget.
    assert_eq!(
        app.signup("other@example.com", PASSWORD).await.status(),
        201
    );
}

#[actix_web::test]
async fn a_spoofed_forwarded_for_from_an_untrusted_peer_gets_no_fresh_budget() {
    let app = spawn_app_with(Backend::Sqlite, &[("AUTHD_RATE_LIMIT_LOGIN_IP", "3/min")]).await;
    for n in 1..=3 {
        let spoofed = format!("198.51.100.{n}");
        assert_eq!(login_from(&app, Some(&spoofed)).await.status(), 401);
    }
    let fresh_looking = login_from(&app, Some("198.51.100.99")).await;
    assert_rate_limited(fresh_looking, "login-ip", 3, 60).await;
}

#[actix_web::test]
async fn behind_a_trusted_proxy_each_forwarded_address_has_its_own_budget() {
    let app = spawn_app_with(
        Backend::Sqlite,
        &[
            ("AUTHD_RATE_LIMIT_LOGIN_IP", "1/min"),
            ("AUTHD_TRUSTED_PROXIES", "127.0.0.1/32"),
        ],
    )
    .await;
    let first = Some("198.51.100.1");
    assert_eq!(login_from(&app, first).await.status(), 401);
    assert_rate_limited(login_from(&app, first).await, "login-ip", 1, 60).await;
    // A client that forges an entry left of what the proxy appended is still its real address.
    let forged = login_from(&app, Some("203.0.113.50, 198.51.100.1")).await;
    assert_eq!(forged.status(), 429);
    assert_eq!(login_from(&app, Some("198.51.100.2")).await.status(), 401);
    // The proxy's own requests (no header) are the proxy's budget.
    assert_eq!(login_from(&app, None).await.status(), 401);
}

#[actix_web::test]
async fn rate_limits_off_never_answer_429() {
    let app = spawn_app_with(
        Backend::Sqlite,
        &[
            ("AUTHD_RATE_LIMIT_LOGIN_IP", "1/min"),
            ("AUTHD_RATE_LIMITS", "off"),
        ],
    )
    .await;
    for _ in 0..5 {
        assert_eq!(login_from(&app, None).await.status(), 401);
    }
}

#[actix_web::test]
async fn every_limited_route_answers_429_as_documented() {
    let limits = [
        "SIGNUP",
        "LOGIN",
        "REFRESH",
        "LOGOUT",
        "PASSWORD",
        "MAIL",
        "EMAIL_TOKEN",
    ]
    .map(|route| (format!("AUTHD_RATE_LIMIT_{route}_IP"), "1/hour"));
    let overrides: Vec<(&str, &str)> = limits.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let app = spawn_app_with(Backend::Sqlite, &overrides).await;
    let spec = spec();
    let mut spent = vec![];
    for (path, policy) in [
        ("/v1/auth/signup", "signup-ip"),
        ("/v1/auth/login", "login-ip"),
        ("/v1/auth/refresh", "refresh-ip"),
        ("/v1/auth/logout", "logout-ip"),
        ("/v1/me/password", "password-ip"),
        ("/v1/me/email", "mail-ip"),
        ("/v1/auth/verify-email/resend", "mail-ip"),
        ("/v1/auth/password-reset", "mail-ip"),
        ("/v1/auth/verify-email", "email-token-ip"),
        ("/v1/auth/password-reset/confirm", "email-token-ip"),
    ] {
        // Routes that share a policy share its budget: only the first of them gets a request through.
        if !spent.contains(&policy) {
            let first = app.post_json(path, &json!({})).await;
            assert_ne!(first.status(), 429, "{path}: the first request passes");
            spent.push(policy);
        }
        assert_rate_limited(app.post_json(path, &json!({})).await, policy, 1, 3600).await;
        assert!(
            documented_statuses(&spec, "POST", path).contains("429"),
            "{path}"
        );
        let documented = &spec["paths"][path]["post"]["responses"]["429"];
        let headers = &resolve(&spec, documented)["headers"];
        for name in ["Retry-After", "RateLimit-Policy", "RateLimit"] {
            assert!(
                !headers[name].is_badvalue(),
                "{path}'s 429 documents {name}"
            );
        }
    }
}

async fn a_session_records_the_address_a_trusted_proxy_saw(backend: Backend) {
    let proxied = [("AUTHD_TRUSTED_PROXIES", "127.0.0.1/32")];
    for (overrides, expected) in [(&proxied[..], "203.0.113.5"), (&[][..], "127.0.0.1")] {
        let app = spawn_app_with(backend.clone(), overrides).await;
        let body = json!({"email": "proxied@example.com", "password": PASSWORD});
        let signup = app.client.post(app.url("/v1/auth/signup")).json(&body);
        let signup = signup
            .header("x-forwarded-for", "203.0.113.5")
            .send()
            .await
            .unwrap();
        assert_eq!(signup.status(), 201);
        let tokens: Value = signup.json().await.unwrap();
        let sessions = app
            .get("/v1/sessions", tokens["access_token"].as_str())
            .await;
        let sessions: Value = sessions.json().await.unwrap();
        assert_eq!(sessions[0]["ip"], expected, "{sessions}");
    }
}

/// A login of `email` with `password` from `xff` (through the trusted proxy at 127.0.0.1).
async fn login_as(app: &TestApp, email: &str, password: &str, xff: &str) -> reqwest::Response {
    let body = json!({"email": email, "password": password});
    let request = app.client.post(app.url("/v1/auth/login")).json(&body);
    request.header("x-forwarded-for", xff).send().await.unwrap()
}

async fn repeated_failures_slow_down_one_address_and_account_only(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &[
            ("AUTHD_RATE_LIMIT_LOGIN_IP_ACCOUNT", "2/hour"),
            ("AUTHD_TRUSTED_PROXIES", "127.0.0.1/32"),
        ],
    )
    .await;
    app.signed_up("owner@example.com").await;
    let (guesser, owner) = ("198.51.100.66", "203.0.113.10");
    for _ in 0..2 {
        let wrong = login_as(&app, "owner@example.com", "wrong guess 123", guesser).await;
        assert_eq!(wrong.status(), 401);
    }
    // Even the right password waits now: the pair is told to come back, before any hashing.
    let blocked = login_as(&app, "owner@example.com", PASSWORD, guesser).await;
    let retry_after = header(&blocked, "retry-after");
    assert_eq!(retry_after, "1");
    let policy = header(&blocked, "ratelimit-policy");
    assert_eq!(policy, r#""login-ip-account";q=2;w=3600"#);
    assert_error(blocked, 429, "rate_limited").await;
    // Unknown accounts from the guesser, and the owner from elsewhere, are not slowed.
    let other = login_as(&app, "someone@example.com", "wrong guess 123", guesser).await;
    assert_eq!(other.status(), 401);
    let owner_login = login_as(&app, "owner@example.com", PASSWORD, owner).await;
    assert_eq!(owner_login.status(), 200);
    // After the wait, the next failure doubles it; a success forgets the pair.
    actix_web::rt::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let wrong = login_as(&app, "owner@example.com", "wrong guess 123", guesser).await;
    assert_eq!(wrong.status(), 401);
    let blocked = login_as(&app, "owner@example.com", PASSWORD, guesser).await;
    assert_eq!(header(&blocked, "retry-after"), "2");
    actix_web::rt::time::sleep(std::time::Duration::from_millis(2_100)).await;
    let right = login_as(&app, "owner@example.com", PASSWORD, guesser).await;
    assert_eq!(right.status(), 200);
    let wrong = login_as(&app, "owner@example.com", "wrong guess 123", guesser).await;
    assert_eq!(wrong.status(), 401, "the count started again");
}

backend_tests!(
    a_session_records_the_address_a_trusted_proxy_saw,
    repeated_failures_slow_down_one_address_and_account_only,
);
