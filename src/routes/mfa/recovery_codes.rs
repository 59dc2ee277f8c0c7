//! POST /v1/me/mfa/recovery-codes

use actix_web::{HttpRequest, HttpResponse, web};

use super::disable::StepUp;
use super::new_recovery_codes;
use crate::auth::{Authenticated, CallerAccount};
use crate::error::{ApiError, MfaError};
use crate::mfa;
use crate::routes::common::account_change::{self, Change};
use crate::routes::common::body::JsonObject;
use crate::routes::common::reauth::{self, Action};
use crate::routes::common::token_response::no_store;
use crate::state::AppState;

/// Replaces every recovery code with a new set, shown this once. New codes are a way in, so a bare access token
/// cannot get them: the password (or, password-less, a recent login) and a step-up come first.
pub async fn regenerate(
    req: HttpRequest,
    caller: Authenticated,
    body: JsonObject<StepUp>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let user_id = caller.0.sub.clone();
    if !mfa::is_enabled(state.factors(), &user_id).await? {
        return Err(MfaError::NotEnabled.into());
    }
    let account = CallerAccount::load(caller.clone(), &state).await?;
    let password = body.0.password.as_deref();
    reauth::require(
        &state,
        &req,
        &caller,
        &account.user,
        password,
        Action::RecoveryCodes,
    )
    .await?;
    let acr = caller.0.acr.as_deref();
    mfa::require_step_up(state.factors(), &user_id, acr, body.0.code.as_deref()).await?;
    let codes = new_recovery_codes(&state, &user_id).await?;
    tracing::info!(%user_id, "recovery codes replaced");
    account_change::record(&state, &req, &user_id, Change::RecoveryCodesRegenerated).await?;
    Ok(no_store(HttpResponse::Ok()).json(codes))
}
