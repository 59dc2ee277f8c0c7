//! GET /.well-known/jwks.json

use actix_web::http::header::CACHE_CONTROL;
use actix_web::{HttpResponse, web};

use crate::tokens::Tokens;

/// The public keys that verify access tokens.
pub async fn jwks(tokens: web::Data<Tokens>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "public, max-age=300"))
        .json(tokens.jwks())
}
