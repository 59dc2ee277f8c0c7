//! POST /v1/me/password

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::common::account_change::{self, Change};
use super::common::body::JsonObject;
use super::common::device::device_info;
use super::common::reauth::{self, Action};
use crate::audit::record;
use crate::auth::CallerAccount;
use crate::db::credentials;
use crate::db::events::{self, EventKind, Outcome};
use crate::db::models::AuthEvent;
use crate::db::models::now;
use crate::db::sessions::RevokeReason;
use crate::db::users;
use crate::domain::Password;
use crate::error::ApiError;
use crate::mfa;
use crate::state::AppState;

/// The body of a password change.
#[derive(Deserialize)]
pub struct PasswordChange {
    current_password: String,
    new_password: String,
    /// A current TOTP code: needed when MFA is on and the session is not aal2.
    #[serde(default)]
    code: Option<String>,
}

/// Changes the caller's password after checking the current one (and, with MFA on, an aal2 session or a current
/// code), then ends every other session.
pub async fn change(
    req: HttpRequest,
    account: CallerAccount,
    body: JsonObject<PasswordChange>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let AppState {
        db,
        passwords,
        revocations,
        ..
    } = state.get_ref();
    let PasswordChange {
        current_password,
        new_password,
        code,
    } = body.0;
    let CallerAccount { claims, user } = account;
    // Counted against the account's failure ceiling like a login: a stolen access token is no guessing oracle.
    let action = Action::PasswordChange;
    reauth::check_password(&state, &req, &user, &current_password, action).await?;
    let acr = claims.acr.as_deref();
    mfa::require_step_up(state.factors(), &user.id, acr, code.as_deref()).await?;
    let hash = passwords
        .hash_new(Password::new(&new_password), user.email.clone())
        .await?;
    let (user_id, keep) = (user.id.clone(), claims.sid.clone());
    let at = now();
    let device = device_info(&req, &state.trusted_proxies);
    let ended = db
        .run_in_transaction(move |conn| {
            users::set_password_hash(conn, &user_id, &hash, at)?;
            let reason = RevokeReason::PasswordChange;
            let ended = credentials::changed(conn, &user_id, Some(&keep), reason, at)?;
            let changed = AuthEvent {
                user_id: Some(user_id.clone()),
                session_id: Some(keep.clone()),
                ..record::event(EventKind::PasswordChange, Outcome::Success, &device, at)
            };
            let mut rows = vec![changed];
            rows.extend(record::revoked(&user_id, &ended, reason, &device, at));
            events::insert(conn, &rows)?;
            Ok(ended)
        })
        .await?;
    tracing::info!(user_id = %user.id, other_sessions_ended = ended.len(), "password changed");
    revocations.insert(ended, at);
    account_change::notify(&state, &user.email, Change::PasswordChanged);
    Ok(HttpResponse::NoContent().finish())
}
