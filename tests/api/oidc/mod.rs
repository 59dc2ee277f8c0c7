//! Social login against a real OpenID provider (node `oidc-provider`, started per test), driven through the
//! whole redirect flow, and the refusals: state, PKCE, replay, redirect URI, a code from another flow.

mod browser;
mod credentials;
mod github;
mod linking;
mod node;
mod reauth;

pub use github::{settings as github_settings, start as github_base};

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_error, payload_of, spawn_app_with};
use browser::{Browser, Pkce, app_query, param, urlencode};
use node::NodeProvider;

/// The app's registered redirect URI.
pub const APP_REDIRECT: &str = "https://app.example.com/oauth/done";

async fn spawn(backend: Backend) -> (TestApp, NodeProvider) {
    let provider = NodeProvider::start();
    let settings = provider.settings();
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    (spawn_app_with(backend, &pairs).await, provider)
}

async fn exchange(app: &TestApp, code: &str, verifier: &str) -> reqwest::Response {
    let body = json!({"code": code, "code_verifier": verifier});
    app.post_json("/v1/auth/oauth/exchange", &body).await
}

/// A full provider login as `interaction` (e.g. `sub=alice`); the token response.
async fn sign_in(app: &TestApp, interaction: &str) -> Value {
    let pkce = Pkce::new();
    let query = Browser::new().sign_in(app, &pkce, interaction).await;
    let code = param(&query, "code").expect("a login code");
    let response = exchange(app, code, &pkce.verifier).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn a_provider_login_creates_a_passwordless_account(backend: Backend) {
    let (app, _idp) = spawn(backend).await;
    let first = sign_in(&app, "sub=alice").await;
    let claims = payload_of(first["access_token"].as_str().unwrap());
    assert_eq!(claims["amr"], json!(["fed"]));
    assert_eq!(first["user"]["email"], "alice@example.com");
    // The account's creation and the login are in its audit trail.
    let token = first["access_token"].as_str().unwrap();
    let kinds = crate::helpers::event_kinds(&app, token).await;
    assert!(
        kinds.iter().any(|k| k == "signup") && kinds.iter().any(|k| k == "login"),
        "{kinds:?}"
    );
    // The same subject again is the same account.
    let again = sign_in(&app, "sub=alice").await;
    assert_eq!(again["user"]["id"], first["user"]["id"]);
    // No password works for an account made by a provider.
    assert_error(
        app.login("alice@example.com", "").await,
        401,
        "invalid_credentials",
    )
    .await;
    let providers: Value = app
        .get("/v1/auth/providers", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(providers["providers"][0]["name"], "idp");
}

async fn a_login_code_works_once_and_only_with_its_verifier(backend: Backend) {
    let (app, _idp) = spawn(backend).await;
    let pkce = Pkce::new();
    let query = Browser::new().sign_in(&app, &pkce, "sub=carol").await;
    let code = param(&query, "code").unwrap();
    let wrong = Pkce::new();
    assert_error(
        exchange(&app, code, &wrong.verifier).await,
        400,
        "invalid_grant",
    )
    .await;
    // The wrong guess spent the code.
    assert_error(
        exchange(&app, code, &pkce.verifier).await,
        400,
        "invalid_grant",
    )
    .await;

    let pkce = Pkce::new();
    let query = Browser::new().sign_in(&app, &pkce, "sub=carol").await;
    let code = param(&query, "code").unwrap();
    assert_eq!(exchange(&app, code, &pkce.verifier).await.status(), 200);
    assert_error(
        exchange(&app, code, &pkce.verifier).await,
        400,
        "invalid_grant",
    )
    .await;
}

async fn an_unlisted_redirect_uri_is_refused_without_a_redirect(backend: Backend) {
    let (app, _idp) = spawn(backend).await;
    let pkce = Pkce::new();
    for uri in [
        "https://evil.example.com/",
        "https://app.example.com/oauth/done/x",
    ] {
        let url = app.url(&format!(
            "/v1/auth/oauth/idp/start?redirect_uri={}&code_challenge={}",
            urlencode(uri),
            pkce.challenge
        ));
        let (status, location) = Browser::new().get(&url).await;
        assert_eq!((status, location), (400, None), "{uri}");
    }
}

async fn a_bad_or_replayed_state_is_refused(backend: Backend) {
    let (app, _idp) = spawn(backend).await;
    let browser = Browser::new();
    let callback = browser.to_callback(&app, &Pkce::new(), "sub=dave").await;
    let tampered = callback.replace("state=", "state=x");
    assert_eq!(browser.get(&tampered).await, (400, None));
    let (status, location) = browser.get(&callback).await;
    assert_eq!(status, 302);
    assert!(param(&app_query(&location.unwrap()), "code").is_some());
    // The state was used up.
    assert_eq!(browser.get(&callback).await, (400, None));
}

async fn a_code_from_another_flow_is_refused(backend: Backend) {
    let (app, _idp) = spawn(backend).await;
    let browser = Browser::new();
    let first = browser.to_callback(&app, &Pkce::new(), "sub=erin").await;
    let second = browser.to_callback(&app, &Pkce::new(), "sub=erin").await;
    // The first flow's state with the second flow's code: PKCE and nonce belong to the second.
    let code_of = |url: &str| {
        let url = reqwest::Url::parse(url).unwrap();
        let pairs: Vec<_> = url.query_pairs().into_owned().collect();
        param(&pairs, "code").unwrap().to_owned()
    };
    let swapped = first.replace(&code_of(&first), &code_of(&second));
    let (status, location) = browser.get(&swapped).await;
    assert_eq!(status, 302);
    let query = app_query(&location.unwrap());
    assert_eq!(param(&query, "error"), Some("access_denied"));
    assert!(param(&query, "code").is_none());
}

async fn provider_errors_end_at_the_app(backend: Backend) {
    let (app, _idp) = spawn(backend).await;
    let query = Browser::new().sign_in(&app, &Pkce::new(), "deny=1").await;
    assert_eq!(param(&query, "error"), Some("access_denied"));
    assert!(param(&query, "error_description").is_some());
    let unverified = Browser::new()
        .sign_in(&app, &Pkce::new(), "sub=frank&unverified=1")
        .await;
    assert_eq!(param(&unverified, "error"), Some("access_denied"));
}

async fn an_existing_email_is_not_linked_automatically(backend: Backend) {
    let (app, _idp) = spawn(backend).await;
    assert_eq!(
        app.signup("grace@example.com", crate::helpers::PASSWORD)
            .await
            .status(),
        201
    );
    let query = Browser::new()
        .sign_in(&app, &Pkce::new(), "sub=grace")
        .await;
    assert_eq!(param(&query, "error"), Some("account_exists"));
    assert!(param(&query, "code").is_none());
}

/// A provider-made account with TOTP: the provider proves the first factor, the code the second, and the token
/// says so (`fed otp`, aal2), not `pwd`.
async fn a_federated_account_with_totp_logs_in_as_fed_otp(backend: Backend) {
    use crate::mfa::{complete, pyotp_at};
    let (app, _idp) = spawn(backend).await;
    let first = sign_in(&app, "sub=carol").await;
    let token = first["access_token"].as_str().unwrap();
    let (secret, now, _) = crate::helpers::enable_totp(&app, token, None).await;
    let pkce = Pkce::new();
    let query = Browser::new().sign_in(&app, &pkce, "sub=carol").await;
    let challenge: Value = exchange(&app, param(&query, "code").unwrap(), &pkce.verifier)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(challenge["mfa_required"], true, "{challenge}");
    let mfa_token = challenge["mfa_token"].as_str().unwrap();
    let done = complete(
        &app,
        json!({"mfa_token": mfa_token, "code": pyotp_at(&secret, now)}),
    )
    .await;
    let tokens: Value = done.json().await.unwrap();
    let claims = payload_of(tokens["access_token"].as_str().unwrap());
    assert_eq!(
        (claims["amr"].clone(), claims["acr"].clone()),
        (json!(["fed", "otp"]), json!("aal2"))
    );
}

backend_tests!(
    a_federated_account_with_totp_logs_in_as_fed_otp,
    a_provider_login_creates_a_passwordless_account,
    a_login_code_works_once_and_only_with_its_verifier,
    an_unlisted_redirect_uri_is_refused_without_a_redirect,
    a_bad_or_replayed_state_is_refused,
    a_code_from_another_flow_is_refused,
    provider_errors_end_at_the_app,
    an_existing_email_is_not_linked_automatically,
);
