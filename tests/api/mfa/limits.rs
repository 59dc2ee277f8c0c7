//! Every new route is rate-limited per client IP, and wrong codes per account.

use serde_json::json;

use super::{Enrolled, complete, enrolled, mfa_token, pyotp_at};
use crate::helpers::{Backend, PASSWORD, assert_error, spawn_app_with};

#[actix_web::test]
async fn the_second_login_step_is_limited_per_address() {
    let app = spawn_app_with(Backend::Sqlite, &[("AUTHD_RATE_LIMIT_MFA_IP", "2/min")]).await;
    for _ in 0..2 {
        let response = complete(&app, json!({"mfa_token": "x", "code": "123456"})).await;
        assert_eq!(response.status(), 401);
    }
    let limited = complete(&app, json!({"mfa_token": "x", "code": "123456"})).await;
    assert_eq!(
        limited.headers()["ratelimit-policy"],
        r#""mfa-ip";q=2;w=60"#
    );
    assert_error(limited, 429, "rate_limited").await;
}

#[actix_web::test]
async fn the_signed_in_mfa_routes_share_a_budget_per_address() {
    let app = spawn_app_with(
        Backend::Sqlite,
        &[("AUTHD_RATE_LIMIT_MFA_MANAGE_IP", "5/min")],
    )
    .await;
    let token = app.signed_up("manage@example.com").await.access_token;
    let body = json!({});
    assert_eq!(app.get("/v1/me/mfa", Some(&token)).await.status(), 200);
    // The budget's other four, each answered on its merits while it lasts.
    for (path, sent, status) in [
        ("/v1/me/mfa/totp", json!({"password": PASSWORD}), 200),
        ("/v1/me/mfa/totp/confirm", json!({"code": "x"}), 401),
        ("/v1/me/mfa/totp/disable", body.clone(), 204),
        ("/v1/me/mfa/recovery-codes", body.clone(), 409),
    ] {
        let response = app.post_bearer(path, &token, Some(&sent)).await;
        assert_eq!(response.status(), status, "{path}");
    }
    for (method, path) in [
        ("GET", "/v1/me/mfa"),
        ("POST", "/v1/me/mfa/totp"),
        ("POST", "/v1/me/mfa/totp/confirm"),
        ("POST", "/v1/me/mfa/totp/disable"),
        ("POST", "/v1/me/mfa/recovery-codes"),
    ] {
        let request = if method == "GET" {
            app.client.get(app.url(path))
        } else {
            app.client.post(app.url(path)).json(&body)
        };
        let response = request.bearer_auth(&token).send().await.unwrap();
        assert_eq!(
            response.headers()["ratelimit-policy"],
            r#""mfa-manage-ip";q=5;w=60"#,
            "{path}"
        );
        assert_error(response, 429, "rate_limited").await;
    }
}

#[actix_web::test]
async fn wrong_codes_are_limited_per_account_across_mfa_tokens() {
    let app = spawn_app_with(
        Backend::Sqlite,
        &[("AUTHD_RATE_LIMIT_MFA_ACCOUNT", "3/hour")],
    )
    .await;
    let Enrolled {
        email, secret, now, ..
    } = enrolled(&app, "guessed@example.com").await;
    let right = pyotp_at(&secret, now);
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
    // Each mfa_token has five tries, but the account has three between them all.
    for _ in 0..3 {
        let response = complete(
            &app,
            json!({"mfa_token": mfa_token(&app, &email).await, "code": wrong}),
        )
        .await;
        assert_error(response, 401, "invalid_code").await;
    }
    let blocked = complete(
        &app,
        json!({"mfa_token": mfa_token(&app, &email).await, "code": right}),
    )
    .await;
    assert_eq!(
        blocked.headers()["ratelimit-policy"],
        r#""mfa-account";q=3;w=3600"#
    );
    assert_error(blocked, 429, "rate_limited").await;
}
