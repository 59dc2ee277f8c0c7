//! POST /v1/auth/password-reset/confirm

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDateTime;
use serde::Deserialize;

use crate::audit::record;
use crate::db::AnyConnection;
use crate::db::credentials;
use crate::db::email_tokens::{self, Purpose};
use crate::db::events::{self, EventKind, Outcome};
use crate::db::mfa::recovery_codes;
use crate::db::models::{AuthEvent, DeviceInfo};
use crate::db::models::{User, now};
use crate::db::sessions::RevokeReason;
use crate::db::users;
use crate::domain::Password;
use crate::error::ApiError;
use crate::mail::Mail;
use crate::mail_links::hash_of;
use crate::mfa;
use crate::routes::common::body::JsonObject;
use crate::routes::common::device::device_info;
use crate::state::AppState;

/// A reset link's token, the new password, and the second factor when the account has one.
#[derive(Deserialize)]
pub struct ResetConfirm {
    token: String,
    new_password: String,
    code: Option<String>,
    recovery_code: Option<String>,
}

/// Sets the new password, ends every session of the account, retires its other mailed links (a pending email
/// change included) and mails a notice. 204.
pub async fn confirm(
    req: HttpRequest,
    body: JsonObject<ResetConfirm>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let ResetConfirm {
        token,
        new_password,
        code,
        recovery_code,
    } = body.0;
    let hash = hash_of(&token).ok_or(ApiError::InvalidTokenLink)?;
    let (lookup, at) = (hash.clone(), now());
    let purposes = [Purpose::PasswordReset];
    let pending = state
        .db
        .run(move |conn| email_tokens::find_valid(conn, &lookup, &purposes, at))
        .await?
        .ok_or(ApiError::InvalidTokenLink)?;
    // A reset must not bypass the second factor: an account with one needs a current code or a recovery code
    // (checked before the link is spent, so a wrong code leaves it usable; a recovery code is spent with the
    // link, below, so a reset refused after this point leaves the code usable too).
    let (code, recovery_code) = (code.as_deref(), recovery_code.as_deref());
    let factor =
        mfa::check_reset_factor(state.factors(), &pending.user_id, code, recovery_code).await?;
    // Policy and hashing come before the token is used, so a refused password does not spend the link.
    let password_hash = state
        .passwords
        .hash_new(Password::new(&new_password), pending.email)
        .await?;
    let pending_user = pending.user_id.clone();
    let client = device_info(&req, &state.trusted_proxies);
    let (user, ended, left) = state
        .db
        .run_tx(move |conn| -> Result<_, ApiError> {
            let left = spend_recovery_code(conn, &pending_user, factor.as_ref(), at)?;
            let (user, ended) = apply(conn, &hash, &pending_user, &password_hash, &client, at)?;
            Ok((user, ended, left))
        })
        .await?;
    if let Some(left) = left {
        mfa::recovery_code_used(&state.mailer, &user.id, &user.email, left);
    }
    tracing::info!(user_id = %user.id, sessions_ended = ended.len(), "password reset");
    state.revocations.insert(ended, at);
    state.recent_users.forget(&user.id);
    state.mailer.send(&user.email, Mail::PasswordChanged);
    Ok(HttpResponse::NoContent().finish())
}

/// Spends the recovery code the reset was confirmed with, if it was one (compare-and-set: of two resets racing
/// with one code, one spends it; the other is `invalid_code` and its transaction rolls back). Returns how many
/// codes are left.
fn spend_recovery_code(
    conn: &mut AnyConnection,
    user_id: &str,
    factor: Option<&mfa::LoginFactor>,
    at: NaiveDateTime,
) -> Result<Option<i64>, ApiError> {
    let Some(mfa::LoginFactor::RecoveryCode { id }) = factor else {
        return Ok(None);
    };
    if !recovery_codes::mark_used(conn, id, at)? {
        return Err(mfa::MfaError::InvalidCode.into());
    }
    Ok(Some(recovery_codes::count_unused(conn, user_id)?))
}

/// Spends the link and applies the reset in the caller's transaction: the new hash, the address proven, every
/// other link retired, every session ended, and the trail; returns the account and the ended session ids.
fn apply(
    conn: &mut AnyConnection,
    hash: &str,
    pending_user: &str,
    password_hash: &str,
    client: &DeviceInfo,
    at: NaiveDateTime,
) -> Result<(User, Vec<String>), ApiError> {
    let purposes = [Purpose::PasswordReset];
    let token =
        email_tokens::consume(conn, hash, &purposes, at)?.ok_or(ApiError::InvalidTokenLink)?;
    let user = users::find_by_id(conn, &token.user_id)?.ok_or(ApiError::InvalidTokenLink)?;
    // The link was checked for this account above; a race to another account's token cannot match.
    if user.id != pending_user {
        return Err(ApiError::InvalidTokenLink);
    }
    users::set_password_hash(conn, &user.id, password_hash, at)?;
    // Opening the link proved the address, as a verification link would have.
    users::mark_email_verified(conn, &user.id, &token.email, at)?;
    let reason = RevokeReason::PasswordReset;
    let ended = credentials::changed(conn, &user.id, None, reason, at)?;
    let changed = AuthEvent {
        user_id: Some(user.id.clone()),
        detail: record::detail("via", "reset"),
        ..record::event(EventKind::PasswordChange, Outcome::Success, client, at)
    };
    let mut rows = vec![changed];
    rows.extend(record::revoked(&user.id, &ended, reason, client, at));
    events::insert(conn, &rows)?;
    Ok((user, ended))
}
