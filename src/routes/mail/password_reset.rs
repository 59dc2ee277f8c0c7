//! POST /v1/auth/password-reset

use actix_web::{HttpResponse, web};

use super::links::{accepted, request_link};
use super::verify_email_resend::EmailBody;
use crate::db::email_tokens::Purpose;
use crate::domain::Email;
use crate::error::ApiError;
use crate::routes::common::body::JsonObject;
use crate::state::AppState;

/// Mails a reset link (valid 30 minutes at most, single use, only the newest) when an account has this address.
/// Always `202` with the same body, at once: the look-up happens after the answer.
pub async fn request(
    body: JsonObject<EmailBody>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let email = Email::parse(&body.0.email)?;
    request_link(&state, email, Purpose::PasswordReset, |_| true);
    Ok(accepted())
}
