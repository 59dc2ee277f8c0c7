//! Re-authentication of a signed-in caller: a wrong current password (password change, email change) counts
//! against the account's failure ceiling like a failed login and is audited; adding a way in (a TOTP app, a
//! provider identity) needs the password, not just an access token (each change is audited and mailed:
//! `account_notices`).

use serde_json::{Value, json};

use crate::helpers::{
    Backend, PASSWORD, TestApp, assert_error, eventually, spawn_app_with, trail, trail_details,
};

const OWNER: &str = "owner@example.com";

async fn spawn(backend: Backend) -> TestApp {
    spawn_app_with(
        backend,
        &[
            ("AUTHD_RATE_LIMIT_LOGIN_ACCOUNT", "5/hour"),
            ("AUTHD_RATE_LIMIT_PASSWORD_IP", "1000/min"),
            ("AUTHD_RATE_LIMIT_MAIL_IP", "1000/min"),
        ],
    )
    .await
}

async fn wrong_current_passwords_count_like_failed_logins(backend: Backend) {
    let app = spawn(backend).await;
    let access = app.signed_up(OWNER).await.access_token;
    let change =
        json!({"current_password": "not the password", "new_password": "a new password 123"});
    for _ in 0..3 {
        let response = app
            .post_bearer("/v1/me/password", &access, Some(&change))
            .await;
        assert_error(response, 403, "invalid_credentials").await;
    }
    let move_to = json!({"new_email": "new@example.com", "password": "not the password"});
    for _ in 0..2 {
        let response = app
            .post_bearer("/v1/me/email", &access, Some(&move_to))
            .await;
        assert_error(response, 403, "invalid_credentials").await;
    }
    // Five failures fill the account's ceiling: the right password now waits, at login and here.
    let login = app.login(OWNER, PASSWORD).await;
    assert_eq!(
        login.headers()["ratelimit-policy"],
        r#""login-account";q=5;w=3600"#
    );
    assert_error(login, 429, "rate_limited").await;
    let right = json!({"current_password": PASSWORD, "new_password": "a new password 123"});
    let response = app
        .post_bearer("/v1/me/password", &access, Some(&right))
        .await;
    assert_error(response, 429, "rate_limited").await;
    // Each wrong password is in the owner's trail, with what it was for.
    eventually("five reauthentication failures in the trail", || async {
        let failed = trail(&app, &access)
            .await
            .into_iter()
            .filter(|(kind, outcome, _)| kind == "reauthentication" && outcome == "failure");
        failed.count() == 5
    })
    .await;
    let actions = trail_details(&app, &access, "reauthentication", "action").await;
    assert_eq!(
        actions.iter().filter(|a| *a == "password_change").count(),
        3
    );
    assert_eq!(actions.iter().filter(|a| *a == "email_change").count(), 2);
}

/// A server that also knows GitHub (a provider that can be linked), with limits on.
async fn spawn_with_github(backend: Backend) -> TestApp {
    let base = crate::oidc::github_base();
    let mut settings = crate::oidc::github_settings(&base);
    settings.retain(|(k, _)| *k != "AUTHD_RATE_LIMITS");
    settings.push(("AUTHD_RATE_LIMIT_LOGIN_ACCOUNT", "5/hour".into()));
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    spawn_app_with(backend, &pairs).await
}

fn link_body(password: Option<&str>) -> Value {
    let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    let mut body = json!({"redirect_uri": crate::oidc::APP_REDIRECT, "code_challenge": challenge});
    if let Some(password) = password {
        body["password"] = json!(password);
    }
    body
}

/// A bare access token (stolen by XSS, left on a shared computer) adds no way in: no TOTP app and no provider
/// without the password; a wrong one is refused, counted like a failed login and audited.
async fn a_bare_access_token_cannot_add_a_way_in(backend: Backend) {
    let app = spawn_with_github(backend).await;
    let access = app.signed_up(OWNER).await.access_token;
    let enrol = |body: Option<Value>| {
        let (app, access) = (&app, access.clone());
        async move {
            app.post_bearer("/v1/me/mfa/totp", &access, body.as_ref())
                .await
        }
    };
    assert_error(enrol(None).await, 403, "reauthentication_required").await;
    assert_error(
        enrol(Some(json!({}))).await,
        403,
        "reauthentication_required",
    )
    .await;
    let wrong = Some(json!({"password": "not the password"}));
    assert_error(enrol(wrong).await, 403, "invalid_credentials").await;
    let link = |body: Value| {
        let (app, access) = (&app, access.clone());
        async move {
            let path = "/v1/me/identities/github/start";
            app.post_bearer(path, &access, Some(&body)).await
        }
    };
    assert_error(
        link(link_body(None)).await,
        403,
        "reauthentication_required",
    )
    .await;
    let wrong = link(link_body(Some("not the password"))).await;
    assert_error(wrong, 403, "invalid_credentials").await;
    // With the password both go ahead.
    assert_eq!(
        enrol(Some(json!({"password": PASSWORD}))).await.status(),
        200
    );
    let started = link(link_body(Some(PASSWORD))).await;
    assert_eq!(started.status(), 200);
    // The two wrong passwords are audited, and counted: three more fill the account's ceiling of five.
    eventually("two reauthentication failures", || async {
        let actions = trail_details(&app, &access, "reauthentication", "action").await;
        actions.contains(&json!("totp_enrol")) && actions.contains(&json!("identity_link"))
    })
    .await;
    for _ in 0..3 {
        let response = app.login(OWNER, "not the password").await;
        assert_error(response, 401, "invalid_credentials").await;
    }
    assert_error(app.login(OWNER, PASSWORD).await, 429, "rate_limited").await;
}

backend_tests!(
    wrong_current_passwords_count_like_failed_logins,
    a_bare_access_token_cannot_add_a_way_in,
);
