//! POST /v1/me/email

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::body::JsonObject;
use super::mail_links::accepted;
use crate::auth::Authenticated;
use crate::db::email_tokens::{self, Purpose};
use crate::db::models::{User, now};
use crate::db::users;
use crate::domain::{Email, Password};
use crate::email_tokens::MailedToken;
use crate::error::{ApiError, TokenRejection};
use crate::mail::Mail;
use crate::passwords::Verified;
use crate::state::AppState;

/// The new address and the current password.
#[derive(Deserialize)]
pub struct EmailChange {
    new_email: String,
    password: String,
}

/// Mails a link to the new address (the change happens when it is used, at `/v1/auth/verify-email`) and a notice
/// to the current one. `202` with the same body whether or not another account has the new address; then no
/// link is sent, and the notice still is.
pub async fn change(
    caller: Authenticated,
    body: JsonObject<EmailChange>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let EmailChange {
        new_email,
        password,
    } = body.0;
    let new_email = Email::parse(&new_email)?;
    let user = current_user(&state, &caller.0.sub, &password).await?;
    if new_email.as_str() == user.email || !state.mailer.claim(new_email.as_str()) {
        return Ok(accepted());
    }
    let ttl = state.email.verify_ttl;
    let (user_id, address, at) = (user.id.clone(), new_email.as_str().to_owned(), now());
    let secret = state
        .db
        .run_tx(move |conn| -> Result<Option<String>, ApiError> {
            let token = MailedToken::new(&user_id, Purpose::ChangeEmail, &address, at, ttl);
            if users::find_by_email(conn, &address)?.is_some() {
                email_tokens::issue_nothing(conn, at)?;
                return Ok(None);
            }
            Ok(Some(token.issue(conn)?))
        })
        .await?;
    match secret.as_deref() {
        Some(token) => state
            .mailer
            .send(new_email.as_str(), Mail::VerifyEmail { token, ttl }),
        None => {
            tracing::info!(user_id = %user.id, "email change to an address in use: no link mailed")
        }
    }
    let notice = Mail::EmailChangeNotice {
        new_email: new_email.as_str(),
    };
    state.mailer.send(&user.email, notice);
    tracing::info!(user_id = %user.id, "email change requested");
    Ok(accepted())
}

/// The caller's account, once `password` is its password (`403 invalid_credentials` otherwise).
async fn current_user(state: &AppState, user_id: &str, password: &str) -> Result<User, ApiError> {
    let lookup = user_id.to_owned();
    let user = state
        .db
        .run(move |conn| users::find_by_id(conn, &lookup))
        .await?
        .ok_or(ApiError::InvalidToken(TokenRejection::SessionRevoked))?;
    let password = Password::new(password);
    if !password.within_length_limit()
        || state
            .passwords
            .verify(password, Some(user.password_hash.clone()))
            .await?
            == Verified::No
    {
        return Err(ApiError::WrongCurrentPassword);
    }
    Ok(user)
}
