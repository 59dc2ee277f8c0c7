//! The headers of a `429 rate_limited` answer.

use actix_web::http::header;

use crate::rate_limits::Limited;

/// Whole seconds to wait, rounded up, at least 1 (a `Retry-After` of 0 invites an immediate retry).
pub(super) fn retry_after_secs(limited: &Limited) -> u64 {
    let after = limited.retry_after;
    (after.as_secs() + u64::from(after.subsec_nanos() > 0)).max(1)
}

/// `Retry-After`, and the IETF draft's (draft-ietf-httpapi-ratelimit-headers) `RateLimit-Policy` (quota `q`
/// per window `w` seconds) and `RateLimit` (`r` left, `t` seconds until there is one again).
pub(super) fn rate_limit_headers(response: &mut actix_web::HttpResponseBuilder, limited: &Limited) {
    let after = retry_after_secs(limited);
    let name = limited.policy;
    let (quota, window) = (limited.quota, limited.window.as_secs());
    response.insert_header((header::RETRY_AFTER, after.to_string()));
    response.insert_header((
        "RateLimit-Policy",
        format!(r#""{name}";q={quota};w={window}"#),
    ));
    response.insert_header(("RateLimit", format!(r#""{name}";r=0;t={after}"#)));
}
