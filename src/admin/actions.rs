//! The admin API's changes to an account: disable, enable, end its sessions, delete it, set its roles. Each
//! needs a key with write rights, and each one that ends sessions makes this instance refuse their access tokens
//! at once (the others within a poll).

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::caller::AdminCaller;
use super::views::AdminUser;
use crate::db::models::now;
use crate::db::sessions::RevokeReason;
use crate::db::{accounts, sessions, users};
use crate::domain::Roles;
use crate::error::ApiError;
use crate::routes::no_store;
use crate::state::AppState;

/// Disables the account: every session revoked now, and login refused (`403 account_disabled`).
pub async fn disable(
    caller: AdminCaller,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    set_disabled(caller, id.into_inner(), true, &state).await
}

/// Enables a disabled account again.
pub async fn enable(
    caller: AdminCaller,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    set_disabled(caller, id.into_inner(), false, &state).await
}

async fn set_disabled(
    caller: AdminCaller,
    id: String,
    disable: bool,
    state: &AppState,
) -> Result<HttpResponse, ApiError> {
    caller.require_write()?;
    let at = now();
    let user_id = id.clone();
    let changed = state
        .db
        .run_tx(move |conn| -> Result<_, ApiError> {
            let Some(ended) = accounts::set_disabled(conn, &user_id, disable.then_some(at), at)?
            else {
                return Ok(None);
            };
            Ok(users::find_by_id(conn, &user_id)?.map(|user| (user, ended)))
        })
        .await?;
    let (user, ended) = changed.ok_or(ApiError::NotFound)?;
    let action = if disable { "disabled" } else { "enabled" };
    tracing::info!(admin_key = %caller.key_name, user_id = %id, sessions = ended.len(), "account {action}");
    let revoked = ended.len();
    state.revocations.insert(ended, at);
    state.recent_users.forget(&id);
    Ok(no_store(HttpResponse::Ok())
        .json(json!({"user": AdminUser::from(&user), "sessions_revoked": revoked})))
}

/// Ends every session of the account (the user can log in again).
pub async fn logout(
    caller: AdminCaller,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller.require_write()?;
    let (id, at) = (id.into_inner(), now());
    let user_id = id.clone();
    let ended = state
        .db
        .run_tx(move |conn| -> Result<_, ApiError> {
            if users::find_by_id(conn, &user_id)?.is_none() {
                return Ok(None);
            }
            let reason = RevokeReason::AdminLogout;
            Ok(Some(sessions::revoke_all_for_user(
                conn, &user_id, None, reason, at,
            )?))
        })
        .await?
        .ok_or(ApiError::NotFound)?;
    tracing::info!(admin_key = %caller.key_name, user_id = %id, sessions = ended.len(), "sessions ended by an operator");
    let revoked = ended.len();
    state.revocations.insert(ended, at);
    Ok(no_store(HttpResponse::Ok()).json(json!({"sessions_revoked": revoked})))
}

/// Deletes the account: its email, hash and roles are gone at once, every session is revoked; 204.
pub async fn delete(
    caller: AdminCaller,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller.require_write()?;
    let (id, at) = (id.into_inner(), now());
    let user_id = id.clone();
    let ended = state
        .db
        .run_tx(move |conn| -> Result<_, ApiError> { Ok(accounts::delete(conn, &user_id, at)?) })
        .await?
        .ok_or(ApiError::NotFound)?;
    tracing::info!(admin_key = %caller.key_name, user_id = %id, sessions = ended.len(), "account deleted");
    state.revocations.insert(ended, at);
    state.recent_users.forget(&id);
    Ok(HttpResponse::NoContent().finish())
}

/// `{"roles": [...]}`.
#[derive(Debug, Deserialize)]
pub struct RolesBody {
    roles: Vec<String>,
}

/// Replaces the account's roles; access tokens carry them from the session's next refresh (or login) on.
pub async fn set_roles(
    caller: AdminCaller,
    id: web::Path<String>,
    body: web::Json<RolesBody>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller.require_write()?;
    let roles = Roles::parse(body.into_inner().roles)?;
    let (id, at) = (id.into_inner(), now());
    let user_id = id.clone();
    let user = state
        .db
        .run_tx(move |conn| -> Result<_, ApiError> {
            if !accounts::set_roles(conn, &user_id, roles.as_slice(), at)? {
                return Ok(None);
            }
            Ok(users::find_by_id(conn, &user_id)?)
        })
        .await?
        .ok_or(ApiError::NotFound)?;
    tracing::info!(admin_key = %caller.key_name, user_id = %id, roles = ?user.roles(), "roles set");
    Ok(no_store(HttpResponse::Ok()).json(json!({"user": AdminUser::from(&user)})))
}
