//! POST /v1/me/mfa/totp

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::auth::CallerAccount;
use crate::db::mfa::totp;
use crate::db::models::now;
use crate::error::{ApiError, MfaError};
use crate::mfa::{codes, enrolment};
use crate::routes::common::body::JsonObject;
use crate::routes::common::reauth::{self, Action};
use crate::routes::common::token_response::no_store;
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

/// The account's password (for an account that has one): a bare access token cannot add a second factor.
#[derive(Deserialize)]
pub struct EnrolBody {
    password: Option<String>,
}

/// Starts an enrolment (a new secret, pending until confirmed; it replaces a pending one). An active factor must
/// be disabled first: `409 mfa_already_enabled`. Needs the password (or, password-less, a recent login): `403
/// reauthentication_required` without it, `403 invalid_credentials` (counted like a failed login) when wrong.
pub async fn enrol(
    req: HttpRequest,
    account: CallerAccount,
    body: Option<JsonObject<EnrolBody>>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (caller, user) = (account.authenticated(), account.user);
    let user_id = user.id.clone();
    let password = body.and_then(|b| b.0.password);
    reauth::require(
        &state,
        &req,
        &caller,
        &user,
        password.as_deref(),
        Action::TotpEnrol,
    )
    .await?;
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
