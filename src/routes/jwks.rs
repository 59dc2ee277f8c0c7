//! GET /.well-known/jwks.json

use actix_web::http::header::{CACHE_CONTROL, ETAG, IF_NONE_MATCH};
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::state::AppState;

/// How long verifiers may cache the key set. A key must be published (`authd keys generate`) for longer than
/// this before it signs (`authd keys rotate`); the README asks for 15 minutes, which also covers jose's
/// default 10-minute cache.
pub const JWKS_MAX_AGE_SECONDS: u32 = 300;

/// The public keys that verify access tokens, with an ETag so a verifier's revalidation costs a 304.
pub async fn jwks(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let body = serde_json::to_vec(&state.tokens.jwks()).expect("a JWK set serialises");
    let etag = format!(
        "\"{}\"",
        &URL_SAFE_NO_PAD.encode(Sha256::digest(&body))[..27]
    );
    let cache_control = format!("public, max-age={JWKS_MAX_AGE_SECONDS}");
    if if_none_match(&req, &etag) {
        return HttpResponse::NotModified()
            .insert_header((CACHE_CONTROL, cache_control))
            .insert_header((ETAG, etag))
            .finish();
    }
    HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, cache_control))
        .insert_header((ETAG, etag))
        .content_type("application/json")
        .body(body)
}

/// RFC 9110 §13.1.2: a weak comparison against every listed tag, or `*`.
fn if_none_match(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get_all(IF_NONE_MATCH)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|tag| tag.trim())
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
}
