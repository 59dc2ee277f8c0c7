//! POST /v1/auth/logout and POST /v1/auth/logout-all

use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

use super::body::JsonObject;
use super::refresh::RefreshRequest;
use crate::auth::Authenticated;
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
    let (refresh_token, from_cookie) = cookies.refresh_token(&req, body.0.refresh_token)?;
    let claims = match tokens.verify_refresh_for_logout(&refresh_token) {
        Ok(claims) => claims,
        // Page scripts cannot delete an HttpOnly cookie: refuse the token, but let the browser forget it.
        Err(reason) if from_cookie => {
            let mut response = ApiError::InvalidGrant(reason).error_response();
            cookies.remove_from(&mut response);
            return Ok(response);
        }
        Err(reason) => return Err(ApiError::InvalidGrant(reason)),
    };
    let at = now();
    let sid = claims.sid.clone();
    if db
        .run(move |conn| sessions::revoke(conn, &sid, RevokeReason::Logout, at))
        .await?
    {
        revocations.insert([claims.sid.clone()], at);
        tracing::info!(session_id = %claims.sid, "logged out");
    }
    Ok(if from_cookie {
        cookies.cleared()
    } else {
        HttpResponse::NoContent().finish()
    })
}

/// Ends every session of the caller, this one included.
pub async fn logout_all(
    caller: Authenticated,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let user_id = caller.0.sub.clone();
    let at = now();
    let ended = state
        .db
        .run(move |conn| {
            sessions::revoke_all_for_user(conn, &user_id, None, RevokeReason::LogoutAll, at)
        })
        .await?;
    tracing::info!(user_id = %caller.0.sub, sessions = ended.len(), "logged out everywhere");
    state.revocations.insert(ended, at);
    Ok(HttpResponse::NoContent().finish())
}
