//! A password-less (federated) account has no password to re-enter: adding a way in needs a login at most
//! `AUTHD_REAUTH_MAX_AGE` old, read from the access token's `auth_time`, which a refresh carries unchanged.

use std::time::Duration;

use serde_json::{Value, json};

use super::browser::{Browser, Pkce, app_query, param, urlencode};
use super::{APP_REDIRECT, exchange};
use crate::helpers::{Backend, TestApp, assert_error, payload_of, spawn_app_with, unix_now};

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

backend_tests!(a_federated_account_needs_a_recent_login_to_add_a_way_in);
