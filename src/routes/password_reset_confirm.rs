//! POST /v1/auth/password-reset/confirm

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::body::JsonObject;
use crate::db::email_tokens::{self, Purpose};
use crate::db::models::{User, now};
use crate::db::sessions::{self, RevokeReason};
use crate::db::users;
use crate::domain::Password;
use crate::email_tokens::hash_of;
use crate::error::ApiError;
use crate::mail::Mail;
use crate::mfa::{self, SecondFactor};
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
    // Policy and hashing come before the token is used, so a refused password does not spend the link.
    let password_hash = state
        .passwords
        .hash_new(Password::new(&new_password), pending.email)
        .await?;
    let (user, ended) = state
        .db
        .run_tx(move |conn| -> Result<(User, Vec<String>), ApiError> {
            let token = email_tokens::consume(conn, &hash, &purposes, at)?
                .ok_or(ApiError::InvalidTokenLink)?;
            let user =
                users::find_by_id(conn, &token.user_id)?.ok_or(ApiError::InvalidTokenLink)?;
            let second_factor = SecondFactor {
                code: code.as_deref(),
                recovery_code: recovery_code.as_deref(),
            };
            mfa::check_for_reset(conn, &user, second_factor)?;
            users::set_password_hash(conn, &user.id, &password_hash, at)?;
            // Opening the link proved the address, as a verification link would have.
            users::mark_email_verified(conn, &user.id, &token.email, at)?;
            email_tokens::retire_all_for_user(conn, &user.id, at)?;
            let reason = RevokeReason::PasswordReset;
            let ended = sessions::revoke_all_for_user(conn, &user.id, None, reason, at)?;
            Ok((user, ended))
        })
        .await?;
    tracing::info!(user_id = %user.id, sessions_ended = ended.len(), "password reset");
    state.revocations.insert(ended, at);
    state.recent_users.remove(&user.id);
    state.mailer.send(&user.email, Mail::PasswordChanged);
    Ok(HttpResponse::NoContent().finish())
}
