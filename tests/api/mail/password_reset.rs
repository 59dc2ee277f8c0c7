//! Password reset: the same answer for every address, a link that works once, only the newest, for 30 minutes at
//! most, and a reset that ends every session.

use serde_json::{Value, json};

use crate::helpers::{
    Backend, PASSWORD, TcpProxy, TestApp, assert_error, assert_invalid_token, mail_with, mails_to,
    spawn_app_mapped, token_in, wait_for_mails,
};
use crate::mail::delivery::app_with_smtp;

const NEW_PASSWORD: &str = "a brand new and rather long passphrase";

async fn request_reset(app: &TestApp, email: &str) -> reqwest::Response {
    app.post_json("/v1/auth/password-reset", &json!({"email": email}))
        .await
}

async fn confirm(app: &TestApp, token: &str, new_password: &str) -> reqwest::Response {
    let body = json!({"token": token, "new_password": new_password});
    app.post_json("/v1/auth/password-reset/confirm", &body)
        .await
}

async fn known_and_unknown_addresses_get_the_same_answer(backend: Backend) {
    let (app, sink) = app_with_smtp(backend, &[]).await;
    app.signed_up("known@example.com").await;
    let known = request_reset(&app, "known@example.com").await;
    let unknown = request_reset(&app, "unknown@example.com").await;
    assert_eq!(
        (known.status().as_u16(), unknown.status().as_u16()),
        (202, 202)
    );
    let (known, unknown) = (known.text().await.unwrap(), unknown.text().await.unwrap());
    assert_eq!(known, unknown);
    assert_eq!(
        serde_json::from_str::<Value>(&known).unwrap(),
        json!({"status": "accepted"})
    );
    assert_error(
        request_reset(&app, "not an address").await,
        422,
        "invalid_email",
    )
    .await;
    // The known address's mails (verification, reset), and nothing for the unknown one.
    wait_for_mails(sink.dir(), "known@example.com", 1).await;
    assert!(mails_to(sink.dir(), "unknown@example.com").is_empty());
}

async fn a_reset_link_works_once_and_ends_every_session(backend: Backend) {
    let (app, sink) = app_with_smtp(backend, &[("AUTHD_MAIL_COOLDOWN", "0")]).await;
    let first = app.signed_up("reset@example.com").await;
    let second = app.logged_in("reset@example.com").await;
    assert_eq!(request_reset(&app, "reset@example.com").await.status(), 202);
    let mails = wait_for_mails(sink.dir(), "reset@example.com", 2).await;
    let mail = mail_with(&mails, "reset-password#");
    assert!(
        mail.contains("http://authd.test/reset-password#token="),
        "{mail}"
    );
    let token = token_in(mail);

    // A refused password does not spend the link.
    assert_error(
        confirm(&app, &token, "password1").await,
        422,
        "weak_password",
    )
    .await;
    assert_eq!(confirm(&app, &token, NEW_PASSWORD).await.status(), 204);
    assert_error(
        confirm(&app, &token, NEW_PASSWORD).await,
        400,
        "invalid_token_link",
    )
    .await;

    for session in [&first, &second] {
        assert_error(
            app.refresh(&session.refresh_token).await,
            401,
            "invalid_grant",
        )
        .await;
        let me = app.get("/v1/me", Some(&session.access_token)).await;
        assert_invalid_token(me, "session_revoked").await;
    }
    let old = app.login("reset@example.com", PASSWORD).await;
    assert_error(old, 401, "invalid_credentials").await;
    let tokens = app.login("reset@example.com", NEW_PASSWORD).await;
    let tokens: Value = tokens.json().await.unwrap();
    // Opening the mailed link proved the address.
    assert_eq!(tokens["user"]["email_verified"], true);
    let mails = wait_for_mails(sink.dir(), "reset@example.com", 3).await;
    let notice = mail_with(&mails, "password was changed");
    assert!(notice.contains("password was changed"), "{notice}");
}

async fn only_the_newest_reset_link_works(backend: Backend) {
    let (app, sink) = app_with_smtp(backend, &[("AUTHD_MAIL_COOLDOWN", "0")]).await;
    app.signed_up("twice@example.com").await;
    // Each mail waited for, so they arrive in the order they were made.
    wait_for_mails(sink.dir(), "twice@example.com", 1).await;
    request_reset(&app, "twice@example.com").await;
    wait_for_mails(sink.dir(), "twice@example.com", 2).await;
    request_reset(&app, "twice@example.com").await;
    let mails = wait_for_mails(sink.dir(), "twice@example.com", 3).await;
    let (older, newer) = (token_in(&mails[1]), token_in(&mails[2]));
    // The signup's verification token is no reset token.
    let verification = token_in(&mails[0]);
    assert_error(
        confirm(&app, &verification, NEW_PASSWORD).await,
        400,
        "invalid_token_link",
    )
    .await;
    assert_error(
        confirm(&app, &older, NEW_PASSWORD).await,
        400,
        "invalid_token_link",
    )
    .await;
    assert_eq!(confirm(&app, &newer, NEW_PASSWORD).await.status(), 204);
}

async fn an_expired_reset_link_is_refused(backend: Backend) {
    let vars = [
        ("AUTHD_MAIL_COOLDOWN", "0"),
        ("AUTHD_PASSWORD_RESET_TTL", "1s"),
    ];
    let (app, sink) = app_with_smtp(backend, &vars).await;
    app.signed_up("slow@example.com").await;
    request_reset(&app, "slow@example.com").await;
    let mails = wait_for_mails(sink.dir(), "slow@example.com", 2).await;
    let token = token_in(mail_with(&mails, "reset-password#"));
    actix_web::rt::time::sleep(std::time::Duration::from_millis(2_100)).await;
    assert_error(
        confirm(&app, &token, NEW_PASSWORD).await,
        400,
        "invalid_token_link",
    )
    .await;
    assert_eq!(app.login("slow@example.com", PASSWORD).await.status(), 200);
}

/// One link of each kind per address per cooldown: a reset asked for right after signup still arrives (the
/// verification mail has its own slot), and 40 resets at once, or an unknown address's, mail nothing more.
async fn one_address_gets_one_link_of_each_kind_per_cooldown(backend: Backend) {
    // The per-IP mail budget is out of the way: the cooldown alone holds the mails back.
    let vars = [("AUTHD_RATE_LIMIT_MAIL_IP", "1000/min")];
    let (app, sink) = app_with_smtp(backend, &vars).await;
    for _ in 0..3 {
        assert_eq!(
            request_reset(&app, "victim@example.com").await.status(),
            202
        );
    }
    app.signed_up("victim2@example.com").await;
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(40));
    let requests = (0..40).map(|_| {
        let (app, barrier) = (&app, barrier.clone());
        async move {
            barrier.wait().await;
            request_reset(app, "victim2@example.com").await.status()
        }
    });
    for status in futures::future::join_all(requests).await {
        assert_eq!(status, 202);
    }
    let mails = wait_for_mails(sink.dir(), "victim2@example.com", 2).await;
    actix_web::rt::time::sleep(std::time::Duration::from_millis(500)).await;
    let mails_now = mails_to(sink.dir(), "victim2@example.com");
    assert_eq!(mails_now.len(), 2, "{mails:?}");
    mail_with(&mails_now, "verify-email#");
    mail_with(&mails_now, "reset-password#");
    assert!(mails_to(sink.dir(), "victim@example.com").is_empty());
}

/// The answer does not wait for the look-up: with the database cut off it is still the same `202`, at once.
#[actix_web::test]
async fn the_answer_does_not_wait_for_the_account_look_up() {
    let Some(Backend::Postgres(admin)) = Backend::postgres() else {
        return;
    };
    let proxy = TcpProxy::for_url(&admin).await;
    let vars = [("AUTHD_MAIL_COOLDOWN", "0")];
    let app = spawn_app_mapped(Backend::Postgres(admin), &vars, |url| proxy.route(&url)).await;
    app.signed_up("cut@example.com").await;
    proxy.cut();
    let started = std::time::Instant::now();
    let cut = request_reset(&app, "cut@example.com").await;
    assert!(
        started.elapsed() < std::time::Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(cut.status(), 202);
    assert_eq!(
        cut.json::<Value>().await.unwrap(),
        json!({"status": "accepted"})
    );
    proxy.restore();
}

backend_tests!(
    known_and_unknown_addresses_get_the_same_answer,
    a_reset_link_works_once_and_ends_every_session,
    only_the_newest_reset_link_works,
    an_expired_reset_link_is_refused,
    one_address_gets_one_link_of_each_kind_per_cooldown,
);
