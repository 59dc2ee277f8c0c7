//! POST /v1/auth/logout and POST /v1/auth/logout-all

use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

use super::common::body::JsonObject;
use super::common::delivery;
use super::common::device::device_info;
use super::refresh::RefreshRequest;
use crate::audit::record;
use crate::auth::Authenticated;
use crate::db::credentials;
use crate::db::events;
use crate::db::models::now;
use crate::db::sessions::{self, RevokeReason};
use crate::error::ApiError;
use crate::state::AppState;

/// Ends the refresh token's session. Already ended (or expired) is still 204, so a client can always clear its
/// state; only a token that is not ours (forged, malformed, wrong type) is refused.
pub async fn logout(
    req: HttpRequest,
    body: JsonObject<RefreshRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let AppState {
        db,
        tokens,
        revocations,
        cookies,
        ..
    } = state.get_ref();
    let (refresh_token, from_cookie) =
        delivery::refresh_token(cookies, &req, body.0.refresh_token)?;
    let claims = match tokens.verify_refresh_for_logout(&refresh_token) {
        Ok(claims) => claims,
        // Page scripts cannot delete an HttpOnly cookie: refuse the token, but let the browser forget it.
        Err(reason) if from_cookie => {
            let mut response = ApiError::InvalidGrant(reason).error_response();
            delivery::remove_cookie(cookies, &mut response);
            return Ok(response);
        }
        Err(reason) => return Err(ApiError::InvalidGrant(reason)),
    };
    let at = now();
    let (sid, user_id) = (claims.sid.clone(), claims.sub.clone());
    let device = device_info(&req, &state.trusted_proxies);
    if db
        .run_in_transaction(move |conn| {
            let reason = RevokeReason::Logout;
            let ended = sessions::revoke(conn, &sid, reason, at)?;
            if ended {
                let ids = [sid.clone()];
                events::insert(conn, &record::revoked(&user_id, &ids, reason, &device, at))?;
            }
            Ok(ended)
        })
        .await?
    {
        revocations.insert([claims.sid.clone()], at);
        tracing::info!(session_id = %claims.sid, "logged out");
    }
    Ok(if from_cookie {
        delivery::cleared(cookies)
    } else {
        HttpResponse::NoContent().finish()
    })
}

/// Ends every session of the caller, this one included.
pub async fn logout_all(
    req: HttpRequest,
    caller: Authenticated,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let user_id = caller.0.sub.clone();
    let at = now();
    let device = device_info(&req, &state.trusted_proxies);
    let ended = state
        .db
        .run_in_transaction(move |conn| {
            let reason = RevokeReason::LogoutAll;
            let ended = credentials::changed(conn, &user_id, None, reason, at)?;
            events::insert(
                conn,
                &record::revoked(&user_id, &ended, reason, &device, at),
            )?;
            Ok(ended)
        })
        .await?;
    tracing::info!(user_id = %caller.0.sub, sessions = ended.len(), "logged out everywhere");
    state.revocations.insert(ended, at);
    Ok(HttpResponse::NoContent().finish())
}
