//! POST /v1/auth/verify-email

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::db::email_tokens::{self, Purpose};
use crate::db::models::{User, now};
use crate::db::{events, users};
use crate::error::ApiError;
use crate::mail_links::hash_of;
use crate::routes::common::account_change::{self, Change};
use crate::routes::common::body::JsonObject;
use crate::routes::common::device::device_info;
use crate::routes::common::token_response::{UserView, no_store};
use crate::state::AppState;

/// A mailed token.
#[derive(Deserialize)]
pub struct TokenBody {
    pub token: String,
}

/// Uses a verification link: marks the address verified, or, for a link sent to a new address, moves the
/// account to it. 200 with the account; `400 invalid_token_link` for an unknown, used or expired token.
pub async fn verify(
    req: HttpRequest,
    body: JsonObject<TokenBody>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let hash = hash_of(&body.0.token).ok_or(ApiError::InvalidTokenLink)?;
    let at = now();
    let device = device_info(&req, &state.trusted_proxies);
    let (user, purpose, left) = state
        .db
        .run_tx(
            move |conn| -> Result<(User, &'static str, Option<String>), ApiError> {
                let purposes = [Purpose::VerifyEmail, Purpose::ChangeEmail];
                let token = email_tokens::consume(conn, &hash, &purposes, at)?
                    .ok_or(ApiError::InvalidTokenLink)?;
                let purpose = Purpose::of(&token).ok_or(ApiError::InvalidTokenLink)?;
                let mut left = None;
                let applied = match purpose {
                    Purpose::ChangeEmail => {
                        // The address it leaves hears of the move (and the trail records it).
                        left = users::find_by_id(conn, &token.user_id)?.map(|u| u.email);
                        let changed =
                            account_change::event(&token.user_id, Change::EmailChanged, &device);
                        events::insert(conn, &[changed])?;
                        users::change_email(conn, &token.user_id, &token.email, at)?;
                        // Links mailed to the old address (a reset among them) must not outlive the move.
                        email_tokens::retire_all_for_user(conn, &token.user_id, at)?;
                        true
                    }
                    // A link for an address the account has since left proves nothing about the current one.
                    _ => users::mark_email_verified(conn, &token.user_id, &token.email, at)?,
                };
                if !applied {
                    return Err(ApiError::InvalidTokenLink);
                }
                let user = users::find_by_id(conn, &token.user_id)?;
                Ok((
                    user.ok_or(ApiError::InvalidTokenLink)?,
                    purpose.as_str(),
                    left,
                ))
            },
        )
        .await?;
    if let Some(left) = left {
        account_change::notify(&state, &left, Change::EmailChanged);
    }
    state.recent_users.forget(&user.id);
    tracing::info!(user_id = %user.id, purpose, "email address verified");
    Ok(no_store(HttpResponse::Ok()).json(UserView::from(&user)))
}
