//! How the refresh token travels: in the JSON body (default), or, opted into per request with
//! `"token_delivery": "cookie"`, in the cookie of `crate::cookies`.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use serde::Deserialize;

use super::token_response::{TokenResponse, no_store};
use crate::cookies::CookiePolicy;

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
            response.cookie(cookie);
            if let Some(device) = &tokens.device_token {
                response.cookie(cookies.device_cookie(device.clone(), tokens.device_expires_in));
            }
            response.json(body)
        }
    }
}
