//! Logging: the subscriber, and one line per request. Neither ever records a header value or a body, so no
//! token, password or hash can reach the log.

use std::io::IsTerminal;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;
use tracing::Instrument;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

use crate::client_ip::client_ip;
use crate::config::{LogSettings, TrustedProxies};
use crate::state::AppState;

/// Lines that may wait for the writer thread; beyond that new lines are dropped rather than slowing requests.
const BUFFERED_LINES: usize = 16_384;

/// Installs the global subscriber (text or JSON lines on stderr). Lines are written by a background thread, so
/// a request never waits on stderr; keep the returned guard alive until exit, it flushes what is left when
/// dropped. Safe to call more than once (later calls change nothing).
pub fn init(settings: &LogSettings) -> WorkerGuard {
    let filter = EnvFilter::try_new(&settings.filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(BUFFERED_LINES)
        .lossy(true)
        .thread_name("authd-log")
        // Buffered: the writer thread flushes after each batch it drains, so lines are not held back, but a
        // busy second costs a few writes instead of one per line.
        .finish(std::io::BufWriter::with_capacity(
            64 * 1024,
            std::io::stderr(),
        ));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(writer);
    let _ = if settings.json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    guard
}

/// Logs method, route pattern, status, latency, client address and a request id for every request, and returns
/// the id in `X-Request-Id`. The route pattern (`/v1/me`), not the raw URI, so query strings never reach the log.
/// `routes` is the route table (method, pattern) the metric labels are taken from; the caller hands it in, so
/// logging does not depend on the handlers.
pub async fn log_request<B: MessageBody>(
    routes: &'static [(&'static str, &'static str)],
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let started = Instant::now();
    // A v4 UUID from the thread's CSPRNG: no system call per request, unlike `Uuid::new_v4`.
    let mut id_buffer = [0u8; uuid::fmt::Hyphenated::LENGTH];
    let request_id = uuid::Builder::from_random_bytes(rand::random())
        .into_uuid()
        .hyphenated()
        .encode_lower(&mut id_buffer);
    let request_id: &str = request_id;
    let method = req.method().clone();
    let ip = match req.app_data::<web::Data<AppState>>() {
        Some(state) => client_ip(req.request(), &state.trusted_proxies),
        None => client_ip(req.request(), &TrustedProxies::default()),
    };
    // A span costs about a third of a cheap request's CPU (measured: healthz 35 -> 24 us), so it exists only at
    // debug level, where it ties a handler's own lines to the request; the access line carries the id always.
    let span = tracing::debug_span!("request", %request_id);
    let mut result = next.call(req).instrument(span.clone()).await;
    let (status, route) = match &mut result {
        Ok(response) => {
            if let Ok(value) = HeaderValue::from_str(request_id) {
                response
                    .headers_mut()
                    .insert(HeaderName::from_static("x-request-id"), value);
            }
            (response.status(), response.request().match_pattern())
        }
        Err(error) => (error.as_response_error().status_code(), None),
    };
    let label = route_label(routes, route.as_deref());
    crate::metrics::http_request(method.as_str(), label, status, started.elapsed());
    span.in_scope(|| {
        tracing::info!(
            %request_id,
            %method,
            route = route.as_deref().unwrap_or("<unmatched>"),
            status = status.as_u16(),
            %ip,
            latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
            "request"
        );
    });
    result
}

/// The matched route's pattern as it stands in the route table, so metric labels come from a fixed set.
fn route_label(
    routes: &'static [(&'static str, &'static str)],
    pattern: Option<&str>,
) -> Option<&'static str> {
    let pattern = pattern?;
    let known = routes.iter().map(|(_, p)| *p);
    Some(
        known
            .into_iter()
            .find(|p| *p == pattern)
            .unwrap_or("<other>"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_labels_come_from_the_route_table() {
        const TABLE: &[(&str, &str)] = &[("GET", "/v1/me"), ("DELETE", "/v1/sessions/{id}")];
        let id = route_label(TABLE, Some("/v1/sessions/{id}"));
        assert_eq!(id, Some("/v1/sessions/{id}"));
        assert_eq!(
            route_label(TABLE, Some("/v1/sessions/abc")),
            Some("<other>")
        );
        assert_eq!(route_label(TABLE, None), None);
    }
}
