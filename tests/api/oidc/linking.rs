//! Linking and unlinking providers from a signed-in account, GitHub's flow, and the admin view of identities.

use serde_json::{Value, json};

use super::browser::{Browser, Pkce, app_query, param, urlencode};
use super::{APP_REDIRECT, exchange, sign_in, spawn};
use crate::helpers::{
    Backend, PASSWORD, TestApp, assert_error, mail_with, payload_of, spawn_app_with, wait_for_mails,
};

async fn identities(app: &TestApp, token: &str) -> Vec<Value> {
    let response = app.get("/v1/me/identities", Some(token)).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// A link flow for the user of `token`, through the provider as `interaction`: the link code it ends with.
async fn link_code(app: &TestApp, token: &str, pkce: &Pkce, interaction: &str) -> String {
    let body = json!({"redirect_uri": APP_REDIRECT, "code_challenge": pkce.challenge, "password": PASSWORD});
    let start = app
        .post_bearer("/v1/me/identities/idp/start", token, Some(&body))
        .await;
    assert_eq!(start.status(), 200);
    let url = start.json::<Value>().await.unwrap()["authorization_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let browser = Browser::new();
    let callback = browser.follow(app, &url, "idp", interaction).await;
    let (status, location) = browser.get(&callback).await;
    assert_eq!(status, 302);
    param(&app_query(&location.unwrap()), "link_code")
        .expect("a link code")
        .to_owned()
}

/// Nothing is linked until the owner's app confirms; a link code (`code`, for `pkce`) neither links for
/// someone else nor signs in.
async fn assert_a_link_code_is_for_its_owner_only(
    app: &TestApp,
    token: &str,
    pkce: &Pkce,
    code: String,
    as_henry: &str,
) {
    assert!(identities(app, token).await.is_empty());
    let mallory = app.signed_up("mallory@example.com").await;
    let body = json!({"code": code, "code_verifier": pkce.verifier});
    let stolen = app
        .post_bearer(
            "/v1/me/identities/confirm",
            &mallory.access_token,
            Some(&body),
        )
        .await;
    assert_error(stolen, 400, "invalid_grant").await;
    let code = link_code(app, token, pkce, as_henry).await;
    assert_error(
        exchange(app, &code, &pkce.verifier).await,
        400,
        "invalid_grant",
    )
    .await;
}

async fn a_signed_in_user_links_and_unlinks_a_provider(backend: Backend) {
    let (app, _idp) = spawn(backend).await;
    let henry = app.signed_up("henry@example.com").await;
    let token = henry.access_token.as_str();
    let as_henry = "sub=henry-at-idp&email=h@idp.example";
    let pkce = Pkce::new();
    let code = link_code(&app, token, &pkce, as_henry).await;
    assert_a_link_code_is_for_its_owner_only(&app, token, &pkce, code, as_henry).await;
    let code = link_code(&app, token, &pkce, as_henry).await;
    let body = json!({"code": code, "code_verifier": pkce.verifier});
    let confirmed = app
        .post_bearer("/v1/me/identities/confirm", token, Some(&body))
        .await;
    assert_eq!(confirmed.status(), 201);
    let linked = identities(&app, token).await;
    assert_eq!(linked.len(), 1);
    assert_eq!(linked[0]["provider"], "idp");
    // The provider account now signs in to henry's account.
    let signed_in = sign_in(&app, as_henry).await;
    assert_eq!(signed_in["user"]["id"], json!(henry.user.id));
    // Henry has a password, so the provider may go (the password re-entered: `oidc::reauth`).
    let id = linked[0]["id"].as_str().unwrap();
    let password = json!({"password": PASSWORD});
    let unlinked = super::reauth::unlink(&app, token, id, Some(&password)).await;
    assert_eq!(unlinked.status(), 204);
    assert!(identities(&app, token).await.is_empty());
    // Both changes are in henry's trail, and henry was told of each.
    let changes = crate::helpers::account_changes(&app, token).await;
    assert_eq!(
        changes,
        [json!("identity_unlinked"), json!("identity_linked")]
    );
    let mails = wait_for_mails(&app.outbox(), "henry@example.com", 3).await;
    mail_with(&mails, "a sign-in provider account was linked");
    mail_with(&mails, "a linked sign-in provider account was removed");
}

async fn the_last_way_to_sign_in_cannot_be_unlinked(backend: Backend) {
    let (app, _idp) = spawn(backend).await;
    let ivy = sign_in(&app, "sub=ivy").await;
    let token = ivy["access_token"].as_str().unwrap();
    let linked = identities(&app, token).await;
    let id = linked[0]["id"].as_str().unwrap();
    let response = app.delete(&format!("/v1/me/identities/{id}"), token).await;
    assert_error(response, 409, "last_sign_in_method").await;
    // Another user's identity is no identity.
    let other = app.signed_up("jack@example.com").await;
    let password = json!({"password": PASSWORD});
    let response = super::reauth::unlink(&app, &other.access_token, id, Some(&password)).await;
    assert_error(response, 404, "not_found").await;
}

async fn github_signs_in_with_its_verified_primary_email(backend: Backend) {
    let base = super::github::start();
    let settings = super::github::settings(&base);
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_app_with(backend, &pairs).await;
    let pkce = Pkce::new();
    let start = app.url(&format!(
        "/v1/auth/oauth/github/start?redirect_uri={}&code_challenge={}",
        urlencode(APP_REDIRECT),
        pkce.challenge
    ));
    let browser = Browser::new();
    let callback = browser.follow(&app, &start, "github", "").await;
    let (_, location) = browser.get(&callback).await;
    let query = app_query(&location.unwrap());
    let code = param(&query, "code").expect("a login code");
    let response = exchange(&app, code, &pkce.verifier).await;
    assert_eq!(response.status(), 200);
    let tokens: Value = response.json().await.unwrap();
    assert_eq!(tokens["user"]["email"], "octocat@example.com");
    assert_eq!(
        payload_of(tokens["access_token"].as_str().unwrap())["amr"],
        json!(["fed"])
    );
}

async fn a_disabled_account_cannot_trade_its_code_and_the_admin_sees_its_identities(
    backend: Backend,
) {
    let idp = super::node::NodeProvider::start();
    let mut settings = idp.settings();
    settings.push(("AUTHD_ADMIN_BIND", "127.0.0.1:0".into()));
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_app_with(backend, &pairs).await;
    let kim = sign_in(&app, "sub=kim").await;
    let id = kim["user"]["id"].as_str().unwrap();
    let key = app.admin_key("ops", false);
    let client = reqwest::Client::new();
    let shown: Value = client
        .get(app.admin_url(&format!("/admin/v1/users/{id}")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shown["identities"][0]["provider"], "idp");
    let disabled = client
        .post(app.admin_url(&format!("/admin/v1/users/{id}/disable")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(disabled.status(), 200);
    let pkce = Pkce::new();
    let query = Browser::new().sign_in(&app, &pkce, "sub=kim").await;
    let code = param(&query, "code").unwrap();
    assert_error(
        exchange(&app, code, &pkce.verifier).await,
        403,
        "account_disabled",
    )
    .await;
}

backend_tests!(
    a_disabled_account_cannot_trade_its_code_and_the_admin_sees_its_identities,
    a_signed_in_user_links_and_unlinks_a_provider,
    the_last_way_to_sign_in_cannot_be_unlinked,
    github_signs_in_with_its_verified_primary_email,
);
