//! The route table (it reads like the contract) and the JSON body rules shared by every route.

mod device;
mod discovery;
mod health;
mod jwks;
mod login;
mod me;
mod signup;
mod token_response;
mod verify;

use actix_web::error::JsonPayloadError;
use actix_web::middleware::from_fn;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::auth::require_access_token;
use crate::error::ApiError;

pub use token_response::{TokenResponse, UserView};

/// Declares the route table once; it yields both `configure` and `ROUTES`, so the list the OpenAPI test checks
/// is the list the server serves. `bearer` routes sit behind `require_access_token`.
macro_rules! route_table {
    ($($method:ident $path:literal => $handler:path $(, $bearer:ident)?;)*) => {
        /// Every (method, path) the server answers, in the contract's order.
        pub const ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),*];

        /// Registers every route. A path answers other methods with `405 method_not_allowed`.
        pub fn configure(cfg: &mut web::ServiceConfig) {
            $(
                let route = web::method(actix_web::http::Method::$method).to($handler);
                $( let route = route_table!(@$bearer route); )?
                cfg.service(web::resource($path).route(route).default_service(not_allowed(stringify!($method))));
            )*
        }
    };
    // On the route, not the resource, so a wrong method is still a 405 rather than a 401.
    (@bearer $route:ident) => { $route.wrap(from_fn(require_access_token)) };
}

route_table! {
    POST "/v1/auth/signup" => signup::signup;
    POST "/v1/auth/login" => login::login;
    GET "/v1/auth/verify" => verify::verify, bearer;
    GET "/v1/me" => me::me, bearer;
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

/// Answer for paths no route matches.
pub async fn not_found(_: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}

fn not_allowed(allow: &'static str) -> actix_web::Route {
    web::route()
        .to(move || async move { Err::<HttpResponse, _>(ApiError::MethodNotAllowed(allow)) })
}
