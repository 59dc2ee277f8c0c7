//! What the routes that mail a link share: the one `202` answer they give whatever happened, and asking for a
//! link for an address. The account look-up runs after the answer, so neither its body nor its timing (a
//! database write and its flush happen only for an account that exists) tells whether an account has the address.

use std::time::Duration;

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::db::email_tokens::Purpose;
use crate::db::models::{User, now};
use crate::db::users;
use crate::domain::Email;
use crate::error::ApiError;
use crate::mail::{Mail, MailKind};
use crate::mail_links::MailedToken;
use crate::routes::common::token_response::no_store;
use crate::state::AppState;

/// The answer of every route that takes an address and may send mail: it says nothing about the account.
pub fn accepted() -> HttpResponse {
    no_store(HttpResponse::Accepted()).json(json!({"status": "accepted"}))
}

/// Mails a `purpose` link to `email` when an account has that address and `wanted` says it should get one,
/// unless the address is in its cooldown; the look-up runs after the answer (`link_in_background`).
pub fn request_link(
    state: &web::Data<AppState>,
    email: Email,
    purpose: Purpose,
    wanted: fn(&User) -> bool,
) {
    let kind = match purpose {
        Purpose::VerifyEmail => MailKind::Verification,
        Purpose::PasswordReset => MailKind::PasswordReset,
        Purpose::ChangeEmail => MailKind::EmailChange,
    };
    if !state.mailer.claim(kind, email.as_str()) {
        tracing::info!(
            purpose = purpose.as_str(),
            "link not mailed: the address is in its cooldown"
        );
        return;
    }
    link_in_background(state, email, purpose, move |user| {
        user.filter(wanted).map(|u| u.id)
    });
}

/// After the answer, in one transaction: the account with address `email` (if any) goes through `owner`, which
/// names the user a link is for (or none); the link is made for that user and `email`, then mailed there. Dropped
/// (logged) when every background slot is taken.
pub fn link_in_background(
    state: &web::Data<AppState>,
    email: Email,
    purpose: Purpose,
    owner: impl FnOnce(Option<User>) -> Option<String> + Send + 'static,
) {
    let Some(slot) = state.mailer.job_slot() else {
        return;
    };
    let state = web::Data::clone(state);
    actix_web::rt::spawn(async move {
        let _slot = slot;
        match issue(&state, &email, purpose, owner).await {
            Ok(Some((token, ttl, current))) => state
                .mailer
                .send(email.as_str(), mail(purpose, &token, ttl, &current)),
            Ok(None) => tracing::info!(
                purpose = purpose.as_str(),
                "no link: no such account, or none needed"
            ),
            Err(error) => tracing::error!(?error, purpose = purpose.as_str(), "link not issued"),
        }
    });
}

async fn issue(
    state: &AppState,
    email: &Email,
    purpose: Purpose,
    owner: impl FnOnce(Option<User>) -> Option<String> + Send + 'static,
) -> Result<Option<(String, Duration, String)>, ApiError> {
    let ttl = match purpose {
        Purpose::PasswordReset => state.email.reset_ttl,
        Purpose::VerifyEmail | Purpose::ChangeEmail => state.email.verify_ttl,
    };
    let (address, at) = (email.as_str().to_owned(), now());
    let secret = state
        .db
        .run_tx(move |conn| -> Result<Option<(String, String)>, ApiError> {
            let Some(user_id) = owner(users::find_by_email(conn, &address)?) else {
                return Ok(None);
            };
            // The account's own address, which an email change's mail names (the link goes to the new one).
            let Some(account) = users::find_by_id(conn, &user_id)? else {
                return Ok(None);
            };
            let token = MailedToken::new(&user_id, purpose, &address, at, ttl);
            Ok(Some((token.issue(conn)?, account.email)))
        })
        .await?;
    Ok(secret.map(|(s, current)| (s, ttl, current)))
}

fn mail<'a>(purpose: Purpose, token: &'a str, ttl: Duration, current_email: &'a str) -> Mail<'a> {
    match purpose {
        Purpose::PasswordReset => Mail::PasswordReset { token, ttl },
        Purpose::VerifyEmail => Mail::VerifyEmail { token, ttl },
        Purpose::ChangeEmail => Mail::ConfirmEmailChange {
            token,
            ttl,
            current_email,
        },
    }
}
