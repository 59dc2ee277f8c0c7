//! Verification links: expiry, resend (only the newest works), and login with `AUTHD_REQUIRE_VERIFIED_EMAIL`.

use serde_json::{Value, json};

use crate::helpers::{
    Backend, PASSWORD, assert_error, mails_to, payload_of, token_in, wait_for_mails,
};
use crate::mail::delivery::{app_with_smtp, verify_email};

async fn an_expired_verification_link_is_refused(backend: Backend) {
    let (app, sink) = app_with_smtp(backend, &[("AUTHD_VERIFY_EMAIL_TTL", "1s")]).await;
    app.signed_up("late@example.com").await;
    let token = token_in(&wait_for_mails(sink.dir(), "late@example.com", 1).await[0]);
    actix_web::rt::time::sleep(std::time::Duration::from_millis(2_100)).await;
    assert_error(verify_email(&app, &token).await, 400, "invalid_token_link").await;
}

async fn login_waits_for_the_link_when_verification_is_required(backend: Backend) {
    let (app, sink) = app_with_smtp(backend, &[("AUTHD_REQUIRE_VERIFIED_EMAIL", "true")]).await;
    let signup = app.signup("strict@example.com", PASSWORD).await;
    assert_eq!(signup.status(), 202);
    let body: Value = signup.json().await.unwrap();
    // No tokens and no account: the answer for a taken address is the same (see signup_enumeration).
    assert_eq!(body, json!({"status": "verification_required"}));
    assert_error(
        app.login("strict@example.com", PASSWORD).await,
        403,
        "email_not_verified",
    )
    .await;
    // A wrong password still gets the answer a guesser always gets.
    let wrong = app.login("strict@example.com", "not the password").await;
    assert_error(wrong, 401, "invalid_credentials").await;

    let token = token_in(&wait_for_mails(sink.dir(), "strict@example.com", 1).await[0]);
    assert_eq!(verify_email(&app, &token).await.status(), 200);
    let tokens = app.logged_in("strict@example.com").await;
    assert_eq!(payload_of(&tokens.access_token)["email_verified"], true);
    assert!(tokens.user.email_verified);
}

async fn a_resent_link_replaces_the_old_one(backend: Backend) {
    let (app, sink) = app_with_smtp(backend, &[("AUTHD_MAIL_COOLDOWN", "0")]).await;
    app.signed_up("again@example.com").await;
    // Waited for, so the two links arrive in the order they were made.
    wait_for_mails(sink.dir(), "again@example.com", 1).await;
    let resend = async |email: &str| {
        let body = json!({"email": email});
        app.post_json("/v1/auth/verify-email/resend", &body).await
    };
    let known = resend("again@example.com").await;
    assert_eq!(known.status(), 202);
    let unknown = resend("nobody@example.com").await;
    assert_eq!(unknown.status(), 202);
    assert_eq!(known.text().await.unwrap(), unknown.text().await.unwrap());

    let mails = wait_for_mails(sink.dir(), "again@example.com", 2).await;
    let (old, new) = (token_in(&mails[0]), token_in(&mails[1]));
    assert_ne!(old, new);
    assert_error(verify_email(&app, &old).await, 400, "invalid_token_link").await;
    assert_eq!(verify_email(&app, &new).await.status(), 200);
    // A verified account gets no more links.
    assert_eq!(resend("again@example.com").await.status(), 202);
    actix_web::rt::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(mails_to(sink.dir(), "again@example.com").len(), 2);
    assert!(mails_to(sink.dir(), "nobody@example.com").is_empty());
}

async fn only_a_verification_token_verifies(backend: Backend) {
    let (app, sink) = app_with_smtp(backend, &[("AUTHD_MAIL_COOLDOWN", "0")]).await;
    app.signed_up("kinds@example.com").await;
    for forged in ["", "short", &"A".repeat(43), &"é".repeat(43)] {
        assert_error(verify_email(&app, forged).await, 400, "invalid_token_link").await;
    }
    let reset = json!({"email": "kinds@example.com"});
    assert_eq!(
        app.post_json("/v1/auth/password-reset", &reset)
            .await
            .status(),
        202
    );
    let mails = wait_for_mails(sink.dir(), "kinds@example.com", 2).await;
    let reset_token = token_in(
        mails
            .iter()
            .find(|m| m.contains("reset-password#"))
            .unwrap(),
    );
    assert_error(
        verify_email(&app, &reset_token).await,
        400,
        "invalid_token_link",
    )
    .await;
    let missing = app.post_json("/v1/auth/verify-email", &json!({})).await;
    assert_error(missing, 400, "invalid_request").await;
}

backend_tests!(
    an_expired_verification_link_is_refused,
    login_waits_for_the_link_when_verification_is_required,
    a_resent_link_replaces_the_old_one,
    only_a_verification_token_verifies,
);
