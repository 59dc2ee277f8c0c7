//! POST /v1/me/identities/confirm

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::auth::Authenticated;
use crate::db::events;
use crate::db::models::now;
use crate::db::social::{self, Identity};
use crate::db::users;
use crate::error::ApiError;
use crate::routes::common::account_change::{self, Change};
use crate::routes::common::body::JsonObject;
use crate::routes::common::device::device_info;
use crate::routes::common::token_response::no_store;
use crate::routes::common::views::IdentityView;
use crate::social::secrets::s256;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct ConfirmBody {
    code: String,
    code_verifier: String,
}

/// Links the provider account of a link code to the caller, who must be the user who started the link: a link
/// URL sent to someone else, and finished by them, links nothing (OAuth account-linking CSRF).
pub async fn confirm(
    req: HttpRequest,
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
    let device = device_info(&req, &state.trusted_proxies);
    let changed = account_change::event(&row.user_id, Change::IdentityLinked, &device);
    let linked = state
        .db
        .run_in_transaction(move |conn| {
            // Checked first: a unique violation would abort a PostgreSQL transaction.
            if social::find_identity(conn, &row.issuer, &row.subject)?.is_some() {
                return Ok(None);
            }
            social::insert_identity(conn, &row)?;
            events::insert(conn, std::slice::from_ref(&changed))?;
            Ok(users::find_by_id(conn, &row.user_id)?.map(|u| u.email))
        })
        .await?;
    let Some(email) = linked else {
        return Err(ApiError::InvalidLoginCode);
    };
    account_change::notify(&state, &email, Change::IdentityLinked);
    Ok(no_store(HttpResponse::Created()).json(view))
}
