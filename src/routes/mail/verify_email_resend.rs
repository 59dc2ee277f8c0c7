//! POST /v1/auth/verify-email/resend

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::links::{accepted, request_link};
use crate::db::email_tokens::Purpose;
use crate::domain::Email;
use crate::error::ApiError;
use crate::routes::common::body::JsonObject;
use crate::state::AppState;

/// An address to mail.
#[derive(Deserialize)]
pub struct EmailBody {
    pub email: String,
}

/// Mails a new verification link (the older ones stop working) when an unverified account has this address;
/// always `202` with the same body.
pub async fn resend(
    body: JsonObject<EmailBody>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let email = Email::parse(&body.0.email)?;
    let unverified = |user: &crate::db::models::User| user.email_verified_at.is_none();
    request_link(&state, email, Purpose::VerifyEmail, unverified);
    Ok(accepted())
}
