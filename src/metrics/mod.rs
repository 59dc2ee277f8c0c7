//! Prometheus metrics: the process-wide recorder, the metric names, and one small function per event, so the rest
//! of the code says `metrics::login(Login::Success)` and never spells a metric name or a label.
//!
//! Every label value comes from a fixed set (a route *pattern* of the route table, a known method, a status code,
//! an outcome or reason enum), never from the request, so the number of series is bounded. Until `install` runs
//! (only when `AUTHD_METRICS_BIND` is set) every function here is a no-op of the `metrics` facade.

mod recorder;

use std::time::Duration;

use actix_web::http::StatusCode;
use metrics::{counter, gauge, histogram};

pub use recorder::install;

// The names, with their unit and `_total` as Prometheus conventions ask.
const HTTP_REQUESTS: &str = "authd_http_requests_total";
const HTTP_REQUEST_DURATION: &str = "authd_http_request_duration_seconds";
const LOGINS: &str = "authd_logins_total";
const REFRESHES: &str = "authd_refreshes_total";
const TOKEN_REJECTIONS: &str = "authd_token_rejections_total";
const RATE_LIMITED: &str = "authd_rate_limited_total";
const RATE_LIMIT_BACKEND_ERRORS: &str = "authd_rate_limit_backend_errors_total";
const HASH_QUEUE_DEPTH: &str = "authd_hash_queue_depth";
const HASH_WAIT: &str = "authd_hash_wait_seconds";
const HASHES: &str = "authd_password_hashes_total";
const DB_POOL_CONNECTIONS: &str = "authd_db_pool_connections";
const REVOKED_SESSIONS: &str = "authd_revoked_sessions";
const REVOCATION_POLL_AGE: &str = "authd_revocation_poll_age_seconds";
const AUDIT_EVENTS_DROPPED: &str = "authd_audit_events_dropped_total";
const MAILS: &str = "authd_mails_total";

/// Label for a request no route matched (404s of the default service).
const UNMATCHED: &str = "<unmatched>";

/// How a login attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Login {
    Success,
    InvalidCredentials,
    /// The database or the hasher failed (5xx).
    Error,
}

/// How a refresh attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refresh {
    Success,
    /// The previous token again within `AUTHD_REFRESH_REUSE_INTERVAL`: the same pair again.
    ReplayWithinInterval,
    /// Forged, expired, revoked or unknown token (not reuse).
    InvalidGrant,
    /// An already-rotated token: the session was revoked.
    ReuseDetected,
    /// The database failed (5xx).
    Error,
}

impl Login {
    const ALL: [Self; 3] = [Self::Success, Self::InvalidCredentials, Self::Error];

    fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::InvalidCredentials => "invalid_credentials",
            Self::Error => "error",
        }
    }
}

impl Refresh {
    const ALL: [Self; 5] = [
        Self::Success,
        Self::ReplayWithinInterval,
        Self::InvalidGrant,
        Self::ReuseDetected,
        Self::Error,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::ReplayWithinInterval => "replay_within_interval",
            Self::InvalidGrant => "invalid_grant",
            Self::ReuseDetected => "reuse_detected",
            Self::Error => "error",
        }
    }
}

/// One answered request. `route` is the matched pattern (`match_pattern()`), `None` when no route matched; only
/// patterns of the route table become labels.
pub fn http_request(
    method: &str,
    route: Option<&'static str>,
    status: StatusCode,
    elapsed: Duration,
) {
    let method = method_label(method);
    let route = route.unwrap_or(UNMATCHED);
    counter!(HTTP_REQUESTS, "method" => method, "route" => route, "status" => status.as_str().to_owned())
        .increment(1);
    histogram!(HTTP_REQUEST_DURATION, "method" => method, "route" => route).record(elapsed);
}

/// One login attempt that reached the handler.
pub fn login(outcome: Login) {
    counter!(LOGINS, "outcome" => outcome.as_str()).increment(1);
}

/// One refresh attempt with a token.
pub fn refresh(outcome: Refresh) {
    counter!(REFRESHES, "outcome" => outcome.as_str()).increment(1);
}

/// One refused token; `error` is `invalid_token` (a bearer access token) or `invalid_grant` (a refresh token).
pub fn token_rejected(error: &'static str, reason: &'static str) {
    counter!(TOKEN_REJECTIONS, "error" => error, "reason" => reason).increment(1);
}

/// The gauges read at scrape time rather than counted: the pool's connections in use and idle, the revoked
/// sessions held in memory, and how long ago the revocation list was last polled.
pub fn sampled(pool_in_use: u32, pool_idle: u32, revoked: usize, since_poll: Duration) {
    gauge!(DB_POOL_CONNECTIONS, "state" => "in_use").set(f64::from(pool_in_use));
    gauge!(DB_POOL_CONNECTIONS, "state" => "idle").set(f64::from(pool_idle));
    gauge!(REVOKED_SESSIONS).set(revoked as f64);
    gauge!(REVOCATION_POLL_AGE).set(since_poll.as_secs_f64());
}

/// One request refused by a rate limit; `policy` is one of the fixed policy names (`login-ip`, ...).
pub fn rate_limited(policy: &'static str) {
    counter!(RATE_LIMITED, "policy" => policy).increment(1);
}

/// One message's end: `sent`, `failed` (after every retry, or not buildable) or `dropped` (the queue was full).
pub fn mail(outcome: &'static str) {
    counter!(MAILS, "outcome" => outcome).increment(1);
}

/// One rate-limit check that Redis failed or did not answer in time (it used this instance's counters).
pub fn rate_limit_backend_error() {
    counter!(RATE_LIMIT_BACKEND_ERRORS).increment(1);
}

/// `count` audit events that record no change (failed logins, rate-limit hits) were lost: the writer's queue
/// was full, or their batch could not be written.
pub fn audit_events_dropped(count: usize) {
    counter!(AUDIT_EVENTS_DROPPED).increment(count as u64);
}

/// The password-hash queue now holds `depth` jobs that wait for a hashing thread. Call it after every push and
/// every pop, so the gauge follows the queue both ways.
pub fn hash_queued(depth: usize) {
    gauge!(HASH_QUEUE_DEPTH).set(depth as f64);
}

/// A password hash (or verify) starts on a hashing thread after waiting `waited` in the queue.
pub fn hash_started(waited: Duration) {
    histogram!(HASH_WAIT).record(waited);
}

/// One argon2 hash or verify ran to its end on a hashing thread: what a login flood really costs, as opposed to
/// the requests a limit or a full queue turned away first.
pub fn hash_done() {
    counter!(HASHES).increment(1);
}

fn method_label(method: &str) -> &'static str {
    // Extension methods are arbitrary client text: they all share one label.
    match method {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "PATCH" => "PATCH",
        "OPTIONS" => "OPTIONS",
        "CONNECT" => "CONNECT",
        "TRACE" => "TRACE",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_come_from_fixed_sets() {
        assert_eq!(method_label("GET"), "GET");
        assert_eq!(method_label("X-EVIL-123"), "other");
    }
}
