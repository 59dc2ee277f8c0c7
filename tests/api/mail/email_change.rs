//! POST /v1/me/email: the change waits for the new address to confirm, the old one is told.

use serde_json::{Value, json};

use crate::helpers::{
    Backend, PASSWORD, TestApp, assert_error, mail_with, mails_to, spawn_app_with, token_in,
    wait_for_mails,
};
use crate::mail::delivery::{app_with_smtp, verify_email};

async fn ask_for_change(
    app: &TestApp,
    access: &str,
    new_email: &str,
    password: &str,
) -> reqwest::Response {
    let body = json!({"new_email": new_email, "password": password});
    app.post_bearer("/v1/me/email", access, Some(&body)).await
}

async fn a_new_address_takes_effect_once_it_confirms(backend: Backend) {
    let (app, sink) = app_with_smtp(backend, &[]).await;
    let tokens = app.signed_up("old@example.com").await;
    // Fills the /v1/me cache, which the change must drop.
    assert_eq!(
        app.get("/v1/me", Some(&tokens.access_token)).await.status(),
        200
    );
    let response = ask_for_change(&app, &tokens.access_token, "New@Example.com", PASSWORD).await;
    assert_eq!(response.status(), 202);

    let mails = wait_for_mails(sink.dir(), "old@example.com", 2).await;
    let notice = mail_with(&mails, "new@example.com");
    assert!(!notice.contains("#token="), "{notice}");
    assert_error(
        app.login("new@example.com", PASSWORD).await,
        401,
        "invalid_credentials",
    )
    .await;
    let token = token_in(&wait_for_mails(sink.dir(), "new@example.com", 1).await[0]);
    let user: Value = verify_email(&app, &token).await.json().await.unwrap();
    assert_eq!(
        (user["email"].as_str(), user["email_verified"].as_bool()),
        (Some("new@example.com"), Some(true))
    );
    assert_error(verify_email(&app, &token).await, 400, "invalid_token_link").await;

    let me: Value = app
        .get("/v1/me", Some(&tokens.access_token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "new@example.com");
    assert_eq!(app.login("new@example.com", PASSWORD).await.status(), 200);
    assert_error(
        app.login("old@example.com", PASSWORD).await,
        401,
        "invalid_credentials",
    )
    .await;
}

async fn a_change_needs_the_password_and_reveals_no_account(backend: Backend) {
    let (app, sink) = app_with_smtp(backend, &[("AUTHD_MAIL_COOLDOWN", "0")]).await;
    let tokens = app.signed_up("me@example.com").await;
    app.signed_up("taken@example.com").await;
    let wrong = ask_for_change(&app, &tokens.access_token, "free@example.com", "not it").await;
    assert_error(wrong, 403, "invalid_credentials").await;
    let invalid = ask_for_change(&app, &tokens.access_token, "nope", PASSWORD).await;
    assert_error(invalid, 422, "invalid_email").await;
    let taken = ask_for_change(&app, &tokens.access_token, "taken@example.com", PASSWORD).await;
    let free = ask_for_change(&app, &tokens.access_token, "free@example.com", PASSWORD).await;
    assert_eq!(
        (taken.status().as_u16(), free.status().as_u16()),
        (202, 202)
    );
    assert_eq!(taken.text().await.unwrap(), free.text().await.unwrap());
    wait_for_mails(sink.dir(), "free@example.com", 1).await;
    // Two notices to the owner; the taken address got only its own signup mail.
    wait_for_mails(sink.dir(), "me@example.com", 3).await;
    assert_eq!(mails_to(sink.dir(), "taken@example.com").len(), 1);
    let response = app
        .post_json(
            "/v1/me/email",
            &json!({"new_email": "x@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(response.status(), 401);
}

async fn a_password_reset_cancels_a_pending_change(backend: Backend) {
    let (app, sink) = app_with_smtp(backend, &[("AUTHD_MAIL_COOLDOWN", "0")]).await;
    let tokens = app.signed_up("owner@example.com").await;
    ask_for_change(&app, &tokens.access_token, "thief@example.com", PASSWORD).await;
    let change = token_in(&wait_for_mails(sink.dir(), "thief@example.com", 1).await[0]);
    let reset = json!({"email": "owner@example.com"});
    app.post_json("/v1/auth/password-reset", &reset).await;
    let mails = wait_for_mails(sink.dir(), "owner@example.com", 3).await;
    let reset = token_in(
        mails
            .iter()
            .find(|m| m.contains("reset-password#"))
            .unwrap(),
    );
    let body = json!({"token": reset, "new_password": "the owner's fresh long passphrase"});
    let confirmed = app
        .post_json("/v1/auth/password-reset/confirm", &body)
        .await;
    assert_eq!(confirmed.status(), 204);
    assert_error(verify_email(&app, &change).await, 400, "invalid_token_link").await;
}

async fn links_mailed_to_the_old_address_die_with_the_move(backend: Backend) {
    let (app, sink) = app_with_smtp(backend, &[("AUTHD_MAIL_COOLDOWN", "0")]).await;
    let tokens = app.signed_up("leaving@example.com").await;
    let reset = json!({"email": "leaving@example.com"});
    app.post_json("/v1/auth/password-reset", &reset).await;
    let mails = wait_for_mails(sink.dir(), "leaving@example.com", 2).await;
    let reset = token_in(mail_with(&mails, "reset-password#"));
    ask_for_change(&app, &tokens.access_token, "arrived@example.com", PASSWORD).await;
    let change = token_in(&wait_for_mails(sink.dir(), "arrived@example.com", 1).await[0]);
    assert_eq!(verify_email(&app, &change).await.status(), 200);
    let body = json!({"token": reset, "new_password": "an attacker's long passphrase"});
    let confirmed = app
        .post_json("/v1/auth/password-reset/confirm", &body)
        .await;
    assert_error(confirmed, 400, "invalid_token_link").await;
}

/// The new address is not asked to "confirm your email address" as at signup: its mail names the existing
/// account that asks to move there and says what a click does (plain text and HTML).
async fn the_new_address_is_told_which_account_asks_to_move_there(backend: Backend) {
    let app = spawn_app_with(backend, &[("AUTHD_MAIL_COOLDOWN", "0")]).await;
    let tokens = app.signed_up("current@example.com").await;
    let response = ask_for_change(&app, &tokens.access_token, "moving@example.com", PASSWORD).await;
    assert_eq!(response.status(), 202);
    let mail = &wait_for_mails(&app.outbox(), "moving@example.com", 1).await[0];
    assert!(
        mail.contains("Subject: An existing authd account asks to move to this address"),
        "{mail}"
    );
    assert!(!mail.contains("Confirm your email address"), "{mail}");
    assert!(
        mail.contains("the authd account current@example.com asks to use moving@example.com"),
        "{mail}"
    );
    assert!(mail.contains("opening the link below moves that existing account"));
    assert!(
        mail.contains("<strong>current@example.com</strong>"),
        "{mail}"
    );
    assert!(mail.contains("http://authd.test/verify-email#token="));
    let user: Value = verify_email(&app, &token_in(mail))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(user["email"], "moving@example.com");
}

backend_tests!(
    the_new_address_is_told_which_account_asks_to_move_there,
    a_new_address_takes_effect_once_it_confirms,
    links_mailed_to_the_old_address_die_with_the_move,
    a_change_needs_the_password_and_reveals_no_account,
    a_password_reset_cancels_a_pending_change,
);
