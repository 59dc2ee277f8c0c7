//! POST /v1/me/mfa/totp/confirm

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::new_recovery_codes;
use crate::auth::Authenticated;
use crate::db::mfa::totp;
use crate::error::{ApiError, MfaError};
use crate::mfa;
use crate::routes::common::account_change::{self, Change};
use crate::routes::common::body::JsonObject;
use crate::routes::common::token_response::no_store;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Confirm {
    code: String,
}

/// Activates the pending factor with a first code from the app, and answers with ten recovery codes, shown
/// this once. The session that confirms stays at its level (aal1): it proved the factor works, not that the
/// one who signed it in had it.
pub async fn confirm(
    req: HttpRequest,
    caller: Authenticated,
    body: JsonObject<Confirm>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let user_id = caller.0.sub.clone();
    let lookup = user_id.clone();
    let factor = state.db.run(move |conn| totp::find(conn, &lookup)).await?;
    match factor {
        None => return Err(MfaError::NotPending.into()),
        Some(f) if f.active() => return Err(MfaError::AlreadyEnabled.into()),
        Some(_) => {}
    }
    mfa::check_code(state.factors(), &user_id, &body.0.code, true).await?;
    let codes = new_recovery_codes(&state, &user_id).await?;
    state.recent_users.forget(&user_id);
    tracing::info!(%user_id, "TOTP enabled");
    account_change::record(&state, &req, &user_id, Change::TotpEnabled).await?;
    Ok(no_store(HttpResponse::Ok()).json(codes))
}
