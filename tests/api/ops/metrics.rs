//! Prometheus metrics on their own listener. The recorder is shared by every server of this test process, so
//! counters are checked as lower bounds.

use authd::routes::TokenResponse;
use serde_json::json;

use crate::helpers::{
    Backend, PASSWORD, TestApp, assert_error, assert_invalid_grant, assert_invalid_token,
    payload_of, sign_with_server_key, spawn_app, spawn_app_with, spawn_app_with_metrics,
};

/// The value of the first sample of `name` that carries every one of `labels`.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (metric, rest) = series.split_once('{').unwrap_or((series, ""));
            let all = labels
                .iter()
                .all(|(k, v)| rest.contains(&format!("{k}=\"{v}\"")));
            (metric == name && all).then(|| value.parse().unwrap())
        })
}

/// Asserts that the series exists and is at least `min`.
fn assert_at_least(text: &str, name: &str, labels: &[(&str, &str)], min: f64) {
    let value =
        sample(text, name, labels).unwrap_or_else(|| panic!("no {name} {labels:?} in:\n{text}"));
    assert!(
        value >= min,
        "{name} {labels:?} = {value}, expected >= {min}"
    );
}

/// The same access token, re-signed with the server's key, expired two minutes ago (beyond the leeway).
fn expired_copy(app: &TestApp, access_token: &str) -> String {
    let header = jsonwebtoken::decode_header(access_token).unwrap();
    let mut claims = payload_of(access_token);
    claims["exp"] = json!(chrono::Utc::now().timestamp() - 120);
    sign_with_server_key(app, "access", header, &claims)
}

async fn scrape(app: &TestApp) -> String {
    let response = app
        .client
        .get(app.metrics_url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    response.text().await.unwrap()
}

/// Signup, login, a wrong password, a refresh and its reuse, and verify with a bad, an expired and a good token:
/// one of each outcome the counters below must have seen. Returns the two token pairs, to look for in the text.
async fn drive_a_short_flow(app: &TestApp) -> (TokenResponse, TokenResponse) {
    let signed_up = app.signed_up("metrics@example.com").await;
    let logged_in = app.logged_in("metrics@example.com").await;
    assert_error(
        app.login("metrics@example.com", "wrong horse battery staple")
            .await,
        401,
        "invalid_credentials",
    )
    .await;
    let refreshed = app.refresh(&logged_in.refresh_token).await;
    assert_eq!(refreshed.status(), 200);
    assert_invalid_grant(
        app.refresh(&logged_in.refresh_token).await,
        "reuse_detected",
    )
    .await;
    let verify = "/v1/auth/verify";
    assert_invalid_token(app.get(verify, Some("not-a-jwt")).await, "malformed").await;
    let expired = expired_copy(app, &signed_up.access_token);
    assert_invalid_token(app.get(verify, Some(&expired)).await, "expired").await;
    let good = app.get(verify, Some(&signed_up.access_token)).await;
    assert_eq!(good.status(), 200);
    assert_error(app.get("/metrics", None).await, 404, "not_found").await;
    (signed_up, logged_in)
}

/// The request counters and the latency histogram, labelled by route.
fn assert_http_series(text: &str) {
    let login = [("method", "POST"), ("route", "/v1/auth/login")];
    let requests = "authd_http_requests_total";
    assert_at_least(
        text,
        requests,
        &[login[0], login[1], ("status", "200")],
        1.0,
    );
    assert_at_least(
        text,
        requests,
        &[login[0], login[1], ("status", "401")],
        1.0,
    );
    let verified = [
        ("method", "GET"),
        ("route", "/v1/auth/verify"),
        ("status", "200"),
    ];
    assert_at_least(text, requests, &verified, 1.0);
    let unmatched = [("route", "<unmatched>"), ("status", "404")];
    assert_at_least(text, requests, &unmatched, 1.0);
    let latency = [login[0], login[1], ("le", "5")];
    assert_at_least(
        text,
        "authd_http_request_duration_seconds_bucket",
        &latency,
        2.0,
    );
    assert_at_least(
        text,
        "authd_http_request_duration_seconds_count",
        &login,
        2.0,
    );
}

/// The login, refresh and rejection counters, by outcome.
fn assert_auth_series(text: &str) {
    for (name, outcome, min) in [
        ("authd_logins_total", "success", 1.0),
        ("authd_logins_total", "invalid_credentials", 1.0),
        ("authd_refreshes_total", "success", 1.0),
        ("authd_refreshes_total", "reuse_detected", 1.0),
        ("authd_refreshes_total", "replay_within_interval", 0.0),
    ] {
        assert_at_least(text, name, &[("outcome", outcome)], min);
    }
    for (error, reason) in [
        ("invalid_grant", "reuse_detected"),
        ("invalid_token", "malformed"),
        ("invalid_token", "expired"),
    ] {
        let labels = [("error", error), ("reason", reason)];
        assert_at_least(text, "authd_token_rejections_total", &labels, 1.0);
    }
}

/// The gauges: pool, revocation set and poll, hashing queue.
fn assert_gauges(text: &str) {
    assert_at_least(text, "authd_db_pool_connections", &[("state", "idle")], 0.0);
    assert_at_least(
        text,
        "authd_db_pool_connections",
        &[("state", "in_use")],
        0.0,
    );
    // This server's own set: the reuse revoked a session.
    assert_at_least(text, "authd_revoked_sessions", &[], 1.0);
    let poll_age = sample(text, "authd_revocation_poll_age_seconds", &[]).unwrap();
    assert!((0.0..10.0).contains(&poll_age), "{poll_age}");
    assert_at_least(text, "authd_hash_queue_depth", &[], 0.0);
    assert_at_least(text, "authd_hash_wait_seconds_count", &[], 0.0);
    assert_at_least(text, "authd_password_hashes_total", &[], 1.0);
}

async fn a_short_flow_shows_up_in_the_metrics(backend: Backend) {
    let app = spawn_app_with_metrics(backend).await;
    let (signed_up, logged_in) = drive_a_short_flow(&app).await;
    let text = scrape(&app).await;
    assert_http_series(&text);
    assert_auth_series(&text);
    assert_gauges(&text);
    assert!(text.contains("# HELP authd_logins_total"), "{text}");
    for secret in [
        &*signed_up.access_token,
        &*logged_in.refresh_token,
        PASSWORD,
    ] {
        assert!(!text.contains(secret));
    }
}

async fn the_metrics_listener_serves_only_metrics(backend: Backend) {
    let app = spawn_app_with_metrics(backend).await;
    let tokens = app.signed_up("listener@example.com").await;
    for path in ["/v1/me", "/healthz", "/", "/metrics/"] {
        let response = app
            .client
            .get(app.metrics_url(path))
            .bearer_auth(&tokens.access_token)
            .send()
            .await
            .unwrap();
        assert_error(response, 404, "not_found").await;
    }
    let head = app
        .client
        .head(app.metrics_url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert!(
        head.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let post = app
        .client
        .post(app.metrics_url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(post.headers()["allow"], "GET, HEAD");
    assert_error(post, 405, "method_not_allowed").await;
    // And the API listener never serves them.
    assert_error(app.get("/metrics", None).await, 404, "not_found").await;
}

// The listener is configuration, not data: this runs once.
#[actix_web::test]
async fn refusals_by_a_rate_limit_are_counted_by_policy() {
    let limits = [
        ("AUTHD_METRICS_BIND", "127.0.0.1:0"),
        ("AUTHD_RATE_LIMIT_LOGIN_IP", "1/min"),
    ];
    let app = spawn_app_with(Backend::Sqlite, &limits).await;
    let before = sample(
        &scrape(&app).await,
        "authd_rate_limited_total",
        &[("policy", "login-ip")],
    );
    for _ in 0..3 {
        app.login("nobody@example.com", PASSWORD).await;
    }
    let labels = [("policy", "login-ip")];
    let min = before.unwrap_or(0.0) + 2.0;
    assert_at_least(
        &scrape(&app).await,
        "authd_rate_limited_total",
        &labels,
        min,
    );
}

#[actix_web::test]
async fn metrics_are_off_by_default() {
    let app = spawn_app(Backend::Sqlite).await;
    assert!(app.metrics_address.is_none());
    assert_error(app.get("/metrics", None).await, 404, "not_found").await;
}

backend_tests!(
    a_short_flow_shows_up_in_the_metrics,
    the_metrics_listener_serves_only_metrics
);
