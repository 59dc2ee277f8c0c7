//! The end of a successful sign-in, shared by the password login and its second step (`POST /v1/auth/mfa`): a
//! new session with tokens and a device token, or, for an account with MFA, the challenge instead.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use chrono::Duration;
use serde::Serialize;

use super::delivery::{self, TokenDelivery};
use super::device::device_info;
use super::token_response::{TokenResponse, no_store};
use crate::audit::record;
use crate::db::events::{self, EventKind};
use crate::db::mfa::challenges;
use crate::db::models::{DeviceInfo, Session, User, now};
use crate::error::ApiError;
use crate::state::AppState;

/// The answer to a right password of an account with MFA: no tokens yet.
#[derive(Serialize)]
struct MfaChallenge {
    mfa_required: bool,
    mfa_token: String,
    expires_in: i64,
}

/// Records a challenge after the first factor `first` (`pwd` or `fed`) and answers `200 {mfa_required,
/// mfa_token, expires_in}`.
pub async fn mfa_challenge(
    state: &AppState,
    user: &User,
    first: &str,
) -> Result<HttpResponse, ApiError> {
    let at = now();
    let ttl = i64::try_from(state.mfa.token_ttl.as_secs()).unwrap_or(300);
    let (token, jti) = state
        .tokens
        .mint_mfa(&user.id, first, at.and_utc().timestamp(), ttl)?;
    let (user_id, expires_at) = (user.id.clone(), at + Duration::seconds(ttl));
    state
        .db
        .run(move |conn| challenges::insert(conn, &jti, &user_id, at, expires_at))
        .await?;
    tracing::info!(user_id = %user.id, "password accepted; waiting for the second factor");
    Ok(no_store(HttpResponse::Ok()).json(MfaChallenge {
        mfa_required: true,
        mfa_token: token.token,
        expires_in: token.expires_in,
    }))
}

/// How a sign-in was proved, for `open_session`; the default is a password alone, no device token.
#[derive(Debug, Default)]
pub struct Opening {
    /// Space-separated RFC 8176 values; `None`: password only.
    pub amr: Option<String>,
    /// Sent back when a recovery code was spent.
    pub recovery_codes_left: Option<i64>,
    /// The client presented a device token: a `device_token_used` event is recorded with the login.
    pub with_device: bool,
}

/// Opens a session for `user`, proved as `opening` says, and answers with its tokens and a device token. The
/// session is stored with its `login` event and, when the client presented a device token, a `device_token_used`
/// event, in one transaction.
pub async fn open_session(
    state: &AppState,
    req: &HttpRequest,
    user: &User,
    opening: Opening,
    delivery: TokenDelivery,
) -> Result<HttpResponse, ApiError> {
    let Opening {
        amr,
        recovery_codes_left,
        with_device,
    } = opening;
    let mut session = Session::start(
        &user.id,
        device_info(req, &state.trusted_proxies),
        now(),
        state.sessions.max_age,
    );
    session.amr = amr;
    let row = session.clone();
    state
        .db
        .run_in_transaction(move |conn| {
            record::session_opened(conn, EventKind::Login, &row)?;
            if with_device {
                let client = DeviceInfo {
                    user_agent: row.user_agent.clone(),
                    ip: row.ip.clone(),
                };
                let used = record::device_token_used(&row, &client, row.created_at);
                events::insert(conn, &[used])?;
            }
            Ok(())
        })
        .await?;
    let amr = session.amr.as_deref().unwrap_or("pwd");
    tracing::info!(user_id = %user.id, session_id = %session.id, amr, "logged in");
    let mut response = TokenResponse::for_session(&state.tokens, user, &session)?;
    let device_token = state.tokens.mint_device(
        &user.id,
        user.credential_epoch,
        session.created_at.and_utc().timestamp(),
    )?;
    response.device_token = Some(device_token.token);
    response.device_expires_in = device_token.expires_in;
    response.recovery_codes_left = recovery_codes_left;
    Ok(delivery::respond(
        &state.cookies,
        &response,
        delivery,
        StatusCode::OK,
    ))
}
