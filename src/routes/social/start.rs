//! GET /v1/auth/oauth/{provider}/start

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::flow::{self, AppRequest};
use super::{app_error, redirect};
use crate::error::ApiError;
use crate::social::secrets::is_challenge;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct StartQuery {
    redirect_uri: String,
    code_challenge: String,
    /// Only `S256` (RFC 7636); absent means S256 too, `plain` is refused.
    code_challenge_method: Option<String>,
}

/// Redirects the browser to the provider. An unlisted `redirect_uri` is a 400 here and never a redirect, so
/// authd cannot be used to bounce a user to an arbitrary site.
pub async fn start(
    path: web::Path<String>,
    query: web::Query<StartQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    if !state.social.allows_redirect(&query.redirect_uri) {
        return Err(ApiError::InvalidRequest(
            "redirect_uri is not one of AUTHD_REDIRECT_URIS".into(),
        ));
    }
    let provider = state
        .social
        .provider(&path.into_inner())
        .ok_or(ApiError::NotFound)?;
    let s256 = query.code_challenge_method.as_deref().unwrap_or("S256") == "S256";
    if !s256 || !is_challenge(&query.code_challenge) {
        return Err(ApiError::InvalidRequest(
            "code_challenge must be an S256 PKCE challenge (43 base64url characters)".into(),
        ));
    }
    let redirect_uri = query.redirect_uri.clone();
    let app = AppRequest {
        redirect_uri: query.redirect_uri,
        code_challenge: query.code_challenge,
        link_user_id: None,
    };
    Ok(match flow::open(&state, provider, app).await? {
        Ok(url) => redirect(&url),
        Err(error) => app_error(
            &redirect_uri,
            error.code(),
            "the provider cannot be reached",
        ),
    })
}
