//! With `AUTHD_REQUIRE_VERIFIED_EMAIL=true`, signup tells no one who has an account: a taken address gets the
//! answer a new one gets, after the same hashing, and its owner is mailed instead (once per mail cooldown).
//! Without it, `409 email_taken` stays (signup then opens a session at once, so it cannot hide the account).

use serde_json::{Value, json};

use crate::helpers::{
    Backend, PASSWORD, assert_error, mail_with, mails_to, spawn_app_with, wait_for_mails,
};

const NOTICE: &str = "Subject: Someone tried to sign up to authd with your address";

async fn a_taken_address_answers_as_a_new_one_and_its_owner_is_told(backend: Backend) {
    let vars = [
        ("AUTHD_REQUIRE_VERIFIED_EMAIL", "true"),
        ("AUTHD_MAIL_COOLDOWN", "0"),
    ];
    let app = spawn_app_with(backend, &vars).await;
    let new = app.signup("owner@example.com", PASSWORD).await;
    let taken = app
        .signup(
            "Owner@Example.com",
            "another long passphrase of the attacker",
        )
        .await;
    assert_eq!((new.status().as_u16(), taken.status().as_u16()), (202, 202));
    assert_eq!(
        new.headers()["cache-control"],
        taken.headers()["cache-control"]
    );
    let (new, taken): (Value, Value) = (new.json().await.unwrap(), taken.json().await.unwrap());
    assert_eq!(new, json!({"status": "verification_required"}));
    assert_eq!(taken, new);
    // The policy (and so the hashing) runs before the address is looked at: the same refusal either way.
    for email in ["owner@example.com", "fresh@example.com"] {
        assert_error(app.signup(email, "password1").await, 422, "weak_password").await;
    }
    let mails = wait_for_mails(&app.outbox(), "owner@example.com", 2).await;
    let notice = mail_with(&mails, NOTICE);
    assert!(
        notice.contains("sign in with your existing account"),
        "{notice}"
    );
    assert!(notice.contains("reset it"), "{notice}");
    assert!(
        !notice.contains("#token="),
        "no link that does anything: {notice}"
    );
    // Nothing about the account changed: its password is the owner's.
    assert_error(
        app.login(
            "owner@example.com",
            "another long passphrase of the attacker",
        )
        .await,
        401,
        "invalid_credentials",
    )
    .await;
    assert_error(
        app.login("owner@example.com", PASSWORD).await,
        403,
        "email_not_verified",
    )
    .await;
}

/// The notice is a mail like any link mail: at most one per address per cooldown.
async fn the_owner_s_notice_respects_the_mail_cooldown(backend: Backend) {
    let vars = [
        ("AUTHD_REQUIRE_VERIFIED_EMAIL", "true"),
        ("AUTHD_MAIL_COOLDOWN", "1h"),
    ];
    let app = spawn_app_with(backend, &vars).await;
    assert_eq!(app.signup("busy@example.com", PASSWORD).await.status(), 202);
    for _ in 0..3 {
        assert_eq!(app.signup("busy@example.com", PASSWORD).await.status(), 202);
    }
    wait_for_mails(&app.outbox(), "busy@example.com", 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let mails = mails_to(&app.outbox(), "busy@example.com");
    assert_eq!(mails.len(), 1, "the signup's own link only");
    assert!(!mails[0].contains(NOTICE));
}

/// Without verification required, a taken address is still `409 email_taken`, and nobody is mailed.
async fn without_verification_required_a_taken_address_is_409(backend: Backend) {
    let app = spawn_app_with(backend, &[("AUTHD_MAIL_COOLDOWN", "0")]).await;
    assert_eq!(app.signup("open@example.com", PASSWORD).await.status(), 201);
    let taken = app.signup("open@example.com", PASSWORD).await;
    assert_error(taken, 409, "email_taken").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let mails = mails_to(&app.outbox(), "open@example.com");
    assert!(mails.iter().all(|m| !m.contains(NOTICE)), "{mails:?}");
}

backend_tests!(
    a_taken_address_answers_as_a_new_one_and_its_owner_is_told,
    the_owner_s_notice_respects_the_mail_cooldown,
    without_verification_required_a_taken_address_is_409,
);
