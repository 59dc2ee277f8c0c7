//! GET /v1/auth/verify: for gateways (nginx `auth_request`, Traefik ForwardAuth). No database round trip.

use actix_web::HttpResponse;

use super::token_response::no_store;
use crate::auth::Authenticated;

/// 200 with the verified claims, and the user and session ids and the roles (comma-separated, empty when none)
/// as headers a gateway can forward upstream. The roles header is always sent, so a gateway that copies it never
/// keeps a value the client made up.
pub async fn verify(caller: Authenticated) -> HttpResponse {
    let claims = caller.0;
    no_store(HttpResponse::Ok())
        .insert_header(("X-Auth-User-Id", claims.sub.as_str()))
        .insert_header(("X-Auth-Session-Id", claims.sid.as_str()))
        .insert_header(("X-Auth-Roles", claims.roles.join(",")))
        .json(&*claims)
}
