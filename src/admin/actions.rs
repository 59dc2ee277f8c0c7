//! The admin API's changes to an account: disable, enable, end its sessions, delete it, set its roles. Each
//! needs a key with write rights, is recorded in the account's audit trail with the key's name in the same
//! transaction, and, when it ends sessions, makes this instance refuse their access tokens at once (the others
//! within a poll).

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDateTime;
use serde::Deserialize;
use serde_json::json;

use super::caller::AdminCaller;
use super::views::AdminUser;
use crate::audit::record;
use crate::client_ip::client_ip;
use crate::db::mfa::{recovery_codes, totp};
use crate::db::models::{AuthEvent, DeviceInfo, now};
use crate::db::sessions::RevokeReason;
use crate::db::{accounts, credentials, events, federation, users};
use crate::domain::Roles;
use crate::error::ApiError;
use crate::routes::no_store;
use crate::state::AppState;

/// Who made a change, from where: what its audit events record.
struct Actor {
    key_name: String,
    client: DeviceInfo,
}

impl Actor {
    fn new(caller: &AdminCaller, req: &HttpRequest, state: &AppState) -> Result<Self, ApiError> {
        caller.require_write()?;
        let ip = client_ip(req, &state.trusted_proxies).to_string();
        Ok(Self {
            key_name: caller.key_name.clone(),
            client: DeviceInfo {
                user_agent: None,
                ip: Some(ip),
            },
        })
    }

    /// The `admin_action` event, and one `session_revoked` event per session the action ended.
    fn trail(
        &self,
        user_id: &str,
        action: &str,
        ended: &[String],
        reason: RevokeReason,
        at: NaiveDateTime,
    ) -> Vec<AuthEvent> {
        let mut trail = vec![record::admin_action(
            user_id,
            action,
            &self.key_name,
            &self.client,
            at,
        )];
        trail.extend(record::revoked(user_id, ended, reason, &self.client, at));
        trail
    }
}

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
    let (at, user_id) = (now(), id.clone());
    let action = if disable { "disable" } else { "enable" };
    let changed = state
        .db
        .run_tx(move |conn| -> Result<_, ApiError> {
            let Some(ended) = accounts::set_disabled(conn, &user_id, disable.then_some(at), at)?
            else {
                return Ok(None);
            };
            events::insert(
                conn,
                &actor.trail(&user_id, action, &ended, RevokeReason::AccountDisabled, at),
            )?;
            Ok(users::find_by_id(conn, &user_id)?.map(|user| (user, ended)))
        })
        .await?;
    let (user, ended) = changed.ok_or(ApiError::NotFound)?;
    tracing::info!(user_id = %id, sessions = ended.len(), "admin: account {action}d");
    let revoked = ended.len();
    state.revocations.insert(ended, at);
    state.recent_users.forget(&id);
    Ok(no_store(HttpResponse::Ok())
        .json(json!({"user": AdminUser::from(&user), "sessions_revoked": revoked})))
}

/// Ends every session of the account (the user can log in again).
pub async fn logout(
    caller: AdminCaller,
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::new(&caller, &req, &state)?;
    let (id, at) = (id.into_inner(), now());
    let user_id = id.clone();
    let ended = state
        .db
        .run_tx(move |conn| -> Result<_, ApiError> {
            if users::find_by_id(conn, &user_id)?.is_none() {
                return Ok(None);
            }
            let reason = RevokeReason::AdminLogout;
            let ended = credentials::changed(conn, &user_id, None, reason, at)?;
            events::insert(conn, &actor.trail(&user_id, "logout", &ended, reason, at))?;
            Ok(Some(ended))
        })
        .await?
        .ok_or(ApiError::NotFound)?;
    tracing::info!(user_id = %id, sessions = ended.len(), "admin: sessions ended");
    let revoked = ended.len();
    state.revocations.insert(ended, at);
    Ok(no_store(HttpResponse::Ok()).json(json!({"sessions_revoked": revoked})))
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
    let (id, at) = (id.into_inner(), now());
    let user_id = id.clone();
    let ended = state
        .db
        .run_tx(move |conn| -> Result<_, ApiError> {
            let Some(ended) = accounts::delete(conn, &user_id, at)? else {
                return Ok(None);
            };
            let reason = RevokeReason::AccountDeleted;
            events::insert(conn, &actor.trail(&user_id, "delete", &ended, reason, at))?;
            events::scrub_user(conn, &user_id)?;
            totp::delete(conn, &user_id)?;
            recovery_codes::delete_all(conn, &user_id)?;
            federation::delete_all_for_user(conn, &user_id)?;
            Ok(Some(ended))
        })
        .await?
        .ok_or(ApiError::NotFound)?;
    tracing::info!(user_id = %id, sessions = ended.len(), "admin: account deleted");
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
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<RolesBody>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::new(&caller, &req, &state)?;
    let roles = Roles::parse(body.into_inner().roles)?;
    let (id, at) = (id.into_inner(), now());
    let user_id = id.clone();
    let user = state
        .db
        .run_tx(move |conn| -> Result<_, ApiError> {
            if !accounts::set_roles(conn, &user_id, roles.as_slice(), at)? {
                return Ok(None);
            }
            let event =
                record::admin_action(&user_id, "set_roles", &actor.key_name, &actor.client, at);
            events::insert(conn, &[event])?;
            Ok(users::find_by_id(conn, &user_id)?)
        })
        .await?
        .ok_or(ApiError::NotFound)?;
    tracing::info!(user_id = %id, roles = ?user.roles(), "admin: roles set");
    Ok(no_store(HttpResponse::Ok()).json(json!({"user": AdminUser::from(&user)})))
}
