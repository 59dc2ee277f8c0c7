//! GET /v1/me/mfa

use actix_web::{HttpResponse, web};
use serde::Serialize;

use crate::auth::Authenticated;
use crate::db::mfa::{recovery_codes, totp};
use crate::error::ApiError;
use crate::routes::common::token_response::no_store;
use crate::state::AppState;

/// Whether the caller's TOTP factor is active or waiting for confirmation, and how many recovery codes are left.
#[derive(Serialize)]
struct MfaStatus {
    enabled: bool,
    pending: bool,
    recovery_codes_left: i64,
}

pub async fn status(
    caller: Authenticated,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let user_id = caller.0.sub.clone();
    let (factor, left) = state
        .db
        .run(move |conn| {
            let factor = totp::find(conn, &user_id)?;
            Ok((factor, recovery_codes::count_unused(conn, &user_id)?))
        })
        .await?;
    let enabled = factor.as_ref().is_some_and(|f| f.active());
    Ok(no_store(HttpResponse::Ok()).json(MfaStatus {
        enabled,
        pending: factor.is_some() && !enabled,
        recovery_codes_left: if enabled { left } else { 0 },
    }))
}
