//! POST /v1/me/mfa/totp/disable

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::auth::Authenticated;
use crate::db::mfa::totp;
use crate::error::{ApiError, MfaError};
use crate::mfa;
use crate::routes::common::account_change::{self, Change};
use crate::routes::common::body::JsonObject;
use crate::state::AppState;

/// A current code, unless the caller's session is aal2.
#[derive(Deserialize)]
pub struct StepUp {
    pub code: Option<String>,
}

/// Removes the factor (pending or active) and the recovery codes. An active factor needs a step-up.
pub async fn disable(
    req: HttpRequest,
    caller: Authenticated,
    body: JsonObject<StepUp>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let user_id = caller.0.sub.clone();
    let acr = caller.0.acr.as_deref();
    mfa::require_step_up(&state, &user_id, acr, body.0.code.as_deref()).await?;
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
