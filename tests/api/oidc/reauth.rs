//! A password-less (federated) account has no password to re-enter: adding or removing a way in needs a login
//! at most `AUTHD_REAUTH_MAX_AGE` old, read from the access token's `auth_time`, which a refresh carries
//! unchanged. An account with a password sends it to unlink a provider, and with MFA a step-up too.

use std::time::Duration;

use serde_json::{Value, json};

use super::browser::{Browser, Pkce, app_query, param, urlencode};
use super::{APP_REDIRECT, exchange};
use crate::helpers::{
    Backend, PASSWORD, TestApp, assert_error, payload_of, spawn_app, spawn_app_with, unix_now,
};
use crate::mfa::{enrolled, pyotp_at, steady_now};

/// `DELETE /v1/me/identities/{id}`, with `body` when given.
pub async fn unlink(
    app: &TestApp,
    token: &str,
    id: &str,
    body: Option<&Value>,
) -> reqwest::Response {
    let url = app.url(&format!("/v1/me/identities/{id}"));
    let mut request = app.client.delete(url).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(body);
    }
    request.send().await.unwrap()
}

/// A GitHub sign-in (the stand-in approves at once); the token response.
async fn github_sign_in(app: &TestApp) -> Value {
    let pkce = Pkce::new();
    let start = app.url(&format!(
        "/v1/auth/oauth/github/start?redirect_uri={}&code_challenge={}",
        urlencode(APP_REDIRECT),
        pkce.challenge
    ));
    let browser = Browser::new();
    let callback = browser.follow(app, &start, "github", "").await;
    let (_, location) = browser.get(&callback).await;
    let query = app_query(&location.unwrap());
    let code = param(&query, "code").expect("a login code");
    let response = exchange(app, code, &pkce.verifier).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn add_ways_in(app: &TestApp, access: &str) -> (reqwest::Response, reqwest::Response) {
    // A password in the body changes nothing: the account has none.
    let enrol = json!({"password": "anything at all"});
    let enrolled = app
        .post_bearer("/v1/me/mfa/totp", access, Some(&enrol))
        .await;
    let link = json!({
        "redirect_uri": APP_REDIRECT,
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    });
    let linked = app
        .post_bearer("/v1/me/identities/github/start", access, Some(&link))
        .await;
    (enrolled, linked)
}

async fn a_federated_account_needs_a_recent_login_to_add_a_way_in(backend: Backend) {
    let base = super::github::start();
    let mut settings = super::github::settings(&base);
    settings.push(("AUTHD_REAUTH_MAX_AGE", "2s".into()));
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_app_with(backend, &pairs).await;
    let first = github_sign_in(&app).await;
    let access = first["access_token"].as_str().unwrap();
    let auth_time = payload_of(access)["auth_time"].as_i64().expect("auth_time");
    assert!((unix_now() - auth_time).abs() <= 2, "{auth_time}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    // A refresh keeps the session's login time: it is no new login.
    let refreshed = app.refresh(first["refresh_token"].as_str().unwrap()).await;
    assert_eq!(refreshed.status(), 200);
    let refreshed: Value = refreshed.json().await.unwrap();
    let access = refreshed["access_token"].as_str().unwrap();
    assert_eq!(payload_of(access)["auth_time"], json!(auth_time));
    let (enrolled, linked) = add_ways_in(&app, access).await;
    assert_error(enrolled, 403, "reauthentication_required").await;
    assert_error(linked, 403, "reauthentication_required").await;
    // Through the provider again: a fresh login may.
    let again = github_sign_in(&app).await;
    let (enrolled, linked) = add_ways_in(&app, again["access_token"].as_str().unwrap()).await;
    assert_eq!(enrolled.status(), 200);
    assert_eq!(linked.status(), 200);
}

async fn a_federated_account_needs_a_recent_login_to_unlink(backend: Backend) {
    let base = super::github::start();
    let mut settings = super::github::settings(&base);
    settings.push(("AUTHD_REAUTH_MAX_AGE", "2s".into()));
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_app_with(backend, &pairs).await;
    let old = github_sign_in(&app).await;
    let old = old["access_token"].as_str().unwrap().to_owned();
    let linked: Value = app
        .get("/v1/me/identities", Some(&old))
        .await
        .json()
        .await
        .unwrap();
    let id = linked[0]["id"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_error(
        unlink(&app, &old, &id, None).await,
        403,
        "reauthentication_required",
    )
    .await;
    // A fresh login passes re-authentication and reaches the next rule: the last way in stays.
    let fresh = github_sign_in(&app).await;
    let fresh = fresh["access_token"].as_str().unwrap();
    assert_error(
        unlink(&app, fresh, &id, None).await,
        409,
        "last_sign_in_method",
    )
    .await;
}

/// Turning the factor off or getting new recovery codes also needs a recent login, even with a current code.
async fn a_federated_account_needs_a_recent_login_to_remove_its_factor(backend: Backend) {
    let base = super::github::start();
    let mut settings = super::github::settings(&base);
    settings.push(("AUTHD_REAUTH_MAX_AGE", "2s".into()));
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_app_with(backend, &pairs).await;
    let signed_in = github_sign_in(&app).await;
    let access = signed_in["access_token"].as_str().unwrap();
    let enrolment = app
        .post_bearer("/v1/me/mfa/totp", access, Some(&json!({})))
        .await;
    assert_eq!(enrolment.status(), 200);
    let enrolment: Value = enrolment.json().await.unwrap();
    let secret = enrolment["secret"].as_str().unwrap();
    let now = steady_now().await;
    let confirm = json!({"code": pyotp_at(secret, now - 30)});
    let confirmed = app
        .post_bearer("/v1/me/mfa/totp/confirm", access, Some(&confirm))
        .await;
    assert_eq!(confirmed.status(), 200);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let step_up = json!({"code": pyotp_at(secret, now)});
    for path in ["/v1/me/mfa/totp/disable", "/v1/me/mfa/recovery-codes"] {
        let refused = app.post_bearer(path, access, Some(&step_up)).await;
        assert_error(refused, 403, "reauthentication_required").await;
    }
    let me: Value = app.get("/v1/me", Some(access)).await.json().await.unwrap();
    assert_eq!(me["mfa_enabled"], true);
}

/// Re-authentication comes first, so a bare token learns nothing about identity ids either.
async fn unlinking_needs_the_password_and_a_step_up(backend: Backend) {
    let app = spawn_app(backend).await;
    let access = app.signed_up("plain@example.com").await.access_token;
    let response = unlink(&app, &access, "some-id", None).await;
    assert_error(response, 403, "reauthentication_required").await;
    let wrong = json!({"password": "not the password"});
    let response = unlink(&app, &access, "some-id", Some(&wrong)).await;
    assert_error(response, 403, "invalid_credentials").await;
    let right = json!({"password": PASSWORD});
    let response = unlink(&app, &access, "some-id", Some(&right)).await;
    assert_error(response, 404, "not_found").await;
    // With MFA on, an aal1 session also sends a current code.
    let account = enrolled(&app, "mfa@example.com").await;
    let access = &account.access_token;
    let response = unlink(&app, access, "some-id", Some(&right)).await;
    assert_error(response, 403, "mfa_required").await;
    let code = pyotp_at(&account.secret, account.now);
    let with_code = json!({"password": PASSWORD, "code": code});
    let response = unlink(&app, access, "some-id", Some(&with_code)).await;
    assert_error(response, 404, "not_found").await;
}

backend_tests!(
    a_federated_account_needs_a_recent_login_to_add_a_way_in,
    a_federated_account_needs_a_recent_login_to_unlink,
    a_federated_account_needs_a_recent_login_to_remove_its_factor,
    unlinking_needs_the_password_and_a_step_up,
);
