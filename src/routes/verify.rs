//! GET /v1/auth/verify: for gateways (nginx `auth_request`, Traefik ForwardAuth). No database round trip.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::token_response::no_store;
use crate::auth::Authenticated;
use crate::error::ApiError;

/// `?role=<name>`: the token must carry that role (a gateway's per-route rule).
#[derive(Debug, Deserialize)]
pub struct RoleQuery {
    role: Option<String>,
}

/// 200 with the verified claims, and the user and session ids and the roles (comma-separated, empty when none)
/// as headers a gateway can forward upstream. The roles header is always sent, so a gateway that copies it never
/// keeps a value the client made up. With `?role=`, a valid token without that role is `403 insufficient_scope`.
pub async fn verify(
    caller: Authenticated,
    query: web::Query<RoleQuery>,
) -> Result<HttpResponse, ApiError> {
    let claims = caller.0;
    if let Some(role) = &query.role
        && !claims.roles.iter().any(|r| r == role)
    {
        return Err(ApiError::InsufficientScope);
    }
    Ok(no_store(HttpResponse::Ok())
        .insert_header(("X-Auth-User-Id", claims.sub.as_str()))
        .insert_header(("X-Auth-Session-Id", claims.sid.as_str()))
        .insert_header(("X-Auth-Roles", claims.roles.join(",")))
        .json(&*claims))
}
