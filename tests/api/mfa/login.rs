//! Enrolment and the two-step login.

use serde_json::{Value, json};

use super::{Enrolled, complete, enrolled, level, mfa_token, pyotp_at, steady_now};
use crate::helpers::{
    Backend, PASSWORD, TestApp, assert_error, assert_invalid_grant, mfa_status, spawn_app,
    two_step_login,
};

/// Enrolment as the user sees it: the secret as base32, as an `otpauth://` URI and as a QR code, no-store; the
/// factor is pending and login does not ask for it yet. Returns the secret.
async fn start_enrolment(app: &TestApp, token: &str) -> String {
    let response = app
        .post_bearer(
            "/v1/me/mfa/totp",
            token,
            Some(&json!({"password": PASSWORD})),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let enrolment: Value = response.json().await.unwrap();
    let secret = enrolment["secret"].as_str().unwrap();
    assert_eq!(secret.len(), 32, "160 bits in base32");
    let uri = enrolment["otpauth_uri"].as_str().unwrap();
    assert_eq!(
        uri,
        format!(
            "otpauth://totp/authd:totp%40example.com?secret={secret}&issuer=authd&algorithm=SHA1&digits=6&period=30"
        )
    );
    assert!(enrolment["qr_svg"].as_str().unwrap().starts_with("<?xml"));
    assert_eq!(
        mfa_status(app, token).await,
        json!({"enabled": false, "pending": true, "recovery_codes_left": 0})
    );
    // A pending factor changes nothing about login yet.
    assert!(app.logged_in("totp@example.com").await.access_token.len() > 10);
    secret.to_owned()
}

/// `POST /v1/me/mfa/totp/confirm` with `code`.
async fn confirm(app: &TestApp, token: &str, code: String) -> reqwest::Response {
    let body = json!({"code": code});
    app.post_bearer("/v1/me/mfa/totp/confirm", token, Some(&body))
        .await
}

/// A wrong code and codes two steps away are refused; the code of `now` confirms and gives ten recovery codes.
async fn confirm_with_a_pyotp_code(app: &TestApp, token: &str, secret: &str, now: i64) {
    let wrong = format!(
        "{:06}",
        (pyotp_at(secret, now).parse::<u32>().unwrap() + 1) % 1_000_000
    );
    assert_error(confirm(app, token, wrong).await, 401, "invalid_code").await;
    for drifted in [now - 60, now + 60] {
        let response = confirm(app, token, pyotp_at(secret, drifted)).await;
        assert_error(response, 401, "invalid_code").await;
    }
    let response = confirm(app, token, pyotp_at(secret, now)).await;
    assert_eq!(response.status(), 200);
    let codes: Value = response.json().await.unwrap();
    let codes = codes["recovery_codes"].as_array().unwrap();
    assert_eq!(codes.len(), 10);
    assert!(codes.iter().all(|c| c.as_str().unwrap().len() == 14));
}

async fn enrolment_shows_the_secret_three_ways_and_confirms_with_a_pyotp_code(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.signed_up("totp@example.com").await.access_token;
    let secret = start_enrolment(&app, &token).await;
    let now = steady_now().await;
    confirm_with_a_pyotp_code(&app, &token, &secret, now).await;
    let me: Value = app.get("/v1/me", Some(&token)).await.json().await.unwrap();
    assert_eq!(me["mfa_enabled"], true);
    assert_eq!(
        mfa_status(&app, &token).await,
        json!({"enabled": true, "pending": false, "recovery_codes_left": 10})
    );
    // Enabled is final until disabled.
    let again = app
        .post_bearer(
            "/v1/me/mfa/totp",
            &token,
            Some(&json!({"password": PASSWORD})),
        )
        .await;
    assert_error(again, 409, "mfa_already_enabled").await;
    let again = confirm(&app, &token, pyotp_at(&secret, now + 30)).await;
    assert_error(again, 409, "mfa_already_enabled").await;
}

async fn login_needs_the_code_which_then_works_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let Enrolled {
        email, secret, now, ..
    } = enrolled(&app, "two@example.com").await;
    let code = pyotp_at(&secret, now);
    let response = two_step_login(&app, &email, &code).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let tokens: Value = response.json().await.unwrap();
    assert!(tokens["device_token"].is_string());
    assert!(tokens.get("recovery_codes_left").is_none());
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(level(access), (json!(["pwd", "otp"]), json!("aal2")));
    assert_eq!(app.get("/v1/me", Some(access)).await.status(), 200);
    // The same code again, even inside its window and with a fresh mfa_token: refused.
    let replay = two_step_login(&app, &email, &code).await;
    assert_error(replay, 401, "invalid_code").await;
    // Refreshing keeps the session's level.
    let refreshed = app.refresh(tokens["refresh_token"].as_str().unwrap()).await;
    let refreshed: Value = refreshed.json().await.unwrap();
    assert_eq!(
        level(refreshed["access_token"].as_str().unwrap()),
        (json!(["pwd", "otp"]), json!("aal2"))
    );
    // One step ahead is accepted; two are not (nor two behind).
    let token = mfa_token(&app, &email).await;
    for far in [now - 60, now + 60] {
        let response = complete(
            &app,
            json!({"mfa_token": token, "code": pyotp_at(&secret, far)}),
        )
        .await;
        assert_error(response, 401, "invalid_code").await;
    }
    let ahead = complete(
        &app,
        json!({"mfa_token": token, "code": pyotp_at(&secret, now + 30)}),
    )
    .await;
    assert_eq!(ahead.status(), 200);
    // A used mfa_token is dead, and the answer says it was used (no session ended).
    let used = complete(
        &app,
        json!({"mfa_token": token, "code": pyotp_at(&secret, now + 30)}),
    )
    .await;
    let body = assert_error(used, 401, "invalid_grant").await;
    assert_eq!(body["reason"], "already_used", "{body}");
    let description = body["error_description"].as_str().unwrap();
    assert!(description.contains("mfa_token was already used"), "{body}");
    assert!(!description.contains("session"), "{body}");
}

async fn five_wrong_codes_burn_the_mfa_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let Enrolled {
        email, secret, now, ..
    } = enrolled(&app, "burn@example.com").await;
    let token = mfa_token(&app, &email).await;
    let right = pyotp_at(&secret, now);
    let wrong = format!(
        "{:06}",
        (right.parse::<u32>().unwrap() + 500_000) % 1_000_000
    );
    for _ in 0..5 {
        let response = complete(&app, json!({"mfa_token": token, "code": wrong})).await;
        assert_error(response, 401, "invalid_code").await;
    }
    let late = complete(&app, json!({"mfa_token": token, "code": right})).await;
    assert_invalid_grant(late, "already_used").await;
    // The code itself was not spent: a new login can use it.
    let fresh = complete(
        &app,
        json!({"mfa_token": mfa_token(&app, &email).await, "code": right}),
    )
    .await;
    assert_eq!(fresh.status(), 200);
}

async fn the_mfa_token_and_the_other_tokens_never_pass_for_each_other(backend: Backend) {
    let app = spawn_app(backend).await;
    let Enrolled {
        email,
        secret,
        now,
        access_token,
        ..
    } = enrolled(&app, "kinds@example.com").await;
    let token = mfa_token(&app, &email).await;
    let as_bearer = app.get("/v1/me", Some(&token)).await;
    crate::helpers::assert_invalid_token(as_bearer, "wrong_type").await;
    assert_invalid_grant(app.refresh(&token).await, "wrong_type").await;
    let signup = app.signed_up("plain@example.com").await;
    let logged_in = app.logged_in("plain@example.com").await;
    let code = pyotp_at(&secret, now);
    for other in [
        access_token.as_str(),
        signup.refresh_token.as_str(),
        logged_in.device_token.as_deref().unwrap(),
        "not.a.token",
    ] {
        let response = complete(&app, json!({"mfa_token": other, "code": code})).await;
        assert_eq!(response.status(), 401, "{other}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "invalid_grant");
    }
    // Neither code nor recovery code, or both: a bad request, and the token stays usable.
    for body in [
        json!({"mfa_token": token}),
        json!({"mfa_token": token, "code": code, "recovery_code": "x"}),
    ] {
        assert_error(complete(&app, body).await, 400, "invalid_request").await;
    }
    assert_eq!(
        complete(&app, json!({"mfa_token": token, "code": code}))
            .await
            .status(),
        200
    );
}

async fn a_recovery_code_works_once_and_counts_down(backend: Backend) {
    let app = spawn_app(backend).await;
    let Enrolled {
        email,
        recovery_codes,
        ..
    } = enrolled(&app, "rcv@example.com").await;
    // Typed in capitals and without dashes, as people do.
    let typed = recovery_codes[3].to_uppercase().replace('-', "");
    let response = complete(
        &app,
        json!({"mfa_token": mfa_token(&app, &email).await, "recovery_code": typed}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let tokens: Value = response.json().await.unwrap();
    assert_eq!(tokens["recovery_codes_left"], 9);
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(level(access), (json!(["pwd", "rcv"]), json!("aal2")));
    let again = complete(
        &app,
        json!({"mfa_token": mfa_token(&app, &email).await, "recovery_code": recovery_codes[3]}),
    )
    .await;
    assert_error(again, 401, "invalid_code").await;
    let status: Value = app
        .get("/v1/me/mfa", Some(access))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["recovery_codes_left"], 9);
    let other = complete(
        &app,
        json!({"mfa_token": mfa_token(&app, &email).await, "recovery_code": recovery_codes[0]}),
    )
    .await;
    let other: Value = other.json().await.unwrap();
    assert_eq!(other["recovery_codes_left"], 8);
    // The owner is told each time, with the count (four mails: the signup's confirmation, the notice that
    // TOTP was turned on, and the two recovery-code notices; waiting for three raced the last one).
    let mails = crate::helpers::wait_for_mails(&app.outbox(), &email, 4).await;
    let notices: Vec<&String> = mails
        .iter()
        .filter(|m| m.contains("recovery code"))
        .collect();
    assert_eq!(notices.len(), 2, "{mails:?}");
    assert!(
        notices
            .iter()
            .any(|m| m.contains("8 unused recovery codes are left"))
    );
    assert!(
        notices
            .iter()
            .all(|m| !m.contains(&recovery_codes[0]) && !m.contains(&recovery_codes[3]))
    );
}

async fn accounts_without_mfa_log_in_at_aal1(backend: Backend) {
    let app = spawn_app(backend).await;
    let signup = app.signed_up("aal1@example.com").await;
    assert_eq!(level(&signup.access_token), (json!(["pwd"]), json!("aal1")));
    let response = app.login("aal1@example.com", PASSWORD).await;
    let body: Value = response.json().await.unwrap();
    assert!(body.get("mfa_required").is_none());
    let me: Value = app
        .get("/v1/me", Some(&signup.access_token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["mfa_enabled"], false);
}

async fn the_database_holds_no_plaintext_secret(backend: Backend) {
    let app = spawn_app(backend).await;
    let Enrolled { secret, .. } = enrolled(&app, "dump@example.com").await;
    let stored = stored_secret(&app);
    assert!(!stored.contains(&secret) && !stored.to_lowercase().contains(&secret.to_lowercase()));
    let raw = data_encoding::BASE32_NOPAD
        .decode(secret.as_bytes())
        .unwrap();
    let sealed = base64_decode(&stored);
    assert!(
        !sealed.windows(raw.len()).any(|w| w == raw),
        "the raw secret is in the row"
    );
    assert_eq!(sealed.len(), 24 + 20 + 16, "nonce, ciphertext, tag");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(app.key_dir.join("mfa.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

/// The `secret_sealed` column of the only factor, read straight from the database.
fn stored_secret(app: &TestApp) -> String {
    use diesel::prelude::*;
    let url = authd::config::DatabaseUrl::parse(&app.vars["AUTHD_DATABASE_URL"]).unwrap();
    let mut conn = authd::db::connect(&url).unwrap();
    let rows: Vec<String> = authd::db::schema::totp_factors::table
        .select(authd::db::schema::totp_factors::secret_sealed)
        .load(&mut conn)
        .unwrap();
    assert_eq!(rows.len(), 1);
    rows[0].clone()
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(text)
        .unwrap()
}

backend_tests!(
    enrolment_shows_the_secret_three_ways_and_confirms_with_a_pyotp_code,
    login_needs_the_code_which_then_works_once,
    five_wrong_codes_burn_the_mfa_token,
    the_mfa_token_and_the_other_tokens_never_pass_for_each_other,
    a_recovery_code_works_once_and_counts_down,
    accounts_without_mfa_log_in_at_aal1,
    the_database_holds_no_plaintext_secret,
);
