//! GET /v1/auth/verify: for gateways (nginx `auth_request`, Traefik ForwardAuth). No database round trip.

use actix_web::{HttpResponse, web};

use super::common::token_response::no_store;
use crate::auth::Authenticated;
use crate::error::ApiError;

/// The query, as pairs: `role` is the only parameter, and may repeat.
type Query = web::Query<Vec<(String, String)>>;

/// 200 with the verified claims, and the user and session ids and the roles (comma-separated, empty when none)
/// as headers a gateway can forward upstream. The roles header is always sent, so a gateway that copies it never
/// keeps a value the client made up. Each `?role=` must be among the token's roles (all of them: another
/// parameter can only narrow access, never widen it), else `403 insufficient_scope`. Any other parameter is
/// `400 invalid_request`: a misspelt `?roles=admin` must not leave a route silently unguarded.
pub async fn verify(caller: Authenticated, query: Query) -> Result<HttpResponse, ApiError> {
    let claims = caller.0;
    let mut required = Vec::new();
    for (name, value) in query.into_inner() {
        if name != "role" {
            return Err(ApiError::InvalidRequest(format!(
                "unknown query parameter {name:?}: only role is accepted (repeat it to require several \
                 roles); a gateway must not pass the client's query string on"
            )));
        }
        required.push(value);
    }
    if !required.iter().all(|role| claims.roles.contains(role)) {
        return Err(ApiError::InsufficientScope);
    }
    Ok(no_store(HttpResponse::Ok())
        .insert_header(("X-Auth-User-Id", claims.sub.as_str()))
        .insert_header(("X-Auth-Session-Id", claims.sid.as_str()))
        .insert_header(("X-Auth-Roles", claims.roles.join(",")))
        .json(&*claims))
}
