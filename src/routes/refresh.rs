//! POST /v1/auth/refresh

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use serde::Deserialize;

use super::common::body::JsonObject;
use super::common::delivery::{self, TokenDelivery};
use super::common::device::device_info;
use super::common::token_response::TokenResponse;
use crate::audit::record;
use crate::db::events;
use crate::db::models::now;
use crate::error::{ApiError, TokenRejection};
use crate::metrics::{self, Refresh};
use crate::rotation::{self, RefreshOutcome};
use crate::state::AppState;

/// The body of refresh and logout. Without `refresh_token`, the token comes from the cookie.
#[derive(Deserialize)]
pub struct RefreshRequest {
    pub refresh_token: Option<String>,
    /// Where the new refresh token goes; by default where the presented one came from.
    pub token_delivery: Option<TokenDelivery>,
}

/// Rotates: the presented refresh token dies and the session's next pair is returned.
pub async fn refresh(
    req: HttpRequest,
    body: JsonObject<RefreshRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let cookies = &state.cookies;
    let RefreshRequest {
        refresh_token,
        token_delivery,
    } = body.0;
    let (refresh_token, from_cookie) = delivery::refresh_token(cookies, &req, refresh_token)?;
    let delivery = token_delivery.unwrap_or(if from_cookie {
        TokenDelivery::Cookie
    } else {
        TokenDelivery::Json
    });
    let rotated = rotate(&req, &refresh_token, &state).await;
    // A cookie that no longer holds the live refresh token must go: the browser would keep presenting a dead
    // token, or a rotated-away one, which is reuse and would revoke the session.
    let stale_cookie = from_cookie
        && match &rotated {
            Ok(_) => delivery == TokenDelivery::Json,
            Err(error) => matches!(error, ApiError::InvalidGrant(_)),
        };
    let mut response = match rotated {
        Ok(pair) => delivery::respond(cookies, &pair, delivery, StatusCode::OK),
        Err(error) if stale_cookie => error.error_response(),
        Err(error) => return Err(error),
    };
    if stale_cookie {
        delivery::remove_cookie(cookies, &mut response);
    }
    Ok(response)
}

/// Verifies the refresh token and applies the rotation, returning the session's pair.
async fn rotate(
    req: &HttpRequest,
    refresh_token: &str,
    state: &AppState,
) -> Result<TokenResponse, ApiError> {
    let claims = state
        .tokens
        .verify_refresh(refresh_token)
        .map_err(|reason| {
            metrics::refresh(Refresh::InvalidGrant);
            ApiError::InvalidGrant(reason)
        })?;
    let policy = state.sessions.clone();
    let at = now();
    let device = device_info(req, &state.trusted_proxies);
    let client = device.clone();
    let outcome = state
        .db
        .run_in_transaction(move |conn| {
            let outcome = rotation::refresh(conn, &claims, at, &policy)?;
            events::insert(conn, &record::refreshed(&outcome, &client, at))?;
            Ok(outcome)
        })
        .await
        .inspect_err(|_| metrics::refresh(Refresh::Error))?;
    let (session, user) = match outcome {
        RefreshOutcome::Rotated(session, user) => {
            metrics::refresh(Refresh::Success);
            (session, user)
        }
        RefreshOutcome::Replayed(session, user) => {
            metrics::refresh(Refresh::ReplayWithinInterval);
            (session, user)
        }
        RefreshOutcome::Refused(reason) => {
            metrics::refresh(Refresh::InvalidGrant);
            return Err(ApiError::InvalidGrant(reason));
        }
        RefreshOutcome::ReuseDetected(session) => {
            metrics::refresh(Refresh::ReuseDetected);
            state.revocations.insert([session.id.clone()], at);
            tracing::warn!(
                session_id = %session.id,
                user_id = %session.user_id,
                ip = device.ip.as_deref().unwrap_or("-"),
                user_agent = device.user_agent.as_deref().unwrap_or("-"),
                "refresh token reuse detected; session revoked"
            );
            return Err(ApiError::InvalidGrant(TokenRejection::ReuseDetected));
        }
    };
    // Disabling revokes every session too; this closes the gap of a rotation racing it.
    if user.disabled_at.is_some() {
        return Err(ApiError::InvalidGrant(TokenRejection::SessionRevoked));
    }
    TokenResponse::for_session(&state.tokens, &user, &session)
}
