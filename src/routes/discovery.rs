//! GET /.well-known/openid-configuration: where verifiers find the issuer and the JWKS (all `jose`'s
//! `createRemoteJWKSet` needs is `jwks_uri`), plus authd's own endpoints. authd is not an OAuth authorization
//! server, so it publishes no `token_endpoint` or `authorization_endpoint`; its endpoints are `authd_*` fields.

use actix_web::http::header::CACHE_CONTROL;
use actix_web::{HttpResponse, web};
use serde_json::json;

use super::jwks::JWKS_MAX_AGE_SECONDS;
use crate::state::AppState;

/// The discovery document: the issuer, the JWKS and authd's own endpoints.
pub async fn openid_configuration(state: web::Data<AppState>) -> HttpResponse {
    let tokens = &state.tokens;
    let issuer = tokens.issuer();
    let base = issuer.trim_end_matches('/');
    let url = |path: &str| format!("{base}{path}");
    HttpResponse::Ok()
        .insert_header((
            CACHE_CONTROL,
            format!("public, max-age={JWKS_MAX_AGE_SECONDS}"),
        ))
        .json(json!({
            "issuer": issuer,
            "jwks_uri": url("/.well-known/jwks.json"),
            "authd_signup_endpoint": url("/v1/auth/signup"),
            "authd_login_endpoint": url("/v1/auth/login"),
            "authd_refresh_endpoint": url("/v1/auth/refresh"),
            "authd_logout_endpoint": url("/v1/auth/logout"),
            "authd_verify_endpoint": url("/v1/auth/verify"),
            "authd_me_endpoint": url("/v1/me"),
            "authd_access_token_signing_alg_values_supported": tokens.access_algorithms(),
            "authd_access_token_typ": "at+jwt",
            "authd_access_token_audience": tokens.audience(),
        }))
}
