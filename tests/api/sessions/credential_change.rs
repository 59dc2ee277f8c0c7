//! A credential change (password change or reset, logout-all, an operator's disable or logout) retires every
//! way back in that was handed out before it: mailed links, pending `mfa_token`s and device tokens. The attacker
//! held the owner's session for a while and used it to ask for these.

use serde_json::{Value, json};

use crate::helpers::{
    Backend, PASSWORD, TestApp, assert_error, assert_invalid_grant, mail_with, spawn_app_with,
    token_in, wait_for_mails,
};
use crate::mail::delivery::verify_email;
use crate::mfa::{enrolled, mfa_token, pyotp_at, steady_now};

const OWNER: &str = "owner@example.com";
const THIEF: &str = "thief@example.com";
const NEW_PASSWORD: &str = "the owner's fresh and long passphrase";

async fn spawn(backend: Backend) -> TestApp {
    spawn_app_with(
        backend,
        &[
            ("AUTHD_MAIL_COOLDOWN", "0"),
            ("AUTHD_ADMIN_BIND", "127.0.0.1:0"),
        ],
    )
    .await
}

/// The attacker, holding the owner's access token, asks to move the account to their own address; returns the
/// link mailed there.
async fn thief_asks_for_the_address(app: &TestApp, access: &str) -> String {
    let body = json!({"new_email": THIEF, "password": PASSWORD});
    let response = app.post_bearer("/v1/me/email", access, Some(&body)).await;
    assert_eq!(response.status(), 202);
    token_in(&wait_for_mails(&app.outbox(), THIEF, 1).await[0])
}

/// A reset link for the owner (after the signup's verification mail and the email-change notice).
async fn reset_link(app: &TestApp) -> String {
    let response = app
        .post_json("/v1/auth/password-reset", &json!({"email": OWNER}))
        .await;
    assert_eq!(response.status(), 202);
    let mails = wait_for_mails(&app.outbox(), OWNER, 3).await;
    token_in(mail_with(&mails, "reset-password#"))
}

async fn change_password(app: &TestApp, access: &str) {
    let body = json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD});
    let response = app
        .post_bearer("/v1/me/password", access, Some(&body))
        .await;
    assert_eq!(response.status(), 204);
}

/// The link is dead and the account did not move.
async fn assert_link_dead(app: &TestApp, link: &str, password: &str) {
    assert_error(verify_email(app, link).await, 400, "invalid_token_link").await;
    let tokens: Value = app.login(OWNER, password).await.json().await.unwrap();
    assert_eq!(tokens["user"]["email"], OWNER, "{tokens}");
    assert_error(app.login(THIEF, password).await, 401, "invalid_credentials").await;
}

async fn a_password_change_retires_the_email_change_and_reset_links(backend: Backend) {
    let app = spawn(backend).await;
    let access = app.signed_up(OWNER).await.access_token;
    let change = thief_asks_for_the_address(&app, &access).await;
    let reset = reset_link(&app).await;
    change_password(&app, &access).await;
    assert_link_dead(&app, &change, NEW_PASSWORD).await;
    let body = json!({"token": reset, "new_password": "the attacker's own long passphrase"});
    let confirmed = app
        .post_json("/v1/auth/password-reset/confirm", &body)
        .await;
    assert_error(confirmed, 400, "invalid_token_link").await;
    assert_eq!(app.login(OWNER, NEW_PASSWORD).await.status(), 200);
}

async fn logout_all_retires_the_email_change_link(backend: Backend) {
    let app = spawn(backend).await;
    let access = app.signed_up(OWNER).await.access_token;
    let change = thief_asks_for_the_address(&app, &access).await;
    let response = app.post_bearer("/v1/auth/logout-all", &access, None).await;
    assert_eq!(response.status(), 204);
    assert_link_dead(&app, &change, PASSWORD).await;
}

/// A challenge the attacker got with the password dies when the owner logs out everywhere, changes the
/// password, or an operator acts; `mfa_token`s issued afterwards work.
async fn pending_mfa_tokens_die_with_every_credential_change(backend: Backend) {
    let app = spawn(backend).await;
    let owner = enrolled(&app, OWNER).await;
    let key = app.admin_key("ops", false);
    let id = app.get("/v1/me", Some(&owner.access_token)).await;
    let id = id.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for action in ["logout-all", "admin-logout", "admin-disable"] {
        let pending = mfa_token(&app, OWNER).await;
        let response = match action {
            // The signup session: the only one an MFA account has without a code.
            "logout-all" => {
                let access = &owner.access_token;
                app.post_bearer("/v1/auth/logout-all", access, None).await
            }
            admin => {
                let verb = admin.trim_start_matches("admin-");
                let url = app.admin_url(&format!("/admin/v1/users/{id}/{verb}"));
                app.client.post(url).bearer_auth(&key).send().await.unwrap()
            }
        };
        assert!(response.status().is_success(), "{action}");
        let now = steady_now().await;
        let body = json!({"mfa_token": pending, "code": pyotp_at(&owner.secret, now)});
        let response = app.post_json("/v1/auth/mfa", &body).await;
        // Spent with the other pending credentials: the same answer as a used mfa_token.
        assert_invalid_grant(response, "already_used").await;
    }
    // Still disabled: the password step answers, with a fresh challenge, only once the operator enables it.
    let enable = app.admin_url(&format!("/admin/v1/users/{id}/enable"));
    let response = app.client.post(enable).bearer_auth(&key).send().await;
    assert!(response.unwrap().status().is_success());
    let pending = mfa_token(&app, OWNER).await;
    let now = steady_now().await;
    let body = json!({"mfa_token": pending, "code": pyotp_at(&owner.secret, now)});
    assert_eq!(app.post_json("/v1/auth/mfa", &body).await.status(), 200);
}

async fn an_operator_s_disable_and_logout_retire_mailed_links(backend: Backend) {
    let app = spawn(backend).await;
    let owner = app.signed_up(OWNER).await;
    let key = app.admin_key("ops", false);
    for verb in ["logout", "disable"] {
        let access = app.fresh_access_token(OWNER).await;
        let change = thief_asks_for_the_address(&app, &access).await;
        let url = app.admin_url(&format!("/admin/v1/users/{}/{verb}", owner.user.id));
        let response = app.client.post(url).bearer_auth(&key).send().await.unwrap();
        assert_eq!(response.status(), 200, "{verb}");
        assert_error(verify_email(&app, &change).await, 400, "invalid_token_link").await;
    }
    let me = app.admin_url(&format!("/admin/v1/users/{}", owner.user.id));
    let user: Value = app
        .client
        .get(me)
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(user["user"]["email"], OWNER, "{user}");
}

/// Deleting the account spends its pending links too (a guard: the link's own transaction also refused it before).
async fn an_operator_s_delete_retires_mailed_links(backend: Backend) {
    let app = spawn(backend).await;
    let owner = app.signed_up(OWNER).await;
    let change = thief_asks_for_the_address(&app, &owner.access_token).await;
    let key = app.admin_key("ops", false);
    let url = app.admin_url(&format!("/admin/v1/users/{}", owner.user.id));
    let response = app
        .client
        .delete(url)
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_error(verify_email(&app, &change).await, 400, "invalid_token_link").await;
    // The address was never taken by the deleted row: a new account can have it.
    assert_eq!(app.signup(THIEF, PASSWORD).await.status(), 201);
}

/// Device tokens collected while the old password was known bring no failure budget of their own once it
/// changed: each is ignored (no error), so the account's ceiling holds; one minted after the change still works.
async fn device_tokens_minted_before_a_password_change_no_longer_pass_the_ceiling(
    backend: Backend,
) {
    old_device_tokens_are_ignored(crate::sessions::device_tokens::spawn(backend).await).await;
}

/// The same with the ceilings counted in Redis.
#[actix_web::test]
async fn with_redis_device_tokens_minted_before_a_password_change_no_longer_pass_the_ceiling() {
    let Some(redis) = crate::helpers::redis_url().await else {
        return;
    };
    let prefix = format!("authd-test:{}:", uuid::Uuid::new_v4().simple());
    let vars = [
        ("AUTHD_REDIS_URL", redis.as_str()),
        ("AUTHD_REDIS_PREFIX", prefix.as_str()),
        ("AUTHD_TRUSTED_PROXIES", "127.0.0.1/32"),
        ("AUTHD_RATE_LIMIT_LOGIN_IP", "1000/min"),
        ("AUTHD_RATE_LIMIT_LOGIN_ACCOUNT", "5/hour"),
        ("AUTHD_RATE_LIMIT_LOGIN_DEVICE", "3/hour"),
    ];
    old_device_tokens_are_ignored(spawn_app_with(Backend::Sqlite, &vars).await).await;
}

async fn old_device_tokens_are_ignored(app: TestApp) {
    use crate::sessions::device_tokens::{assert_account_limited, attack, device_token_of, login};
    let access = app.signed_up(OWNER).await.access_token;
    let mut old = vec![];
    for n in 0..3 {
        let from = format!("203.0.113.{}", n + 1);
        old.push(device_token_of(login(&app, &from, OWNER, PASSWORD, None).await).await);
    }
    change_password(&app, &access).await;
    let fresh = login(&app, "203.0.113.9", OWNER, NEW_PASSWORD, None).await;
    let fresh = device_token_of(fresh).await;
    attack(&app, OWNER, 5, 0).await;
    for (n, token) in old.iter().enumerate() {
        let from = format!("192.0.2.{}", n + 1);
        let response = login(&app, &from, OWNER, NEW_PASSWORD, Some(token)).await;
        assert_account_limited(response, "login-account").await;
    }
    let response = login(&app, "192.0.2.50", OWNER, NEW_PASSWORD, Some(&fresh)).await;
    assert_eq!(response.status(), 200);
}

backend_tests!(
    a_password_change_retires_the_email_change_and_reset_links,
    logout_all_retires_the_email_change_link,
    pending_mfa_tokens_die_with_every_credential_change,
    an_operator_s_disable_and_logout_retire_mailed_links,
    an_operator_s_delete_retires_mailed_links,
    device_tokens_minted_before_a_password_change_no_longer_pass_the_ceiling,
);
