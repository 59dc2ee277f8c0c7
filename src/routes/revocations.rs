//! GET /v1/revocations: the revoked-session list, for services that verify access tokens themselves.

use actix_web::http::header::CACHE_CONTROL;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::revocations::Revoked;
use crate::state::AppState;

/// The query of a revocation-list poll.
#[derive(Deserialize)]
pub struct Since {
    /// Unix seconds from a previous `next_cursor`; absent means everything still relevant.
    since: Option<i64>,
}

#[derive(Serialize)]
struct RevocationList {
    revoked: Vec<Revoked>,
    next_cursor: i64,
}

/// Sessions revoked since the cursor, oldest first. Only revocations younger than an access-token lifetime are
/// listed: older sessions have no live access token left. Served from memory; cacheable for a second.
pub async fn list(query: web::Query<Since>, state: web::Data<AppState>) -> HttpResponse {
    let (revoked, next_cursor) = state.revocations.since(query.since.unwrap_or(0));
    HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "public, max-age=1"))
        .json(RevocationList {
            revoked,
            next_cursor,
        })
}
