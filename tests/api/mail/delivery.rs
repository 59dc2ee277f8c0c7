//! The mailer's transports: a real SMTP server (aiosmtpd), the outbox directory, and an SMTP server that is down.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{
    Backend, PASSWORD, SmtpSink, TestApp, assert_error, eventually, mails_to, payload_of,
    spawn_app_with, token_in, wait_for_mails,
};

/// A server that sends its mail to a fresh SMTP sink, with `overrides` on top.
pub async fn app_with_smtp(backend: Backend, overrides: &[(&str, &str)]) -> (TestApp, SmtpSink) {
    let sink = SmtpSink::start();
    let url = sink.url();
    let mut vars = vec![("AUTHD_SMTP_URL", url.as_str())];
    vars.extend_from_slice(overrides);
    (spawn_app_with(backend, &vars).await, sink)
}

pub async fn verify_email(app: &TestApp, token: &str) -> reqwest::Response {
    app.post_json("/v1/auth/verify-email", &json!({"token": token}))
        .await
}

async fn the_signup_mail_arrives_over_smtp_and_its_link_works_once(backend: Backend) {
    let (app, sink) = app_with_smtp(backend, &[]).await;
    let tokens = app.signed_up("new@example.com").await;
    assert_eq!(payload_of(&tokens.access_token)["email_verified"], false);
    let mail = &wait_for_mails(sink.dir(), "new@example.com", 1).await[0];
    assert!(
        mail.contains("Subject: Confirm your email address for authd"),
        "{mail}"
    );
    assert!(
        mail.contains("http://authd.test/verify-email#token="),
        "{mail}"
    );
    assert!(mail.contains("multipart/alternative") && mail.contains("text/html"));
    let token = token_in(mail);
    let me = app.get("/v1/me", Some(&tokens.access_token)).await;
    assert_eq!(me.json::<Value>().await.unwrap()["email_verified"], false);

    let response = verify_email(&app, &token).await;
    assert_eq!(response.status(), 200);
    let user: Value = response.json().await.unwrap();
    assert_eq!(
        (user["email"].as_str(), user["email_verified"].as_bool()),
        (Some("new@example.com"), Some(true))
    );
    assert_error(verify_email(&app, &token).await, 400, "invalid_token_link").await;

    // The cached /v1/me body was dropped, and the next tokens say so.
    let me = app.get("/v1/me", Some(&tokens.access_token)).await;
    assert_eq!(me.json::<Value>().await.unwrap()["email_verified"], true);
    let refreshed = app
        .refresh(&tokens.refresh_token)
        .await
        .json::<Value>()
        .await
        .unwrap();
    let access = refreshed["access_token"].as_str().unwrap();
    assert_eq!(payload_of(access)["email_verified"], true);
}

#[actix_web::test]
async fn without_an_smtp_url_each_mail_is_an_eml_file_in_the_outbox() {
    let app = spawn_app_with(Backend::Sqlite, &[]).await;
    app.signed_up("outbox@example.com").await;
    let mail = &wait_for_mails(&app.outbox(), "outbox@example.com", 1).await[0];
    assert!(mail.contains("From: authd <no-reply@localhost>"), "{mail}");
    assert_eq!(verify_email(&app, &token_in(mail)).await.status(), 200);
}

#[actix_web::test]
async fn an_smtp_server_that_is_down_neither_slows_nor_fails_the_request() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let url = format!("smtp://127.0.0.1:{port}?tls=none");
    let vars = [
        ("AUTHD_SMTP_URL", url.as_str()),
        ("AUTHD_METRICS_BIND", "127.0.0.1:0"),
    ];
    let app = spawn_app_with(Backend::Sqlite, &vars).await;
    let started = Instant::now();
    let response = app.signup("down@example.com", PASSWORD).await;
    assert_eq!(response.status(), 201);
    let reset = app
        .post_json(
            "/v1/auth/password-reset",
            &json!({"email": "down@example.com"}),
        )
        .await;
    assert_eq!(reset.status(), 202);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let metrics = app.metrics_url("/metrics");
    eventually("a failed send counted after its retries", || {
        let metrics = metrics.clone();
        async move {
            let text = reqwest::get(&metrics).await.unwrap().text().await.unwrap();
            text.lines()
                .any(|l| l.starts_with(r#"authd_mails_total{outcome="failed"}"#))
        }
    })
    .await;
    assert!(mails_to(&app.outbox(), "down@example.com").is_empty());
}

#[actix_web::test]
async fn the_mail_and_link_routes_have_their_own_ip_budgets() {
    let vars = [
        ("AUTHD_RATE_LIMIT_MAIL_IP", "2/min"),
        ("AUTHD_RATE_LIMIT_EMAIL_TOKEN_IP", "1/min"),
    ];
    let app = spawn_app_with(Backend::Sqlite, &vars).await;
    let reset = async || {
        let body = json!({"email": "x@example.com"});
        app.post_json("/v1/auth/password-reset", &body).await
    };
    assert_eq!(reset().await.status(), 202);
    assert_eq!(reset().await.status(), 202);
    let limited = assert_error(reset().await, 429, "rate_limited").await;
    assert!(limited["error_description"].is_string());
    let resend = app
        .post_json(
            "/v1/auth/verify-email/resend",
            &json!({"email": "x@example.com"}),
        )
        .await;
    assert_eq!(resend.status(), 429);
    let bogus = "A".repeat(43);
    assert_error(verify_email(&app, &bogus).await, 400, "invalid_token_link").await;
    let confirm = app
        .post_json(
            "/v1/auth/password-reset/confirm",
            &json!({"token": bogus, "new_password": "x"}),
        )
        .await;
    let headers = confirm.headers().clone();
    assert_eq!(confirm.status(), 429);
    assert_eq!(headers["ratelimit-policy"], r#""email-token-ip";q=1;w=60"#);
}

async fn two_requests_racing_with_one_link_cannot_both_use_it(backend: Backend) {
    let app = spawn_app_with(backend, &[]).await;
    app.signed_up("race@example.com").await;
    let token = token_in(&wait_for_mails(&app.outbox(), "race@example.com", 1).await[0]);
    let (a, b) = futures::join!(verify_email(&app, &token), verify_email(&app, &token));
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 400]);
}

#[actix_web::test]
async fn an_operator_template_replaces_the_builtin_one() {
    let templates = tempfile::tempdir().unwrap();
    let custom = "Subject: Welcome to {{app_name}}\n\nHi {{email}}, confirm here: {{link}}\n";
    std::fs::write(templates.path().join("verify_email.txt"), custom).unwrap();
    let dir = templates.path().display().to_string();
    let vars = [
        ("AUTHD_MAIL_TEMPLATES", dir.as_str()),
        ("AUTHD_APP_NAME", "Acme"),
        ("AUTHD_APP_URL", "https://app.example.com/"),
    ];
    let app = spawn_app_with(Backend::Sqlite, &vars).await;
    app.signed_up("custom@example.com").await;
    let mail = &wait_for_mails(&app.outbox(), "custom@example.com", 1).await[0];
    assert!(mail.contains("Subject: Welcome to Acme"), "{mail}");
    assert!(mail.contains(
        "Hi custom@example.com, confirm here: https://app.example.com/verify-email#token="
    ));
    // The HTML body without an override stays the built-in one.
    assert!(mail.contains("Confirm my email address"), "{mail}");
}

backend_tests!(
    the_signup_mail_arrives_over_smtp_and_its_link_works_once,
    two_requests_racing_with_one_link_cannot_both_use_it,
);
