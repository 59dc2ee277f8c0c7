//! Step-up: password change, email change, disabling MFA and new recovery codes need an aal2 session or a current
//! code (on top of the password: `mfa::reauth`).

use serde_json::{Value, json};

use super::{Enrolled, complete, enrolled, mfa_token, pyotp_at};
use crate::helpers::{Backend, PASSWORD, TestApp, assert_error, spawn_app, two_step_login};

async fn change_password(
    app: &TestApp,
    token: &str,
    new: &str,
    code: Option<&str>,
) -> reqwest::Response {
    let mut body = json!({"current_password": PASSWORD, "new_password": new});
    if let Some(code) = code {
        body["code"] = json!(code);
    }
    app.post_bearer("/v1/me/password", token, Some(&body)).await
}

async fn password_change_of_an_mfa_account_needs_aal2_or_a_code(backend: Backend) {
    let app = spawn_app(backend).await;
    let Enrolled {
        email,
        secret,
        now,
        access_token,
        ..
    } = enrolled(&app, "pw@example.com").await;
    // The signup session is aal1.
    let refused = change_password(&app, &access_token, "a different long passphrase", None).await;
    assert_error(refused, 403, "mfa_required").await;
    let code = pyotp_at(&secret, now);
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    let new_password = "a different long passphrase";
    let refused = change_password(&app, &access_token, new_password, Some(&wrong)).await;
    assert_error(refused, 401, "invalid_code").await;
    let changed = change_password(&app, &access_token, PASSWORD, Some(&code)).await;
    assert_eq!(changed.status(), 204);
    // An aal2 session needs no code.
    let tokens = two_step_login(&app, &email, &pyotp_at(&secret, now + 30)).await;
    let tokens: Value = tokens.json().await.unwrap();
    let aal2 = tokens["access_token"].as_str().unwrap();
    assert_eq!(
        change_password(&app, aal2, PASSWORD, None).await.status(),
        204
    );
}

async fn disabling_needs_a_step_up_and_then_login_is_one_step_again(backend: Backend) {
    let app = spawn_app(backend).await;
    let Enrolled {
        email,
        secret,
        now,
        access_token,
        ..
    } = enrolled(&app, "off@example.com").await;
    // The password too (`mfa::reauth`): here the step-up alone is under test.
    let disable = |token: String, mut body: Value| {
        let app = &app;
        body["password"] = json!(PASSWORD);
        async move {
            app.post_bearer("/v1/me/mfa/totp/disable", &token, Some(&body))
                .await
        }
    };
    assert_error(
        disable(access_token.clone(), json!({})).await,
        403,
        "mfa_required",
    )
    .await;
    let right = pyotp_at(&secret, now);
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
    assert_error(
        disable(access_token.clone(), json!({"code": wrong})).await,
        401,
        "invalid_code",
    )
    .await;
    // With a current code from an aal1 session.
    assert_eq!(
        disable(access_token.clone(), json!({"code": right}))
            .await
            .status(),
        204
    );
    let me: Value = app
        .get("/v1/me", Some(&access_token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["mfa_enabled"], false);
    assert!(app.logged_in(&email).await.access_token.len() > 10);
    assert_error(
        disable(access_token.clone(), json!({})).await,
        409,
        "mfa_not_enabled",
    )
    .await;
    // Enabled again, then disabled from an aal2 session without a code.
    let again = enrolled_again(&app, &access_token).await;
    let tokens = two_step_login(&app, &email, &pyotp_at(&again, now + 30)).await;
    let tokens: Value = tokens.json().await.unwrap();
    let aal2 = tokens["access_token"].as_str().unwrap().to_owned();
    assert_eq!(disable(aal2, json!({})).await.status(), 204);
}

/// Enrols the signed-in user again (with a new secret, confirmed one step back); returns the secret.
async fn enrolled_again(app: &TestApp, token: &str) -> String {
    let enrolment: Value = app
        .post_bearer(
            "/v1/me/mfa/totp",
            token,
            Some(&json!({"password": PASSWORD})),
        )
        .await
        .json()
        .await
        .unwrap();
    let secret = enrolment["secret"].as_str().unwrap().to_owned();
    let body = json!({"code": pyotp_at(&secret, crate::helpers::unix_now())});
    let response = app
        .post_bearer("/v1/me/mfa/totp/confirm", token, Some(&body))
        .await;
    assert_eq!(response.status(), 200);
    secret
}

async fn new_recovery_codes_need_a_step_up_and_replace_the_old_ones(backend: Backend) {
    let app = spawn_app(backend).await;
    let Enrolled {
        email,
        secret,
        now,
        access_token,
        recovery_codes,
    } = enrolled(&app, "codes@example.com").await;
    let regenerate = |mut body: Value| {
        let (app, token) = (&app, access_token.clone());
        body["password"] = json!(PASSWORD);
        async move {
            app.post_bearer("/v1/me/mfa/recovery-codes", &token, Some(&body))
                .await
        }
    };
    assert_error(regenerate(json!({})).await, 403, "mfa_required").await;
    let response = regenerate(json!({"code": pyotp_at(&secret, now)})).await;
    assert_eq!(response.status(), 200);
    let fresh: Value = response.json().await.unwrap();
    let fresh = fresh["recovery_codes"].as_array().unwrap();
    assert_eq!(fresh.len(), 10);
    let old = complete(
        &app,
        json!({"mfa_token": mfa_token(&app, &email).await, "recovery_code": recovery_codes[0]}),
    )
    .await;
    assert_error(old, 401, "invalid_code").await;
    let new = complete(
        &app,
        json!({"mfa_token": mfa_token(&app, &email).await, "recovery_code": fresh[0]}),
    )
    .await;
    assert_eq!(new.status(), 200);
    let confirm_without_enrolment = app
        .post_bearer(
            "/v1/me/mfa/totp/confirm",
            &app.signed_up("none@example.com").await.access_token,
            Some(&json!({"code": "123456"})),
        )
        .await;
    assert_error(confirm_without_enrolment, 409, "mfa_not_pending").await;
}

/// Moving the address of an MFA account is a step-up action too: the password alone is not enough.
async fn an_email_change_of_an_mfa_account_needs_aal2_or_a_code(backend: Backend) {
    let app = spawn_app(backend).await;
    let Enrolled {
        secret,
        now,
        access_token,
        ..
    } = enrolled(&app, "move@example.com").await;
    let mut body = json!({"new_email": "moved@example.com", "password": PASSWORD});
    let refused = app
        .post_bearer("/v1/me/email", &access_token, Some(&body))
        .await;
    assert_error(refused, 403, "mfa_required").await;
    body["code"] = json!(pyotp_at(&secret, now));
    let accepted = app
        .post_bearer("/v1/me/email", &access_token, Some(&body))
        .await;
    assert_eq!(accepted.status(), 202);
}

backend_tests!(
    an_email_change_of_an_mfa_account_needs_aal2_or_a_code,
    password_change_of_an_mfa_account_needs_aal2_or_a_code,
    disabling_needs_a_step_up_and_then_login_is_one_step_again,
    new_recovery_codes_need_a_step_up_and_replace_the_old_ones,
);
