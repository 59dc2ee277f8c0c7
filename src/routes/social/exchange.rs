//! POST /v1/auth/oauth/exchange

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::db::models::now;
use crate::db::social::{self, LoginCode};
use crate::db::users;
use crate::error::ApiError;
use crate::mfa;
use crate::routes::common::body::JsonObject;
use crate::routes::common::delivery::TokenDelivery;
use crate::routes::common::sign_in;
use crate::social::secrets::{digest, is_verifier, s256};
use crate::state::AppState;
use crate::tokens::amr;

#[derive(Deserialize)]
pub struct ExchangeBody {
    code: String,
    code_verifier: String,
    token_delivery: Option<TokenDelivery>,
}

/// Trades a login code and the app's PKCE verifier for the usual token response (or the MFA challenge). The
/// code is spent by the first attempt, right or wrong: a stolen code is worth one guess at the verifier.
pub async fn exchange(
    req: HttpRequest,
    body: JsonObject<ExchangeBody>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let code = spend_code(&state, &body.code, &body.code_verifier).await?;
    // A link code never signs in.
    if code.link_identity.is_some() || s256(&body.code_verifier) != code.app_code_challenge {
        return Err(ApiError::InvalidLoginCode);
    }
    let id = code.user_id.clone();
    let user = state
        .db
        .run(move |conn| users::find_by_id(conn, &id))
        .await?
        .ok_or(ApiError::InvalidLoginCode)?;
    if user.disabled_at.is_some() {
        return Err(ApiError::AccountDisabled);
    }
    if mfa::is_enabled(state.factors(), &user.id).await? {
        return sign_in::mfa_challenge(&state, &user, amr::FEDERATED).await;
    }
    let delivery = body.token_delivery.unwrap_or_default();
    let opening = sign_in::Opening {
        amr: Some(code.amr),
        ..Default::default()
    };
    sign_in::open_session(&state, &req, &user, opening, delivery).await
}

/// Spends a login or link code (single use, whatever happens next) after checking the verifier's form; an
/// unknown, used or expired code, or a malformed verifier, is `400 invalid_grant`. The PKCE match is the caller's.
pub(super) async fn spend_code(
    state: &AppState,
    code: &str,
    verifier: &str,
) -> Result<LoginCode, ApiError> {
    if !is_verifier(verifier) {
        return Err(ApiError::InvalidLoginCode);
    }
    let (hash, at) = (digest(code), now());
    state
        .db
        .run(move |conn| social::use_code(conn, &hash, at))
        .await?
        .ok_or(ApiError::InvalidLoginCode)
}
