//! GET /v1/me

use actix_web::{HttpResponse, web};

use super::token_response::{UserView, no_store};
use crate::auth::Authenticated;
use crate::db::{Db, users};
use crate::error::{ApiError, TokenRejection};

/// The caller's account.
pub async fn me(caller: Authenticated, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    let user_id = caller.0.sub.clone();
    let user = db
        .run(move |conn| Ok(users::find_by_id(conn, &user_id)?))
        .await?;
    // A valid token for an account that no longer exists: its sessions are gone with it.
    let user = user.ok_or(ApiError::InvalidToken(TokenRejection::SessionRevoked))?;
    Ok(no_store(HttpResponse::Ok()).json(UserView::from(&user)))
}
