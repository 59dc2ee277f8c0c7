//! GET /v1/me

use actix_web::web::{self, Bytes};
use actix_web::{HttpResponse, http::header::ContentType};

use super::common::token_response::{UserView, no_store};
use crate::auth::{Authenticated, CallerAccount};
use crate::error::ApiError;
use crate::mfa;
use crate::state::AppState;

/// The caller's account.
pub async fn me(
    caller: Authenticated,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let user_id = caller.0.sub.clone();
    if let Some(body) = state.recent_users.get(&user_id) {
        return Ok(respond(body));
    }
    // Only on a miss: a cached body costs no database round trip.
    let user = CallerAccount::load(caller, &state).await?.user;
    let mut view = UserView::from(&user);
    view.mfa_enabled = Some(mfa::is_enabled(state.factors(), &user.id).await?);
    let body = serde_json::to_vec(&view).map_err(ApiError::internal)?;
    let body = Bytes::from(body);
    state.recent_users.insert(user_id, body.clone());
    Ok(respond(body))
}

fn respond(body: Bytes) -> HttpResponse {
    no_store(HttpResponse::Ok())
        .content_type(ContentType::json())
        .body(body)
}
