//! The guard on every protected route.

use std::future::{Ready, ready};
use std::sync::Arc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use super::bearer_token;
use crate::error::{ApiError, TokenRejection};
use crate::state::AppState;
use crate::tokens::AccessClaims;

/// Verifies the bearer access token (key pinned by `kid`, signature, exp/nbf, iss, aud, `typ`), refuses it when
/// its session was revoked (from memory, no database round trip), and stores its claims for the handler.
/// Anything else is answered with 401 before the handler runs.
pub async fn require_access_token(
    state: web::Data<AppState>,
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let verified = bearer_token(req.headers())
        .and_then(|token| state.tokens.verify_access(token))
        .and_then(|claims| {
            if state.revocations.contains(&claims.sid) {
                Err(TokenRejection::SessionRevoked)
            } else {
                Ok(claims)
            }
        });
    match verified {
        Ok(claims) => {
            req.extensions_mut().insert(Authenticated(claims));
            next.call(req)
                .await
                .map(ServiceResponse::map_into_left_body)
        }
        Err(reason) => Ok(req
            .error_response(ApiError::InvalidToken(reason))
            .map_into_right_body()),
    }
}

/// The verified claims of the caller. Only routes behind `require_access_token` can have it; elsewhere the
/// extractor fails closed with 401.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Arc<AccessClaims>);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<Authenticated>()
                .cloned()
                .ok_or(ApiError::InvalidToken(TokenRejection::Missing)),
        )
    }
}
