//! Opening a flow: the state row that `callback` consumes, and the provider URL to send the browser to.

use chrono::Duration;

use crate::db::models::now;
use crate::db::social::{self, OauthState};
use crate::error::ApiError;
use crate::social::secrets::{digest, random_token};
use crate::social::{FlowSecrets, Provider, SocialError};
use crate::state::AppState;

/// How long a user has to get through the provider's pages.
const FLOW_TTL_MINUTES: i64 = 10;

/// What the app asked for.
pub struct AppRequest {
    pub redirect_uri: String,
    /// The app's S256 challenge, which the login or link code is bound to.
    pub code_challenge: String,
    /// The signed-in user linking a provider.
    pub link_user_id: Option<String>,
}

/// Stores the flow and returns the provider's authorization URL; a provider that cannot be reached is
/// `Ok(Err(..))`, for the caller to tell the app.
pub async fn open(
    state: &AppState,
    provider: &Provider,
    app: AppRequest,
) -> Result<Result<String, SocialError>, ApiError> {
    let (flow_state, nonce, verifier) = (random_token(), random_token(), random_token());
    let secrets = FlowSecrets {
        state: &flow_state,
        nonce: &nonce,
        pkce_verifier: &verifier,
    };
    let name = &provider.settings.name;
    let callback = state.social.callback_url(name);
    let url = match state.social.http() {
        Ok(http) => provider.authorization_url(http, &callback, &secrets).await,
        Err(e) => Err(e),
    };
    let url = match url {
        Ok(url) => url,
        Err(error) => {
            tracing::warn!(provider = %name, %error, "social login could not start");
            return Ok(Err(error));
        }
    };
    let at = now();
    let row = OauthState {
        state_hash: digest(&flow_state),
        provider: name.clone(),
        nonce,
        pkce_verifier: verifier,
        app_redirect_uri: app.redirect_uri,
        app_code_challenge: app.code_challenge,
        link_user_id: app.link_user_id,
        created_at: at,
        expires_at: at + Duration::minutes(FLOW_TTL_MINUTES),
    };
    state
        .db
        .run(move |conn| social::insert_state(conn, &row))
        .await?;
    Ok(Ok(url))
}
