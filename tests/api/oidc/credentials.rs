//! Social-login codes and link flows die with a credential change, like mailed links and `mfa_token`s
//! (`tests/api/sessions/credential_change.rs`): a code handed out before logout-all or a new password opens
//! nothing after.
//! Against the GitHub stand-in, so no provider process is needed.

use serde_json::{Value, json};

use super::browser::{Browser, Pkce, app_query, param, urlencode};
use super::{APP_REDIRECT, exchange};
use crate::helpers::{Backend, PASSWORD, TestApp, assert_error, spawn_app_with};

async fn spawn(backend: Backend) -> TestApp {
    let base = super::github::start();
    let settings = super::github::settings(&base);
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    spawn_app_with(backend, &pairs).await
}

/// A GitHub login up to the app's redirect: the login code, not yet traded.
async fn login_code(app: &TestApp, pkce: &Pkce) -> String {
    let start = app.url(&format!(
        "/v1/auth/oauth/github/start?redirect_uri={}&code_challenge={}",
        urlencode(APP_REDIRECT),
        pkce.challenge
    ));
    let browser = Browser::new();
    let callback = browser.follow(app, &start, "github", "").await;
    let (_, location) = browser.get(&callback).await;
    param(&app_query(&location.unwrap()), "code")
        .expect("a login code")
        .to_owned()
}

/// A link flow for the bearer of `token` up to the provider's redirect back: the callback URL, not yet opened.
async fn link_callback(app: &TestApp, token: &str, pkce: &Pkce) -> String {
    let body = json!({"redirect_uri": APP_REDIRECT, "code_challenge": pkce.challenge, "password": PASSWORD});
    let start = app
        .post_bearer("/v1/me/identities/github/start", token, Some(&body))
        .await;
    assert_eq!(start.status(), 200);
    let url = start.json::<Value>().await.unwrap()["authorization_url"]
        .as_str()
        .unwrap()
        .to_owned();
    Browser::new().follow(app, &url, "github", "").await
}

async fn a_login_code_dies_with_logout_all(backend: Backend) {
    let app = spawn(backend).await;
    let pkce = Pkce::new();
    let first = login_code(&app, &pkce).await;
    let response = exchange(&app, &first, &pkce.verifier).await;
    assert_eq!(response.status(), 200);
    let tokens: Value = response.json().await.unwrap();
    let pending = login_code(&app, &pkce).await;
    let access = tokens["access_token"].as_str().unwrap();
    let response = app.post_bearer("/v1/auth/logout-all", access, None).await;
    assert_eq!(response.status(), 204);
    assert_error(
        exchange(&app, &pending, &pkce.verifier).await,
        400,
        "invalid_grant",
    )
    .await;
    // A code made afterwards works.
    let fresh = login_code(&app, &pkce).await;
    assert_eq!(exchange(&app, &fresh, &pkce.verifier).await.status(), 200);
}

/// A link code the attacker got with the owner's session, and a link flow still at the provider, both die when
/// the owner changes the password: no provider account gets linked.
async fn link_codes_and_flows_die_with_a_password_change(backend: Backend) {
    let app = spawn(backend).await;
    let owner = app.signed_up("owner@example.com").await;
    let token = owner.access_token.as_str();
    let pkce = Pkce::new();
    let browser = Browser::new();
    let (status, location) = browser.get(&link_callback(&app, token, &pkce).await).await;
    assert_eq!(status, 302);
    let code = param(&app_query(&location.unwrap()), "link_code")
        .expect("a link code")
        .to_owned();
    let at_provider = link_callback(&app, token, &pkce).await;
    let body =
        json!({"current_password": PASSWORD, "new_password": "the owner's fresh long passphrase"});
    let changed = app.post_bearer("/v1/me/password", token, Some(&body)).await;
    assert_eq!(changed.status(), 204);
    let body = json!({"code": code, "code_verifier": pkce.verifier});
    let confirm = app
        .post_bearer("/v1/me/identities/confirm", token, Some(&body))
        .await;
    assert_error(confirm, 400, "invalid_grant").await;
    let (status, location) = Browser::new().get(&at_provider).await;
    assert_eq!(status, 400, "{location:?}");
    let linked: Value = app
        .get("/v1/me/identities", Some(token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(linked, json!([]));
}

backend_tests!(
    a_login_code_dies_with_logout_all,
    link_codes_and_flows_die_with_a_password_change,
);
