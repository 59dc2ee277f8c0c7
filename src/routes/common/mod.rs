//! What the handlers share, apart from the endpoints: JSON bodies (body), token delivery in the body or a cookie
//! (delivery), the caller's device (device), the end of a login (sign_in), the token response and time format
//! (token_response), the views of a user's records (views), the re-authentication a new way in needs (reauth),
//! and the audit event and notice of each change to the ways in (account_change). The admin API imports from
//! here, never from the endpoints.

pub mod account_change;
pub mod body;
pub mod delivery;
pub mod device;
pub mod reauth;
pub mod sign_in;
pub mod token_response;
pub mod views;

use actix_web::{HttpResponse, web};

use crate::error::ApiError;

/// A `405 method_not_allowed` route that lists `allow`.
pub fn method_not_allowed(allow: &'static str) -> actix_web::Route {
    web::route()
        .to(move || async move { Err::<HttpResponse, _>(ApiError::MethodNotAllowed(allow)) })
}
