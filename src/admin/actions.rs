//! The admin API's changes to an account: disable, enable, end its sessions, delete it, set its roles. Each
//! needs a key with write rights, is recorded in the account's audit trail with the key's name in the same
//! transaction, and, when it ends sessions, makes this instance refuse their access tokens at once (the others
//! within a poll). That skeleton is `change::Change`; each handler passes what its change does.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::caller::AdminCaller;
use super::change::{Actor, Change};
use super::views::AdminUser;
use crate::db::mfa::{recovery_codes, totp};
use crate::db::sessions::RevokeReason;
use crate::db::{accounts, credentials, events, social, users};
use crate::domain::Roles;
use crate::error::ApiError;
use crate::routes::common::token_response::no_store;
use crate::state::AppState;

/// Disables the account: every session revoked now, and login refused (`403 account_disabled`).
pub async fn disable(
    caller: AdminCaller,
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::new(&caller, &req, &state)?;
    set_disabled(actor, id.into_inner(), true, &state).await
}

/// Enables a disabled account again.
pub async fn enable(
    caller: AdminCaller,
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::new(&caller, &req, &state)?;
    set_disabled(actor, id.into_inner(), false, &state).await
}

async fn set_disabled(
    actor: Actor,
    id: String,
    disable: bool,
    state: &AppState,
) -> Result<HttpResponse, ApiError> {
    let action = if disable { "disable" } else { "enable" };
    let done = Change::new(action, Some(RevokeReason::AccountDisabled))
        .forgetting()
        .run(
            actor,
            &id,
            state,
            move |conn, user_id, at| {
                Ok(accounts::set_disabled(
                    conn,
                    user_id,
                    disable.then_some(at),
                    at,
                )?)
            },
            |conn, user_id| Ok(users::find_by_id(conn, user_id)?),
        )
        .await?;
    tracing::info!(user_id = %id, sessions = done.revoked, "admin: account {action}d");
    Ok(no_store(HttpResponse::Ok())
        .json(json!({"user": AdminUser::from(&done.value), "sessions_revoked": done.revoked})))
}

/// Ends every session of the account (the user can log in again).
pub async fn logout(
    caller: AdminCaller,
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::new(&caller, &req, &state)?;
    let (id, reason) = (id.into_inner(), RevokeReason::AdminLogout);
    let done = Change::new("logout", Some(reason))
        .run(
            actor,
            &id,
            &state,
            move |conn, user_id, at| {
                if users::find_by_id(conn, user_id)?.is_none() {
                    return Ok(None);
                }
                Ok(Some(credentials::changed(conn, user_id, None, reason, at)?))
            },
            |_, _| Ok(Some(())),
        )
        .await?;
    tracing::info!(user_id = %id, sessions = done.revoked, "admin: sessions ended");
    Ok(no_store(HttpResponse::Ok()).json(json!({"sessions_revoked": done.revoked})))
}

/// Deletes the account: its email, hash, roles and second factor are gone at once, every session is revoked, and
/// its audit events keep only ids (addresses and user agents are wiped); 204.
pub async fn delete(
    caller: AdminCaller,
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::new(&caller, &req, &state)?;
    let id = id.into_inner();
    let done = Change::new("delete", Some(RevokeReason::AccountDeleted))
        .forgetting()
        .run(
            actor,
            &id,
            &state,
            |conn, user_id, at| Ok(accounts::delete(conn, user_id, at)?),
            // After the trail is written, so the scrub wipes the admin event's address too.
            |conn, user_id| {
                events::scrub_user(conn, user_id)?;
                totp::delete(conn, user_id)?;
                recovery_codes::delete_all(conn, user_id)?;
                social::delete_all_for_user(conn, user_id)?;
                Ok(Some(()))
            },
        )
        .await?;
    tracing::info!(user_id = %id, sessions = done.revoked, "admin: account deleted");
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
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<RolesBody>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::new(&caller, &req, &state)?;
    let roles = Roles::parse(body.into_inner().roles)?;
    let id = id.into_inner();
    let done = Change::new("set_roles", None)
        .run(
            actor,
            &id,
            &state,
            move |conn, user_id, at| {
                let found = accounts::set_roles(conn, user_id, roles.as_slice(), at)?;
                Ok(found.then(Vec::new))
            },
            |conn, user_id| Ok(users::find_by_id(conn, user_id)?),
        )
        .await?;
    let user = done.value;
    tracing::info!(user_id = %id, roles = ?user.roles(), "admin: roles set");
    Ok(no_store(HttpResponse::Ok()).json(json!({"user": AdminUser::from(&user)})))
}
