//! POST /v1/me/mfa/totp

use actix_web::{HttpResponse, web};
use serde::Serialize;

use crate::auth::Authenticated;
use crate::db::mfa::totp;
use crate::db::models::now;
use crate::db::users;
use crate::error::{ApiError, MfaError, TokenRejection};
use crate::mfa::{codes, enrolment};
use crate::routes::token_response::no_store;
use crate::state::AppState;

/// What the authenticator app needs: the secret three ways.
#[derive(Serialize)]
struct Enrolment {
    /// Base32, for typing in.
    secret: String,
    otpauth_uri: String,
    /// The URI as a QR code.
    qr_svg: String,
}

/// Starts an enrolment (a new secret, pending until confirmed; it replaces a pending one). An active factor must
/// be disabled first: `409 mfa_already_enabled`.
pub async fn enrol(
    caller: Authenticated,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let user_id = caller.0.sub.clone();
    let lookup = user_id.clone();
    let user = state
        .db
        .run(move |conn| users::find_by_id(conn, &lookup))
        .await?;
    let user = user.ok_or(ApiError::InvalidToken(TokenRejection::SessionRevoked))?;
    let secret = codes::new_secret();
    let sealed = state.secret_box.seal(&user_id, &secret);
    let at = now();
    let stored = state
        .db
        .run(move |conn| totp::replace_pending(conn, &user_id, &sealed, at))
        .await?;
    if !stored {
        return Err(MfaError::AlreadyEnabled.into());
    }
    let secret = codes::base32(&secret);
    let uri = enrolment::otpauth_uri(&state.mfa.issuer, &user.email, &secret);
    let qr_svg = enrolment::qr_svg(&uri)
        .ok_or_else(|| ApiError::internal("the otpauth URI does not fit a QR code"))?;
    tracing::info!(user_id = %user.id, "TOTP enrolment started");
    Ok(no_store(HttpResponse::Ok()).json(Enrolment {
        secret,
        otpauth_uri: uri,
        qr_svg,
    }))
}
