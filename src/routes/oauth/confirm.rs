//! POST /v1/me/identities/confirm

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::identities::IdentityView;
use crate::auth::Authenticated;
use crate::db::federation::{self, Identity};
use crate::db::models::now;
use crate::error::ApiError;
use crate::federation::secrets::s256;
use crate::routes::body::JsonObject;
use crate::routes::token_response::no_store;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct ConfirmBody {
    code: String,
    code_verifier: String,
}

/// Links the provider account of a link code to the caller, who must be the user who started the link: a link
/// URL sent to someone else, and finished by them, links nothing (OAuth account-linking CSRF).
pub async fn confirm(
    caller: Authenticated,
    body: JsonObject<ConfirmBody>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let code = super::exchange::spend_code(&state, &body.code, &body.code_verifier).await?;
    let at = now();
    let pending = code
        .link_identity
        .as_deref()
        .and_then(|json| serde_json::from_str::<Identity>(json).ok())
        .filter(|identity| identity.user_id == caller.0.sub)
        .filter(|_| s256(&body.code_verifier) == code.app_code_challenge)
        .ok_or(ApiError::InvalidLoginCode)?;
    let row = Identity {
        created_at: at,
        ..pending
    };
    let view = IdentityView::from(row.clone());
    let linked = state
        .db
        .run_in_transaction(move |conn| {
            // Checked first: a unique violation would abort a PostgreSQL transaction.
            if federation::find_identity(conn, &row.issuer, &row.subject)?.is_some() {
                return Ok(false);
            }
            federation::insert_identity(conn, &row)?;
            Ok(true)
        })
        .await?;
    if !linked {
        return Err(ApiError::InvalidLoginCode);
    }
    Ok(no_store(HttpResponse::Created()).json(view))
}
