//! GET /v1/me/identities and DELETE /v1/me/identities/{id}

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::auth::{Authenticated, CallerAccount};
use crate::db::social;
use crate::db::{events, users};
use crate::error::ApiError;
use crate::mfa;
use crate::routes::common::account_change::{self, Change};
use crate::routes::common::body::JsonObject;
use crate::routes::common::device::device_info;
use crate::routes::common::reauth::{self, Action};
use crate::routes::common::token_response::no_store;
use crate::routes::common::views::IdentityView;
use crate::state::AppState;

/// The caller's linked providers.
pub async fn list(
    caller: Authenticated,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let user_id = caller.0.sub.clone();
    let rows = state
        .db
        .run(move |conn| social::identities_of(conn, &user_id))
        .await?;
    let views: Vec<IdentityView> = rows.into_iter().map(IdentityView::from).collect();
    Ok(no_store(HttpResponse::Ok()).json(views))
}

/// What unlinking needs besides the access token (the body is optional: a password-less account without MFA
/// sends nothing).
#[derive(Deserialize)]
pub struct UnlinkBody {
    /// The account's password, when it has one.
    password: Option<String>,
    /// A current TOTP code: needed when MFA is on and the session is not aal2.
    code: Option<String>,
}

/// Unlinks one of the caller's providers; refused (409) when it is the account's last way to sign in. Removing
/// a way in needs what adding one does: the password (password-less: a recent login), then MFA's step-up.
pub async fn delete(
    req: HttpRequest,
    caller: Authenticated,
    path: web::Path<String>,
    body: Option<JsonObject<UnlinkBody>>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = body.map(|b| b.0);
    let (password, code) = body.map_or((None, None), |b| (b.password, b.code));
    let account = CallerAccount::load(caller.clone(), &state).await?;
    let user = &account.user;
    let action = Action::IdentityUnlink;
    reauth::require(&state, &req, &caller, user, password.as_deref(), action).await?;
    let acr = caller.0.acr.as_deref();
    mfa::require_step_up(state.factors(), &user.id, acr, code.as_deref()).await?;
    let (user_id, id) = (caller.0.sub.clone(), path.into_inner());
    let device = device_info(&req, &state.trusted_proxies);
    let changed = account_change::event(&user_id, Change::IdentityUnlinked, &device);
    let outcome = state
        .db
        .run_in_transaction(move |conn| {
            let linked = social::identities_of(conn, &user_id)?;
            if !linked.iter().any(|i| i.id == id) {
                return Ok(Err(ApiError::NotFound));
            }
            let Some(user) = users::find_by_id(conn, &user_id)? else {
                return Ok(Err(ApiError::NotFound));
            };
            if user.password_hash.is_empty() && linked.len() == 1 {
                return Ok(Err(ApiError::LastSignInMethod));
            }
            social::delete_identity(conn, &user_id, &id)?;
            events::insert(conn, std::slice::from_ref(&changed))?;
            Ok(Ok(user.email))
        })
        .await?;
    account_change::notify(&state, &outcome?, Change::IdentityUnlinked);
    Ok(HttpResponse::NoContent().finish())
}
