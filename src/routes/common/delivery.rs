//! How the refresh token travels: in the JSON body (default), or, opted into per request with
//! `"token_delivery": "cookie"`, in the cookie of `crate::cookies`. The HTTP side of that cookie lives here:
//! `crate::cookies` decides, this reads the request and writes `Set-Cookie`.

use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::http::StatusCode;
use actix_web::http::header::ORIGIN;
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

use super::token_response::{TokenResponse, no_store};
use crate::cookies::{CSRF_HEADER, CookiePolicy, CookieSpec, REFRESH_COOKIE, SentCookie};
use crate::error::ApiError;

/// Where the client wants the refresh token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenDelivery {
    #[default]
    Json,
    Cookie,
}

/// The response carrying `tokens`, with the refresh token where the client asked for it.
pub fn respond(
    cookies: &CookiePolicy,
    tokens: &TokenResponse,
    delivery: TokenDelivery,
    status: StatusCode,
) -> HttpResponse {
    match delivery {
        TokenDelivery::Json => tokens.respond(status),
        TokenDelivery::Cookie => {
            let mut body = serde_json::to_value(tokens).unwrap_or_default();
            if let Some(fields) = body.as_object_mut() {
                fields.remove("refresh_token");
                fields.remove("device_token");
            }
            let cookie = cookies.cookie(tokens.refresh_token.clone(), tokens.refresh_expires_in);
            let mut response = no_store(HttpResponse::build(status));
            response.cookie(set_cookie(cookie));
            if let Some(device) = &tokens.device_token {
                let device = cookies.device_cookie(device.clone(), tokens.device_expires_in);
                response.cookie(set_cookie(device));
            }
            response.json(body)
        }
    }
}

/// The refresh token of `req`: from the body when given there, else from the cookie after the CSRF checks of
/// `cookies`. Also says whether it came from the cookie.
pub fn refresh_token(
    cookies: &CookiePolicy,
    req: &HttpRequest,
    from_body: Option<String>,
) -> Result<(String, bool), ApiError> {
    let headers = req.headers();
    let sent = SentCookie {
        refresh_cookie: req.cookie(REFRESH_COOKIE).map(|c| c.value().to_owned()),
        origin: headers
            .get(ORIGIN)
            .and_then(|o| o.to_str().ok())
            .map(str::to_owned),
        csrf_header: headers.get(CSRF_HEADER).is_some_and(|v| !v.is_empty()),
    };
    cookies.refresh_token(from_body, sent)
}

/// A 204 that also removes the refresh cookie.
pub fn cleared(cookies: &CookiePolicy) -> HttpResponse {
    let mut response = HttpResponse::NoContent().finish();
    remove_cookie(cookies, &mut response);
    response
}

/// Adds the header that makes the browser drop the refresh cookie.
pub fn remove_cookie(cookies: &CookiePolicy, response: &mut HttpResponse) {
    let mut cookie = set_cookie(cookies.cookie(String::new(), 0));
    cookie.make_removal();
    // Only fails for an invalid header value, which this cookie cannot produce.
    let _ = response.add_cookie(&cookie);
}

fn set_cookie(spec: CookieSpec) -> Cookie<'static> {
    Cookie::build(spec.name, spec.value)
        .http_only(true)
        .secure(spec.secure)
        .same_site(SameSite::Strict)
        .path(spec.path)
        .max_age(time::Duration::seconds(spec.max_age_seconds))
        .finish()
}
