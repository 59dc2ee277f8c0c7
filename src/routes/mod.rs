//! The route table (it reads like the contract) and the JSON body rules shared by every route.

pub mod common;
mod discovery;
mod events;
mod health;
mod jwks;
mod login;
mod logout;
mod mail;
mod me;
mod mfa;
mod password;
mod refresh;
mod revocations;
mod sessions;
mod signup;
mod social;
mod verify;

use actix_web::error::JsonPayloadError;
use actix_web::guard::{self, Guard};
use actix_web::http::Method;
use actix_web::middleware::from_fn;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::auth::require_access_token;
use crate::error::ApiError;
use crate::throttle;

use common::method_not_allowed;
pub use common::token_response::{TokenResponse, UserView, no_store, rfc3339};
pub use common::views::{EventView, IdentityView};

/// Declares the route table once; it yields both `configure` and `ROUTES`, so the list the OpenAPI test checks
/// is the list the server serves. After the handler come its guards, innermost first: `bearer` puts the route
/// behind `require_access_token`, `limit_*` behind that rate limit (`throttle`). One method per path: each
/// entry is its own resource, so a second entry for a path would never be reached (the OpenAPI test would fail).
macro_rules! route_table {
    ($($method:ident $path:literal => $handler:path $(, $guard:ident)*;)*) => {
        /// Every (method, path) the server answers, in the contract's order.
        pub const ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),*];

        /// Registers every route. A path answers other methods with `405 method_not_allowed`.
        pub fn configure(cfg: &mut web::ServiceConfig) {
            $(
                let route = web::route().guard(accepts(Method::$method)).to($handler);
                $( let route = route_table!(@$guard route); )*
                cfg.service(web::resource($path).route(route).default_service(not_allowed(stringify!($method))));
            )*
        }
    };
    // On the route, not the resource, so a wrong method is still a 405 rather than a 401 or a 429.
    (@bearer $route:ident) => { $route.wrap(from_fn(require_access_token)) };
    (@$limit:ident $route:ident) => { $route.wrap(from_fn(throttle::$limit)) };
}

route_table! {
    POST "/v1/auth/signup" => signup::signup, limit_signup;
    POST "/v1/auth/login" => login::login, limit_login;
    POST "/v1/auth/refresh" => refresh::refresh, limit_refresh;
    POST "/v1/auth/logout" => logout::logout, limit_logout;
    POST "/v1/auth/mfa" => mfa::complete::complete, limit_mfa;
    POST "/v1/auth/logout-all" => logout::logout_all, bearer;
    GET "/v1/auth/verify" => verify::verify, bearer;
    GET "/v1/me" => me::me, bearer;
    POST "/v1/me/password" => password::change, bearer, limit_password;
    GET "/v1/me/events" => events::list, bearer;
    GET "/v1/me/mfa" => mfa::status::status, bearer, limit_mfa_manage;
    POST "/v1/me/mfa/totp" => mfa::enrol::enrol, bearer, limit_mfa_manage;
    POST "/v1/me/mfa/totp/confirm" => mfa::confirm::confirm, bearer, limit_mfa_manage;
    POST "/v1/me/mfa/totp/disable" => mfa::disable::disable, bearer, limit_mfa_manage;
    POST "/v1/me/mfa/recovery-codes" => mfa::recovery_codes::regenerate, bearer, limit_mfa_manage;
    POST "/v1/me/email" => mail::email_change::change, bearer, limit_mail;
    POST "/v1/auth/verify-email" => mail::verify_email::verify, limit_email_token;
    POST "/v1/auth/verify-email/resend" => mail::verify_email_resend::resend, limit_mail;
    POST "/v1/auth/password-reset" => mail::password_reset::request, limit_mail;
    POST "/v1/auth/password-reset/confirm" => mail::password_reset_confirm::confirm, limit_email_token;
    GET "/v1/auth/providers" => social::providers::list;
    GET "/v1/auth/oauth/{provider}/start" => social::start::start, limit_oauth;
    GET "/v1/auth/oauth/{provider}/callback" => social::callback::callback, limit_oauth;
    POST "/v1/auth/oauth/exchange" => social::exchange::exchange, limit_oauth;
    GET "/v1/me/identities" => social::identities::list, bearer;
    POST "/v1/me/identities/{provider}/start" => social::link::start, bearer, limit_oauth;
    POST "/v1/me/identities/confirm" => social::confirm::confirm, bearer, limit_oauth;
    DELETE "/v1/me/identities/{id}" => social::identities::delete, bearer;
    GET "/v1/sessions" => sessions::list, bearer;
    DELETE "/v1/sessions/{id}" => sessions::delete, bearer;
    GET "/v1/revocations" => revocations::list;
    GET "/.well-known/jwks.json" => jwks::jwks;
    GET "/.well-known/openid-configuration" => discovery::openid_configuration;
    GET "/healthz" => health::healthz;
    GET "/readyz" => health::readyz;
}

/// Body rules for `web::Json`: the size limit, and contract-shaped errors instead of actix's text/plain ones.
pub fn json_config(max_body_bytes: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(max_body_bytes)
        .error_handler(move |err, _req| {
            let api_error = match &err {
                JsonPayloadError::Overflow { .. }
                | JsonPayloadError::OverflowKnownLength { .. } => {
                    ApiError::PayloadTooLarge(max_body_bytes)
                }
                JsonPayloadError::ContentType => {
                    ApiError::InvalidRequest("Content-Type must be application/json".into())
                }
                JsonPayloadError::Deserialize(e) if e.is_data() => {
                    ApiError::InvalidRequest(format!("invalid body: {e}"))
                }
                JsonPayloadError::Deserialize(_) => {
                    ApiError::InvalidRequest("the body is not valid JSON".into())
                }
                _ => ApiError::InvalidRequest("the body could not be read".into()),
            };
            api_error.into()
        })
}

/// Query-string errors in the contract's shape.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        ApiError::InvalidRequest(format!("invalid query string: {err}")).into()
    })
}

/// Answer for paths no route matches.
pub async fn not_found(_: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}

/// The route's method, and HEAD along with GET (RFC 9110 §9.3.2; actix sends no body for HEAD).
fn accepts(method: Method) -> impl Guard {
    let head = if method == Method::GET {
        Method::HEAD
    } else {
        method.clone()
    };
    guard::Any(guard::Method(method)).or(guard::Method(head))
}

fn not_allowed(method: &'static str) -> actix_web::Route {
    method_not_allowed(if method == "GET" { "GET, HEAD" } else { method })
}
