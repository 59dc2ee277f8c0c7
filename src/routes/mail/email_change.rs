//! POST /v1/me/email

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::links::{accepted, link_in_background};
use crate::auth::{Authenticated, CallerAccount};
use crate::db::email_tokens::Purpose;
use crate::db::models::User;
use crate::domain::Email;
use crate::error::ApiError;
use crate::mail::{Mail, MailKind};
use crate::mfa;
use crate::routes::common::body::JsonObject;
use crate::routes::common::reauth::{self, Action};
use crate::state::AppState;

/// The new address, the current password, and (for an account with MFA, from an aal1 session) a current code.
#[derive(Deserialize)]
pub struct EmailChange {
    new_email: String,
    password: String,
    code: Option<String>,
}

/// Mails a link to the new address (the change happens when it is used, at `/v1/auth/verify-email`) and a notice
/// to the current one. `202` with the same body, at once, whether or not another account has the new address
/// (then no link is sent; the notice still is).
pub async fn change(
    req: HttpRequest,
    caller: Authenticated,
    body: JsonObject<EmailChange>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let EmailChange {
        new_email,
        password,
        code,
    } = body.0;
    let new_email = Email::parse(&new_email)?;
    let user = current_user(&state, &req, caller.clone(), &password).await?;
    // Moving the account's address is a step-up action, as a password change is (`403 mfa_required`).
    mfa::require_step_up(
        state.factors(),
        &user.id,
        caller.0.acr.as_deref(),
        code.as_deref(),
    )
    .await?;
    if new_email.as_str() == user.email
        || !state
            .mailer
            .claim(MailKind::EmailChange, new_email.as_str())
    {
        return Ok(accepted());
    }
    let notice = Mail::EmailChangeNotice {
        new_email: new_email.as_str(),
    };
    state.mailer.send(&user.email, notice);
    tracing::info!(user_id = %user.id, "email change requested");
    // An address another account has gets no link; whether it has one shows neither in the answer nor its timing.
    let user_id = user.id;
    link_in_background(&state, new_email, Purpose::ChangeEmail, move |taken| {
        taken.is_none().then_some(user_id)
    });
    Ok(accepted())
}

/// The caller's account, once `password` is its password (`403 invalid_credentials` otherwise, counted against the
/// account's failure ceiling like a login, and audited).
async fn current_user(
    state: &AppState,
    req: &HttpRequest,
    caller: Authenticated,
    password: &str,
) -> Result<User, ApiError> {
    // Loaded here, not by the extractor: a malformed new address is refused first.
    let user = CallerAccount::load(caller, state).await?.user;
    reauth::check_password(state, req, &user, password, Action::EmailChange).await?;
    Ok(user)
}
