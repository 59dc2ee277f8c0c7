//! The process-wide Prometheus recorder: installed once, with fixed buckets, an upkeep thread and HELP lines.

use std::sync::OnceLock;
use std::time::Duration;

use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use super::{
    AUDIT_EVENTS_DROPPED, DB_POOL_CONNECTIONS, HASH_QUEUE_DEPTH, HASH_WAIT, HASHES,
    HTTP_REQUEST_DURATION, HTTP_REQUESTS, LOGINS, Login, MAILS, RATE_LIMIT_BACKEND_ERRORS,
    RATE_LIMITED, REFRESHES, REVOCATION_POLL_AGE, REVOKED_SESSIONS, Refresh, TOKEN_REJECTIONS,
};

/// Histogram buckets, in seconds: 0.1 ms to 5 s, about three per decade.
const BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// Histogram samples wait in a buffer until upkeep folds them into the buckets; this bounds that buffer when
/// nobody scrapes.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// Installs the Prometheus recorder for the whole process on the first call and returns its handle; later calls
/// (several `Application`s in one test process) get the same handle. Also starts the upkeep thread.
pub fn install() -> Result<PrometheusHandle, String> {
    static RECORDER: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();
    RECORDER
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets(BUCKETS)
                .map_err(|e| e.to_string())?
                .install_recorder()
                .map_err(|e| format!("cannot install the metrics recorder: {e}"))?;
            let upkeep = handle.clone();
            std::thread::Builder::new()
                .name("authd-metrics-upkeep".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(UPKEEP_INTERVAL);
                        upkeep.run_upkeep();
                    }
                })
                .map_err(|e| format!("cannot start the metrics upkeep thread: {e}"))?;
            describe();
            Ok(handle)
        })
        .clone()
}

/// HELP lines, and zero-valued series for the fixed outcomes so a rate() has a start.
fn describe() {
    describe_counter!(
        HTTP_REQUESTS,
        "HTTP requests answered, by method, route pattern and status"
    );
    describe_histogram!(HTTP_REQUEST_DURATION, "Time to answer an HTTP request");
    describe_counter!(LOGINS, "Login attempts, by outcome");
    describe_counter!(REFRESHES, "Refresh-token rotations, by outcome");
    describe_counter!(
        TOKEN_REJECTIONS,
        "Refused access or refresh tokens, by error and reason"
    );
    describe_counter!(RATE_LIMITED, "Requests refused by a rate limit, by policy");
    describe_counter!(MAILS, "Mail messages by outcome: sent, failed or dropped");
    describe_counter!(
        RATE_LIMIT_BACKEND_ERRORS,
        "Rate-limit checks Redis failed or did not answer in time (counted locally instead)"
    );
    describe_gauge!(
        HASH_QUEUE_DEPTH,
        "Password hashes waiting for a hashing thread"
    );
    describe_histogram!(HASH_WAIT, "Time a password hash waited before it started");
    describe_counter!(HASHES, "Password hashes and verifies computed");
    describe_gauge!(
        DB_POOL_CONNECTIONS,
        "Database pool connections, by state (at scrape time)"
    );
    describe_gauge!(REVOKED_SESSIONS, "Sessions in the in-memory revocation set");
    describe_gauge!(
        REVOCATION_POLL_AGE,
        "Time since the revocation set was last re-read"
    );
    describe_counter!(
        AUDIT_EVENTS_DROPPED,
        "Audit events of failed logins and rate-limit hits lost to a full queue or a failed write"
    );
    counter!(AUDIT_EVENTS_DROPPED).increment(0);
    for outcome in Login::ALL {
        counter!(LOGINS, "outcome" => outcome.as_str()).increment(0);
    }
    for outcome in Refresh::ALL {
        counter!(REFRESHES, "outcome" => outcome.as_str()).increment(0);
    }
    counter!(RATE_LIMIT_BACKEND_ERRORS).increment(0);
    gauge!(HASH_QUEUE_DEPTH).set(0.0);
    counter!(HASHES).increment(0);
    // Registers the histogram, so it is listed (empty) before the first hash.
    let _ = histogram!(HASH_WAIT);
}
