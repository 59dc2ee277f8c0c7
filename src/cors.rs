//! CORS for browser clients on other origins: exact allowed origins, credentials (for cookie mode), preflight
//! for `Authorization`, `Content-Type` and the CSRF header, and the response headers a client needs to read.

use actix_cors::{Cors, CorsError};
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::web;

use crate::cookies::CSRF_HEADER;
use crate::error::ApiError;
use crate::state::AppState;

/// Preflight answers may be cached this long (seconds).
const PREFLIGHT_MAX_AGE: usize = 3600;

/// The CORS middleware for `origins`. A request from any other origin is served without CORS headers, so the
/// browser keeps its response from the page.
pub fn cors(origins: &[String]) -> Cors {
    origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
        .allowed_methods(["GET", "POST", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::HeaderName::from_static(CSRF_HEADER),
        ])
        .expose_headers([
            header::WWW_AUTHENTICATE,
            header::RETRY_AFTER,
            header::HeaderName::from_static("ratelimit"),
            header::HeaderName::from_static("ratelimit-policy"),
            header::HeaderName::from_static("x-request-id"),
        ])
        .supports_credentials()
        .max_age(PREFLIGHT_MAX_AGE)
        .block_on_origin_mismatch(false)
}

/// The answer to a preflight when no origin is allowed.
const NO_CORS: &str = "CORS: cross-origin requests are not enabled on this server (AUTHD_CORS_ORIGINS is \
     empty); serve the app from authd's origin or list its origin in AUTHD_CORS_ORIGINS";

/// A CORS preflight (Fetch standard): `OPTIONS` with `Origin` and `Access-Control-Request-Method`.
fn is_preflight(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    req.method() == Method::OPTIONS
        && headers.contains_key(header::ORIGIN)
        && headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
}

/// Runs outside the CORS middleware: a response to a request whose `Origin` is not allowed (or absent) leaves
/// with no `Access-Control-*` header at all, and actix-cors's text/plain refusals (a preflight from another
/// origin, or for a header we do not allow) become the contract's JSON error, as does any preflight when no
/// origin is allowed.
pub async fn cors_hygiene<B: MessageBody>(
    state: web::Data<AppState>,
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .map(str::to_ascii_lowercase);
    if state.allowed_origins.is_empty() && is_preflight(&req) {
        // Without CORS a preflight would reach the routes and get "405, allowed: POST", which sends whoever
        // debugs a browser app after the wrong cause; answer what the refusal is about, as a configured server
        // answers a preflight from an origin it does not allow.
        let refusal = ApiError::InvalidRequest(NO_CORS.to_owned());
        return Ok(ServiceResponse::from_err(refusal, req.into_parts().0).map_into_right_body());
    }
    let trusted = origin.is_some_and(|o| state.allowed_origins.contains(&o));
    let mut response = next.call(req).await?;
    if !trusted {
        let cors_headers: Vec<_> = response
            .headers()
            .keys()
            .filter(|name| name.as_str().starts_with("access-control-"))
            .cloned()
            .collect();
        for name in cors_headers {
            response.headers_mut().remove(name);
        }
    }
    let refusal = response
        .response()
        .error()
        .and_then(|e| e.as_error::<CorsError>())
        .map(ToString::to_string);
    Ok(match refusal {
        Some(reason) => {
            let (req, _) = response.into_parts();
            ServiceResponse::from_err(ApiError::InvalidRequest(format!("CORS: {reason}")), req)
                .map_into_right_body()
        }
        None => response.map_into_left_body(),
    })
}
