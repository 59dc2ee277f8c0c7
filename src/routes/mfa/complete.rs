//! POST /v1/auth/mfa

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::db::mfa::{challenges, recovery_codes};
use crate::db::models::{User, now};
use crate::db::users;
use crate::error::{ApiError, MfaError, TokenRejection};
use crate::mfa::{self, CheckError, LoginFactor, MAX_ATTEMPTS};
use crate::routes::common::body::JsonObject;
use crate::routes::common::delivery::TokenDelivery;
use crate::routes::common::sign_in;
use crate::state::AppState;
use crate::tokens::amr;

/// The mfa_token of the password step and one of the two kinds of code.
#[derive(Deserialize)]
pub struct Complete {
    mfa_token: String,
    code: Option<String>,
    recovery_code: Option<String>,
    token_delivery: Option<TokenDelivery>,
}

/// Completes a login with a second factor: 200 with tokens (`amr` `pwd otp` or `pwd rcv`, `acr` `aal2`). A
/// forged or expired mfa_token is `401 invalid_grant`, a used or burned one with reason `already_used`; a wrong code `401 invalid_code`, and the
/// fifth wrong code burns the mfa_token.
pub async fn complete(
    req: HttpRequest,
    body: JsonObject<Complete>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let claims = state
        .tokens
        .verify_mfa(&body.mfa_token)
        .map_err(ApiError::InvalidGrant)?;
    // A malformed body spends no attempt.
    if body.code.is_some() == body.recovery_code.is_some() {
        return Err(ApiError::InvalidRequest(
            "send either code or recovery_code".into(),
        ));
    }
    let (jti, user_id) = (claims.jti.clone(), claims.sub.clone());
    // The row is gone from `is_open` once the token was spent or burned: say so, not that a session ended.
    let ended = ApiError::InvalidGrant(TokenRejection::AlreadyUsed);
    let (j, u) = (jti.clone(), user_id.clone());
    // Reserved before the code is checked; a wrong code (or a request that goes away) keeps it as spent.
    let reserved = state
        .db
        .run(move |conn| challenges::reserve(conn, &j, &u, now(), MAX_ATTEMPTS))
        .await?;
    if !reserved {
        return Err(ended);
    }
    let factor = check_factor(&state, &jti, &user_id, &body).await?;
    let (user, left) = consume_challenge(&state, jti, user_id.clone(), factor.clone())
        .await?
        .ok_or(ended)?;
    if let Some(left) = left {
        mfa::recovery_code_used(&state.mailer, &user.id, &user.email, left);
    }
    // Disabled by an operator between the password and the code.
    user.disabled_at
        .map_or(Ok(()), |_| Err(ApiError::AccountDisabled))?;
    let proved = factor.proved(left);
    let first = claims.first.as_deref().filter(|f| *f == amr::FEDERATED);
    let methods = format!("{} {}", first.unwrap_or(amr::PASSWORD), proved.amr());
    let delivery = body.token_delivery.unwrap_or_default();
    let opening = sign_in::Opening {
        amr: Some(methods),
        recovery_codes_left: left,
        with_device: false,
    };
    sign_in::open_session(&state, &req, &user, opening, delivery).await
}

/// The code or recovery code of `body`, checked; a code refused before any was checked (the `mfa-account`
/// ceiling) gives the challenge's attempt back.
async fn check_factor(
    state: &AppState,
    jti: &str,
    user_id: &str,
    body: &Complete,
) -> Result<LoginFactor, ApiError> {
    let factor = mfa::check_login_factor(
        state.factors(),
        user_id,
        body.code.as_deref(),
        body.recovery_code.as_deref(),
    )
    .await;
    match factor {
        Err(CheckError::Limited(limited)) => {
            let j = jti.to_owned();
            state
                .db
                .run(move |conn| challenges::refund(conn, &j))
                .await?;
            Err(limited.into())
        }
        other => Ok(other?),
    }
}

/// Gives back the right code's reservation and spends the challenge and, for a recovery code, the code, in one
/// transaction (all compare-and-set): of many codes sent at once on one mfa_token, one is spent. Returns the
/// account and the recovery codes left; `None` when the challenge was spent meanwhile or the account is gone. A
/// code spent meanwhile by another request is `invalid_code`; the transaction then rolls back, so the challenge
/// keeps that attempt counted.
async fn consume_challenge(
    state: &AppState,
    jti: String,
    user_id: String,
    factor: LoginFactor,
) -> Result<Option<(User, Option<i64>)>, ApiError> {
    let at = now();
    state
        .db
        .run_tx(move |conn| -> Result<_, ApiError> {
            challenges::refund(conn, &jti)?;
            if !challenges::consume(conn, &jti, &user_id, at, MAX_ATTEMPTS)? {
                return Ok(None);
            }
            let left = match &factor {
                LoginFactor::Otp => None,
                LoginFactor::RecoveryCode { id } => {
                    if !recovery_codes::mark_used(conn, id, at)? {
                        return Err(MfaError::InvalidCode.into());
                    }
                    Some(recovery_codes::count_unused(conn, &user_id)?)
                }
            };
            Ok(users::find_by_id(conn, &user_id)?.map(|user| (user, left)))
        })
        .await
}
