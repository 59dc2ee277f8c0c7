//! What a session records about the client that opened it.

use actix_web::HttpRequest;
use actix_web::http::header::USER_AGENT;

use crate::client_ip::client_ip;
use crate::config::TrustedProxies;
use crate::db::models::DeviceInfo;

/// Longest user agent kept; the header is client-controlled.
const MAX_USER_AGENT_CHARS: usize = 256;

/// The client's user agent (trimmed to a sane length) and address (the peer, or what a trusted proxy saw).
pub fn device_info(req: &HttpRequest, proxies: &TrustedProxies) -> DeviceInfo {
    let user_agent = req
        .headers()
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| {
            ua.chars()
                .filter(|c| !c.is_control())
                .take(MAX_USER_AGENT_CHARS)
                .collect()
        });
    DeviceInfo {
        user_agent,
        ip: Some(client_ip(req, proxies).to_string()),
    }
}
