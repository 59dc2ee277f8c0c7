//! GET /v1/me/identities and DELETE /v1/me/identities/{id}

use actix_web::{HttpResponse, web};
use serde::Serialize;

use crate::auth::Authenticated;
use crate::db::federation::{self, Identity};
use crate::db::users;
use crate::error::ApiError;
use crate::routes::token_response::{no_store, rfc3339};
use crate::state::AppState;

/// A linked provider account as its owner sees it.
#[derive(Serialize)]
pub struct IdentityView {
    id: String,
    provider: String,
    email: Option<String>,
    created_at: String,
    last_login_at: Option<String>,
}

impl From<Identity> for IdentityView {
    fn from(i: Identity) -> Self {
        Self {
            id: i.id,
            provider: i.provider,
            email: i.email,
            created_at: rfc3339(i.created_at),
            last_login_at: i.last_login_at.map(rfc3339),
        }
    }
}

/// The caller's linked providers.
pub async fn list(
    caller: Authenticated,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let user_id = caller.0.sub.clone();
    let rows = state
        .db
        .run(move |conn| federation::identities_of(conn, &user_id))
        .await?;
    let views: Vec<IdentityView> = rows.into_iter().map(IdentityView::from).collect();
    Ok(no_store(HttpResponse::Ok()).json(views))
}

/// Unlinks one of the caller's providers; refused (409) when it is the account's last way to sign in.
pub async fn delete(
    caller: Authenticated,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (user_id, id) = (caller.0.sub.clone(), path.into_inner());
    let outcome = state
        .db
        .run_in_transaction(move |conn| {
            let linked = federation::identities_of(conn, &user_id)?;
            if !linked.iter().any(|i| i.id == id) {
                return Ok(Err(ApiError::NotFound));
            }
            let has_password =
                users::find_by_id(conn, &user_id)?.is_some_and(|u| !u.password_hash.is_empty());
            if !has_password && linked.len() == 1 {
                return Ok(Err(ApiError::LastSignInMethod));
            }
            federation::delete_identity(conn, &user_id, &id)?;
            Ok(Ok(()))
        })
        .await?;
    outcome?;
    Ok(HttpResponse::NoContent().finish())
}
