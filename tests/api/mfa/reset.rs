//! A password reset must not bypass the second factor: the mailed link of an account with MFA also needs a
//! current TOTP code or an unused recovery code, checked before the link is spent.

use serde_json::json;

use super::{Enrolled, enrolled, pyotp_at};
use crate::helpers::{Backend, TestApp, assert_error, mails_to, spawn_app_with, token_in};

const NEW_PASSWORD: &str = "a brand new and rather long passphrase";

/// Asks for a reset of `email` and returns the token of the new reset mail (one not in `seen`, which it joins).
async fn reset_link(app: &TestApp, email: &str, seen: &mut Vec<String>) -> String {
    let response = app
        .post_json("/v1/auth/password-reset", &json!({"email": email}))
        .await;
    assert_eq!(response.status(), 202);
    for _ in 0..100 {
        let tokens = mails_to(&app.outbox(), email)
            .into_iter()
            .filter(|m| m.contains("reset-password#"))
            .map(|m| token_in(&m));
        if let Some(token) = tokens.into_iter().find(|t| !seen.contains(t)) {
            seen.push(token.clone());
            return token;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no new reset mail to {email}");
}

async fn confirm(app: &TestApp, body: serde_json::Value) -> reqwest::Response {
    app.post_json("/v1/auth/password-reset/confirm", &body)
        .await
}

async fn a_reset_of_an_mfa_account_needs_a_code_or_a_recovery_code(backend: Backend) {
    let app = spawn_app_with(backend, &[("AUTHD_MAIL_COOLDOWN", "0")]).await;
    let Enrolled {
        email,
        secret,
        now,
        recovery_codes,
        ..
    } = enrolled(&app, "reset@example.com").await;
    let mut seen = vec![];
    let token = reset_link(&app, &email, &mut seen).await;
    let without = confirm(&app, json!({"token": token, "new_password": NEW_PASSWORD})).await;
    assert_error(without, 403, "mfa_required").await;
    let right = pyotp_at(&secret, now);
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
    let body = json!({"token": token, "new_password": NEW_PASSWORD, "code": wrong});
    assert_error(confirm(&app, body).await, 401, "invalid_code").await;
    // Neither refusal spent the link.
    let body = json!({"token": token, "new_password": NEW_PASSWORD, "code": right});
    assert_eq!(confirm(&app, body).await.status(), 204);
    assert_eq!(app.login(&email, NEW_PASSWORD).await.status(), 200);
    // A recovery code works too, once.
    let token = reset_link(&app, &email, &mut seen).await;
    let recovery = recovery_codes[0].clone();
    let body = json!({"token": token, "new_password": "yet another long passphrase", "recovery_code": recovery});
    assert_eq!(confirm(&app, body).await.status(), 204);
    let token = reset_link(&app, &email, &mut seen).await;
    let body =
        json!({"token": token, "new_password": NEW_PASSWORD, "recovery_code": recovery_codes[0]});
    assert_error(confirm(&app, body).await, 401, "invalid_code").await;
}

/// A reset refused after the recovery code was checked (a weak new password) leaves the code unspent, and of
/// eight resets sent at once on one link with eight valid codes, one goes through and spends one code.
async fn a_refused_or_losing_reset_spends_no_recovery_code(backend: Backend) {
    let app = spawn_app_with(backend, &[("AUTHD_MAIL_COOLDOWN", "0")]).await;
    let owner = enrolled(&app, "reset-codes@example.com").await;
    let mut seen = vec![];
    let token = reset_link(&app, &owner.email, &mut seen).await;
    let weak =
        json!({"token": token, "new_password": "short", "recovery_code": owner.recovery_codes[0]});
    assert_error(confirm(&app, weak).await, 422, "weak_password").await;
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(8));
    let attempts = owner.recovery_codes[..8].iter().map(|code| {
        let body = json!({"token": token, "new_password": NEW_PASSWORD, "recovery_code": code});
        let (barrier, app) = (barrier.clone(), &app);
        async move {
            barrier.wait().await;
            confirm(app, body).await.status().as_u16()
        }
    });
    let statuses = futures::future::join_all(attempts).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 204).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| [204, 400, 401].contains(s)),
        "{statuses:?}"
    );
    // Nine codes are left: the weak-password attempt and the losers spent none.
    let response = app.login(&owner.email, NEW_PASSWORD).await;
    let mfa_token = response.json::<serde_json::Value>().await.unwrap()["mfa_token"].clone();
    let status = app
        .post_json(
            "/v1/auth/mfa",
            &json!({"mfa_token": mfa_token, "recovery_code": owner.recovery_codes[9]}),
        )
        .await;
    let body: serde_json::Value = status.json().await.unwrap();
    assert_eq!(body["recovery_codes_left"], 8, "{body}");
}

backend_tests!(
    a_reset_of_an_mfa_account_needs_a_code_or_a_recovery_code,
    a_refused_or_losing_reset_spends_no_recovery_code,
);
