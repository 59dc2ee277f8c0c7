//! POST /v1/me/identities/{provider}/start

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::flow::{self, AppRequest};
use crate::auth::{Authenticated, CallerAccount};
use crate::error::ApiError;
use crate::mfa;
use crate::routes::common::body::JsonObject;
use crate::routes::common::reauth::{self, Action};
use crate::routes::common::token_response::no_store;
use crate::social::SocialError;
use crate::social::secrets::is_challenge;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct LinkBody {
    redirect_uri: String,
    /// The app's S256 challenge; the link code is bound to it.
    code_challenge: String,
    /// The account's password, when it has one: a bare access token cannot add a way in.
    password: Option<String>,
    /// A current TOTP code: needed when MFA is on and the session is not aal2.
    code: Option<String>,
}

#[derive(Serialize)]
struct LinkStart {
    authorization_url: String,
}

/// Starts linking a provider to the signed-in account. A browser cannot send the bearer token on a navigation,
/// so this answers with the provider URL for the app to open; the callback then sends the browser to
/// `redirect_uri?link_code=...` for the app to confirm at `POST /v1/me/identities/confirm` (or `?linked=<provider>`
/// when it already was, or `?error=...`).
pub async fn start(
    req: HttpRequest,
    caller: Authenticated,
    path: web::Path<String>,
    body: JsonObject<LinkBody>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    if !state.social.allows_redirect(&body.redirect_uri) {
        return Err(ApiError::InvalidRequest(
            "redirect_uri is not one of AUTHD_REDIRECT_URIS".into(),
        ));
    }
    let provider = state
        .social
        .provider(&path.into_inner())
        .ok_or(ApiError::NotFound)?;
    if !is_challenge(&body.code_challenge) {
        return Err(ApiError::InvalidRequest(
            "code_challenge must be an S256 PKCE challenge (43 base64url characters)".into(),
        ));
    }
    reauthenticate(&state, &req, &caller, &body).await?;
    let app = AppRequest {
        redirect_uri: body.redirect_uri,
        code_challenge: body.code_challenge,
        link_user_id: Some(caller.0.sub.clone()),
    };
    match flow::open(&state, provider, app).await? {
        Ok(authorization_url) => {
            Ok(no_store(HttpResponse::Ok()).json(LinkStart { authorization_url }))
        }
        Err(SocialError::Unreachable(_) | SocialError::Invalid(_)) => Err(ApiError::Unavailable),
    }
}

/// The password (password-less: a recent login), then, for an account with MFA, an aal2 session or a code.
async fn reauthenticate(
    state: &AppState,
    req: &HttpRequest,
    caller: &Authenticated,
    body: &LinkBody,
) -> Result<(), ApiError> {
    // Loaded here, not by the extractor: the request's own checks come first.
    let user = CallerAccount::load(caller.clone(), state).await?.user;
    let password = body.password.as_deref();
    reauth::require(state, req, caller, &user, password, Action::IdentityLink).await?;
    let acr = caller.0.acr.as_deref();
    Ok(mfa::require_step_up(state.factors(), &user.id, acr, body.code.as_deref()).await?)
}
