//! Re-authentication of a signed-in caller: a wrong current password (password change, email change) counts
//! against the account's failure ceiling like a failed login and is audited.

use serde_json::{Value, json};

use crate::helpers::{Backend, PASSWORD, TestApp, assert_error, eventually, spawn_app_with};

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

/// The `(kind, outcome, detail)` of the caller's audit trail, newest first.
pub async fn trail(app: &TestApp, access: &str) -> Vec<(String, String, Value)> {
    let events: Value = app
        .get("/v1/me/events", Some(access))
        .await
        .json()
        .await
        .unwrap();
    events["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let (kind, outcome) = (e["kind"].as_str().unwrap(), e["outcome"].as_str().unwrap());
            (kind.to_owned(), outcome.to_owned(), e["detail"].clone())
        })
        .collect()
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
    let actions: Vec<Value> = trail(&app, &access)
        .await
        .into_iter()
        .filter(|(kind, ..)| kind == "reauthentication")
        .map(|(_, _, detail)| detail["action"].clone())
        .collect();
    assert_eq!(
        actions.iter().filter(|a| *a == "password_change").count(),
        3
    );
    assert_eq!(actions.iter().filter(|a| *a == "email_change").count(), 2);
}

backend_tests!(wrong_current_passwords_count_like_failed_logins);
