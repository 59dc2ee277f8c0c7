//! Removing the second factor and getting new recovery codes take a way in away or add one: like adding a
//! factor, they need the password (not just an access token, even an aal2 one), on top of the step-up.

use serde_json::{Value, json};

use super::{Enrolled, complete, enrolled, mfa_token, pyotp_at};
use crate::helpers::trail;
use crate::helpers::{Backend, PASSWORD, TestApp, assert_error, eventually, spawn_app_with};

const DISABLE: &str = "/v1/me/mfa/totp/disable";
const CODES: &str = "/v1/me/mfa/recovery-codes";

async fn spawn(backend: Backend) -> TestApp {
    let limits = [
        ("AUTHD_RATE_LIMIT_LOGIN_ACCOUNT", "4/hour"),
        ("AUTHD_RATE_LIMIT_PASSWORD_IP", "1000/min"),
        ("AUTHD_RATE_LIMIT_MFA_IP", "1000/min"),
    ];
    spawn_app_with(backend, &limits).await
}

/// An aal2 access token of the enrolled account: the step-up alone would let it through.
async fn aal2(app: &TestApp, account: &Enrolled) -> String {
    let token = mfa_token(app, &account.email).await;
    let code = pyotp_at(&account.secret, account.now);
    let response = complete(app, json!({"mfa_token": token, "code": code})).await;
    assert_eq!(response.status(), 200);
    let tokens: Value = response.json().await.unwrap();
    tokens["access_token"].as_str().unwrap().to_owned()
}

async fn mfa_enabled(app: &TestApp, access: &str) -> Value {
    let me: Value = app.get("/v1/me", Some(access)).await.json().await.unwrap();
    me["mfa_enabled"].clone()
}

async fn a_bare_aal2_token_cannot_remove_the_factor_or_get_new_codes(backend: Backend) {
    let app = spawn(backend).await;
    let account = enrolled(&app, "factor@example.com").await;
    let access = aal2(&app, &account).await;
    for path in [DISABLE, CODES] {
        let response = app.post_bearer(path, &access, Some(&json!({}))).await;
        assert_error(response, 403, "reauthentication_required").await;
        let wrong = json!({"password": "not the password"});
        let response = app.post_bearer(path, &access, Some(&wrong)).await;
        assert_error(response, 403, "invalid_credentials").await;
    }
    assert_eq!(mfa_enabled(&app, &access).await, true);
    // Each wrong password is audited with what it was for...
    eventually("two reauthentication failures in the trail", || async {
        let actions: Vec<Value> = trail(&app, &access)
            .await
            .into_iter()
            .filter(|(kind, outcome, _)| kind == "reauthentication" && outcome == "failure")
            .map(|(_, _, detail)| detail["action"].clone())
            .collect();
        actions.contains(&json!("totp_disable")) && actions.contains(&json!("recovery_codes"))
    })
    .await;
    // ...and counted like a failed login: two more fill the account's ceiling of four.
    for _ in 0..2 {
        let response = app.login(&account.email, "not the password").await;
        assert_error(response, 401, "invalid_credentials").await;
    }
    let login = app.login(&account.email, PASSWORD).await;
    assert_error(login, 429, "rate_limited").await;
    let right = json!({"password": PASSWORD});
    let response = app.post_bearer(DISABLE, &access, Some(&right)).await;
    assert_error(response, 429, "rate_limited").await;
    assert_eq!(mfa_enabled(&app, &access).await, true);
}

async fn with_the_password_and_a_step_up_the_factor_goes(backend: Backend) {
    let app = spawn(backend).await;
    let account = enrolled(&app, "owner@example.com").await;
    // An aal1 token with the password still needs the code.
    let aal1 = &account.access_token;
    let password_only = json!({"password": PASSWORD});
    let response = app.post_bearer(CODES, aal1, Some(&password_only)).await;
    assert_error(response, 403, "mfa_required").await;
    let access = aal2(&app, &account).await;
    let response = app.post_bearer(CODES, &access, Some(&password_only)).await;
    assert_eq!(response.status(), 200);
    let codes: Value = response.json().await.unwrap();
    assert_eq!(codes["recovery_codes"].as_array().unwrap().len(), 10);
    let response = app
        .post_bearer(DISABLE, &access, Some(&password_only))
        .await;
    assert_eq!(response.status(), 204);
    assert_eq!(mfa_enabled(&app, &access).await, false);
}

/// A pending enrolment protects nothing yet: abandoning it needs no password.
async fn a_pending_enrolment_is_dropped_without_the_password(backend: Backend) {
    let app = spawn(backend).await;
    let access = app.signed_up("pending@example.com").await.access_token;
    let enrol = json!({"password": PASSWORD});
    let response = app
        .post_bearer("/v1/me/mfa/totp", &access, Some(&enrol))
        .await;
    assert_eq!(response.status(), 200);
    let response = app.post_bearer(DISABLE, &access, Some(&json!({}))).await;
    assert_eq!(response.status(), 204);
    let response = app.post_bearer(DISABLE, &access, Some(&json!({}))).await;
    assert_error(response, 409, "mfa_not_enabled").await;
}

backend_tests!(
    a_bare_aal2_token_cannot_remove_the_factor_or_get_new_codes,
    with_the_password_and_a_step_up_the_factor_goes,
    a_pending_enrolment_is_dropped_without_the_password,
);
