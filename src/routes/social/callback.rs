//! GET /v1/auth/oauth/{provider}/callback

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Duration;
use serde::Deserialize;

use super::account::{self, Found, Outcome};
use super::{app_error, to_app};
use crate::config::ProviderKind;
use crate::db::models::now;
use crate::db::social::{self, LoginCode, OauthState};
use crate::error::ApiError;
use crate::routes::common::device::device_info;
use crate::social::secrets::{digest, random_token};
use crate::social::{FlowSecrets, Provider};
use crate::state::AppState;
use crate::tokens::amr;

/// How long the app has to trade a login code.
const CODE_TTL_SECONDS: i64 = 60;

/// The authorization response (RFC 6749 §4.1.2, §4.1.2.1; RFC 9207 `iss`).
#[derive(Deserialize)]
pub struct CallbackQuery {
    state: Option<String>,
    code: Option<String>,
    error: Option<String>,
    iss: Option<String>,
}

/// Ends the provider's part: checks the state, trades the code, checks the ID token, finds or creates the
/// account, and sends the browser back to the app with a one-time login code. Every failure after the state is
/// known goes back to the app as `error=...`; only a request with no valid state (which names no app to return
/// to) is answered here, with a 400.
pub async fn callback(
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<CallbackQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let Some(flow_state) = query.state.clone().filter(|s| !s.is_empty()) else {
        return Err(ApiError::InvalidRequest("state is missing".into()));
    };
    let (hash, at) = (digest(&flow_state), now());
    let row = state
        .db
        .run(move |conn| social::take_state(conn, &hash, at))
        .await?
        .ok_or_else(|| ApiError::InvalidRequest("unknown, expired or used state".into()))?;
    let back = row.app_redirect_uri.clone();
    let provider = state
        .social
        .provider(&row.provider)
        .filter(|p| p.settings.name == path.as_str());
    let Some(provider) = provider else {
        return Ok(app_error(
            &back,
            "invalid_request",
            "the callback does not match the flow",
        ));
    };
    Ok(
        match finish(&state, &req, provider, &row, (&flow_state, query)).await {
            Ok(response) => response,
            Err(error) => {
                tracing::warn!(provider = %row.provider, %error, "social login failed");
                app_error(&back, "server_error", "the sign-in could not be completed")
            }
        },
    )
}

async fn finish(
    state: &AppState,
    req: &HttpRequest,
    provider: &Provider,
    row: &OauthState,
    (flow_state, query): (&str, CallbackQuery),
) -> Result<HttpResponse, ApiError> {
    let back = row.app_redirect_uri.as_str();
    if let Some(refused) = refusal(&query, provider, back) {
        return Ok(refused);
    }
    let Some(code) = query.code else {
        return Ok(app_error(
            back,
            "invalid_request",
            "the provider sent no code",
        ));
    };
    let secrets = FlowSecrets {
        state: flow_state,
        nonce: &row.nonce,
        pkce_verifier: &row.pkce_verifier,
    };
    let callback = state.social.callback_url(&provider.settings.name);
    let redeemed = match state.social.http() {
        Ok(http) => provider.redeem(http, &callback, &code, &secrets).await,
        Err(e) => Err(e),
    };
    let user = match redeemed {
        Ok(user) => user,
        Err(error) => {
            tracing::warn!(provider = %provider.settings.name, %error, "provider login refused");
            return Ok(app_error(
                back,
                error.code(),
                "the provider's answer was refused",
            ));
        }
    };
    let found = Found {
        provider: &provider.settings.name,
        user,
        link_user_id: row.link_user_id.clone(),
        device: device_info(req, &state.trusted_proxies),
    };
    let outcome = account::resolve(state, found).await?;
    answer(state, outcome, row, &provider.settings.name).await
}

/// The redirect to the app for what the login turned out to be.
async fn answer(
    state: &AppState,
    outcome: Outcome,
    row: &OauthState,
    provider: &str,
) -> Result<HttpResponse, ApiError> {
    let (back, challenge) = (
        row.app_redirect_uri.as_str(),
        row.app_code_challenge.clone(),
    );
    Ok(match outcome {
        Outcome::SignIn(user_id) => {
            let code = issue_code(state, user_id, challenge, None).await?;
            to_app(back, &[("code", &code)])
        }
        Outcome::Linked => to_app(back, &[("linked", provider)]),
        Outcome::ConfirmLink(identity) => {
            let (user_id, pending) = (
                identity.user_id.clone(),
                serde_json::to_string(&identity).ok(),
            );
            let code = issue_code(state, user_id, challenge, pending).await?;
            to_app(back, &[("link_code", &code)])
        }
        Outcome::Refused(error, description) => app_error(back, error, description),
    })
}

/// Where the flow ends before the code is traded: the provider's own error, or a response that names another
/// issuer than this flow's (RFC 9207, against mix-up attacks).
fn refusal(query: &CallbackQuery, provider: &Provider, back: &str) -> Option<HttpResponse> {
    if let Some(error) = &query.error {
        let description = "the provider did not sign the user in";
        return Some(app_error(back, provider_error(error), description));
    }
    if let (Some(iss), ProviderKind::Oidc { issuer }) = (&query.iss, &provider.settings.kind)
        && iss.trim_end_matches('/') != issuer
    {
        return Some(app_error(
            back,
            "invalid_request",
            "the response names another issuer",
        ));
    }
    None
}

/// Stores a one-time code for `user_id`, bound to the app's challenge (a login code, or with `link_identity` a
/// link code); returns the code.
async fn issue_code(
    state: &AppState,
    user_id: String,
    app_code_challenge: String,
    link_identity: Option<String>,
) -> Result<String, ApiError> {
    let code = random_token();
    let row = LoginCode {
        code_hash: digest(&code),
        user_id,
        app_code_challenge,
        amr: amr::FEDERATED.to_owned(),
        link_identity,
        expires_at: now() + Duration::seconds(CODE_TTL_SECONDS),
        used_at: None,
    };
    state
        .db
        .run(move |conn| social::insert_code(conn, &row))
        .await?;
    Ok(code)
}

/// The provider's error code when it is one of RFC 6749 §4.1.2.1's, else `access_denied`: the app gets a code it
/// knows, and no text the provider (or whoever forged the redirect) chose.
fn provider_error(error: &str) -> &'static str {
    match error {
        "invalid_request" => "invalid_request",
        "server_error" => "server_error",
        "temporarily_unavailable" => "temporarily_unavailable",
        "invalid_scope" => "invalid_scope",
        "unauthorized_client" => "unauthorized_client",
        _ => "access_denied",
    }
}
