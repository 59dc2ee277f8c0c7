//! The hook password reset (branch `mail`) calls: `mfa::check_reset_factor`, run here on a second `AppState` over
//! the test server's own database and key directory, as a second instance would.

use std::sync::Arc;
use std::time::Duration;

use authd::config::Settings;
use authd::error::{ApiError, MfaError};
use authd::state::AppState;
use serde_json::Value;

use super::{Enrolled, enrolled, pyotp_at};
use crate::helpers::{Backend, TestApp, spawn_app};

/// The shared state a second instance on `app`'s database and keys would have.
fn second_instance(app: &TestApp) -> AppState {
    let settings = Settings::from_lookup(|name| app.vars.get(name).cloned()).unwrap();
    let (keys, _) = authd::keys::KeySet::load_or_generate(
        &settings.tokens.key_dir,
        settings.tokens.access_alg,
        None,
    )
    .unwrap();
    let tokens = authd::tokens::Tokens::new(keys, &settings.tokens, &settings.sessions);
    let db = authd::db::Db::new(authd::db::build_pool(&settings.database.url, 2));
    let passwords = authd::passwords::Passwords::new(&settings.passwords).unwrap();
    let revocations = Arc::new(authd::revocations::Revocations::new(Duration::from_secs(
        60,
    )));
    let secret_box = authd::keys::SecretBox::load_or_create(&settings.tokens.key_dir).unwrap();
    AppState::new(&settings, db, passwords, tokens, revocations, secret_box)
}

fn is_mfa(result: Result<(), ApiError>, expected: MfaError) -> bool {
    matches!(result, Err(ApiError::Mfa(e)) if e == expected)
}

async fn password_reset_of_an_mfa_account_needs_a_code_or_a_recovery_code(backend: Backend) {
    let app = spawn_app(backend).await;
    let Enrolled {
        secret,
        now,
        access_token,
        recovery_codes,
        ..
    } = enrolled(&app, "reset@example.com").await;
    let me: Value = app
        .get("/v1/me", Some(&access_token))
        .await
        .json()
        .await
        .unwrap();
    let user_id = me["id"].as_str().unwrap();
    let state = second_instance(&app);
    let check = |code: Option<String>, recovery: Option<String>| {
        let state = &state;
        async move {
            authd::mfa::check_reset_factor(state, user_id, code.as_deref(), recovery.as_deref())
                .await
        }
    };
    assert!(is_mfa(check(None, None).await, MfaError::Required));
    let right = pyotp_at(&secret, now);
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
    assert!(is_mfa(
        check(Some(wrong), None).await,
        MfaError::InvalidCode
    ));
    assert!(check(Some(right.clone()), None).await.is_ok());
    assert!(
        is_mfa(check(Some(right), None).await, MfaError::InvalidCode),
        "replay"
    );
    let recovery = recovery_codes[1].clone();
    assert!(check(None, Some(recovery.clone())).await.is_ok());
    assert!(
        is_mfa(check(None, Some(recovery)).await, MfaError::InvalidCode),
        "used"
    );
    // An account without MFA needs nothing more than the mailed link.
    let plain = app.signed_up("plain@example.com").await;
    let plain_id = plain.user.id.clone();
    let result = authd::mfa::check_reset_factor(&state, &plain_id, None, None).await;
    assert!(result.is_ok());
}

backend_tests!(password_reset_of_an_mfa_account_needs_a_code_or_a_recovery_code);
