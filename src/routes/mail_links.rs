//! What the routes that mail a link share: the one `202` answer they give whatever happened, and asking for a
//! link for an address (the same work whether or not an account has it).

use actix_web::HttpResponse;
use serde_json::json;

use super::token_response::no_store;
use crate::db::email_tokens::{self, Purpose};
use crate::db::models::{User, now};
use crate::db::users;
use crate::domain::Email;
use crate::email_tokens::MailedToken;
use crate::error::ApiError;
use crate::mail::Mail;
use crate::state::AppState;

/// The answer of every route that takes an address and may send mail: it says nothing about the account.
pub fn accepted() -> HttpResponse {
    no_store(HttpResponse::Accepted()).json(json!({"status": "accepted"}))
}

/// Mails a `purpose` link to `email` when an account has that address and `wanted` says it should get one,
/// unless the address is in its cooldown. Without an account the same statements run and nothing is queued;
/// the mail itself leaves in the background, so the answer's timing does not depend on it either.
pub async fn request_link(
    state: &AppState,
    email: &Email,
    purpose: Purpose,
    wanted: fn(&User) -> bool,
) -> Result<(), ApiError> {
    if !state.mailer.claim(email.as_str()) {
        tracing::info!(
            purpose = purpose.as_str(),
            "link not mailed: the address is in its cooldown"
        );
        return Ok(());
    }
    let ttl = match purpose {
        Purpose::PasswordReset => state.email.reset_ttl,
        Purpose::VerifyEmail | Purpose::ChangeEmail => state.email.verify_ttl,
    };
    let (address, at) = (email.as_str().to_owned(), now());
    let secret = state
        .db
        .run_tx(move |conn| -> Result<Option<String>, ApiError> {
            let user = users::find_by_email(conn, &address)?.filter(wanted);
            let user_id = user.as_ref().map_or("", |u| u.id.as_str());
            let token = MailedToken::new(user_id, purpose, &address, at, ttl);
            if user.is_none() {
                email_tokens::issue_nothing(conn, at)?;
                return Ok(None);
            }
            Ok(Some(token.issue(conn)?))
        })
        .await?;
    if let Some(token) = secret.as_deref() {
        let mail = match purpose {
            Purpose::PasswordReset => Mail::PasswordReset { token, ttl },
            Purpose::VerifyEmail | Purpose::ChangeEmail => Mail::VerifyEmail { token, ttl },
        };
        state.mailer.send(email.as_str(), mail);
    }
    Ok(())
}
