//! What a session records about the client that opened it.

use actix_web::HttpRequest;
use actix_web::http::header::USER_AGENT;

use crate::db::models::DeviceInfo;

/// Longest user agent kept; the header is client-controlled.
const MAX_USER_AGENT_CHARS: usize = 256;

/// The client's user agent (trimmed to a sane length) and the peer address of the connection.
pub fn device_info(req: &HttpRequest) -> DeviceInfo {
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
        ip: req.peer_addr().map(|addr| addr.ip().to_string()),
    }
}
