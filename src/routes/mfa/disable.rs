//! POST /v1/me/mfa/totp/disable

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::auth::{Authenticated, CallerAccount};
use crate::db::mfa::totp;
use crate::error::{ApiError, MfaError};
use crate::mfa;
use crate::routes::common::account_change::{self, Change};
use crate::routes::common::body::JsonObject;
use crate::routes::common::reauth::{self, Action};
use crate::state::AppState;

/// The proof a change to the second factor needs: the account's password (password-less accounts: a recent
/// login instead), and a current code unless the caller's session is aal2.
#[derive(Deserialize)]
pub struct StepUp {
    pub password: Option<String>,
    pub code: Option<String>,
}

/// Removes the factor (pending or active) and the recovery codes. An active factor is a way in that a bare
/// access token must not take away: it needs the password (or a recent login) and a step-up. A pending one
/// protects nothing yet, so abandoning an enrolment needs neither.
pub async fn disable(
    req: HttpRequest,
    caller: Authenticated,
    body: JsonObject<StepUp>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let user_id = caller.0.sub.clone();
    if mfa::is_enabled(state.factors(), &user_id).await? {
        let account = CallerAccount::load(caller.clone(), &state).await?;
        let password = body.0.password.as_deref();
        reauth::require(
            &state,
            &req,
            &caller,
            &account.user,
            password,
            Action::TotpDisable,
        )
        .await?;
        let acr = caller.0.acr.as_deref();
        mfa::require_step_up(state.factors(), &user_id, acr, body.0.code.as_deref()).await?;
    }
    let id = user_id.clone();
    let removed = state.db.run(move |conn| totp::delete(conn, &id)).await?;
    if !removed {
        return Err(MfaError::NotEnabled.into());
    }
    state.recent_users.forget(&user_id);
    tracing::warn!(%user_id, "two-factor authentication disabled");
    account_change::record(&state, &req, &user_id, Change::TotpDisabled).await?;
    Ok(HttpResponse::NoContent().finish())
}
