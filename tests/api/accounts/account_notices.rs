//! Every change to the ways into an account (TOTP on or off, new recovery codes, password or address changed; a
//! provider linked or unlinked in `oidc::linking`) is written to the owner's trail and mailed to the owner.

use serde_json::json;

use crate::helpers::{
    Backend, PASSWORD, TestApp, account_changes, enable_totp, mail_with, mails_to, pyotp_at,
    spawn_app_with, token_in, trail, wait_for_mails,
};
use crate::mail::delivery::verify_email;

const OWNER: &str = "owner@example.com";

/// Turns TOTP on, asks for new recovery codes, and turns it off again.
async fn cycle_totp(app: &TestApp, access: &str) {
    let body = json!({"password": PASSWORD});
    let (secret, now, _) = enable_totp(app, access, Some(&body)).await;
    let secret = secret.as_str();
    let code = json!({"code": pyotp_at(secret, now), "password": PASSWORD});
    let response = app
        .post_bearer("/v1/me/mfa/recovery-codes", access, Some(&code))
        .await;
    assert_eq!(response.status(), 200);
    let code = json!({"code": pyotp_at(secret, now + 30), "password": PASSWORD});
    let response = app
        .post_bearer("/v1/me/mfa/totp/disable", access, Some(&code))
        .await;
    assert_eq!(response.status(), 204);
}

/// Turning TOTP on and off, new recovery codes and a password change each write an `account_change` (or
/// `password_change`) event and mail the owner a notice.
async fn each_change_is_audited_and_mailed(backend: Backend) {
    let app = spawn_app_with(backend, &[]).await;
    let access = app.signed_up(OWNER).await.access_token;
    cycle_totp(&app, &access).await;
    let change = json!({"current_password": PASSWORD, "new_password": "a new password 123"});
    let response = app
        .post_bearer("/v1/me/password", &access, Some(&change))
        .await;
    assert_eq!(response.status(), 204);
    let changes = account_changes(&app, &access).await;
    let expected = [
        "totp_disabled",
        "recovery_codes_regenerated",
        "totp_enabled",
    ];
    assert_eq!(changes, expected.map(|c| json!(c)));
    assert!(
        trail(&app, &access)
            .await
            .iter()
            .any(|(kind, ..)| kind == "password_change")
    );
    // The signup's verification mail, then the four notices.
    let mails = wait_for_mails(&app.outbox(), OWNER, 5).await;
    for needle in [
        "two-factor authentication (an authenticator app) was turned on",
        "new recovery codes were created",
        "two-factor authentication was turned off",
        "the password was changed",
    ] {
        let found = mails.iter().filter(|m| m.contains(needle)).count();
        assert!(found >= 1, "no notice with {needle:?}: {mails:?}");
    }
    let notices = mails_to(&app.outbox(), OWNER)
        .into_iter()
        .filter(|m| m.contains("If this was you, there is nothing to do"))
        .count();
    assert_eq!(notices, 4);
}

/// A completed email change: the address it left is told, and the trail records it.
async fn a_completed_email_change_is_audited_and_told_to_the_old_address(backend: Backend) {
    let app = spawn_app_with(backend, &[]).await;
    let access = app.signed_up(OWNER).await.access_token;
    let body = json!({"new_email": "moved@example.com", "password": PASSWORD});
    let response = app.post_bearer("/v1/me/email", &access, Some(&body)).await;
    assert_eq!(response.status(), 202);
    let link = wait_for_mails(&app.outbox(), "moved@example.com", 1).await;
    let response = verify_email(&app, &token_in(&link[0])).await;
    assert_eq!(response.status(), 200);
    // The signup's verification mail, the change request's notice, then the move's.
    let mails = wait_for_mails(&app.outbox(), OWNER, 3).await;
    mail_with(
        &mails,
        "the email address was changed; this address no longer signs in",
    );
    let changes = account_changes(&app, &access).await;
    assert_eq!(changes, [json!("email_changed")]);
}

backend_tests!(
    each_change_is_audited_and_mailed,
    a_completed_email_change_is_audited_and_told_to_the_old_address,
);
