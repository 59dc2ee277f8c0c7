//! Logging: the subscriber, and one line per request. Neither ever records a header value or a body, so no
//! token, password or hash can reach the log.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;
use tracing_subscriber::EnvFilter;

use crate::config::LogSettings;

/// Installs the global subscriber (text or JSON lines on stderr). Safe to call more than once.
pub fn init(settings: &LogSettings) {
    let filter = EnvFilter::try_new(&settings.filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if settings.json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// Logs method, route pattern, status, latency and a request id for every request, and returns the id in
/// `X-Request-Id`. The route pattern (`/v1/me`), not the raw URI, so query strings never reach the log.
pub async fn log_request<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let started = Instant::now();
    let request_id = uuid::Uuid::new_v4().to_string();
    let method = req.method().to_string();
    let span = tracing::info_span!("request", %request_id);
    let mut result = next.call(req).instrument(span.clone()).await;
    let (status, route) = match &mut result {
        Ok(response) => {
            if let Ok(value) = HeaderValue::from_str(&request_id) {
                response
                    .headers_mut()
                    .insert(HeaderName::from_static("x-request-id"), value);
            }
            (response.status(), response.request().match_pattern())
        }
        Err(error) => (error.as_response_error().status_code(), None),
    };
    crate::metrics::http_request(&method, route.as_deref(), status, started.elapsed());
    span.in_scope(|| {
        tracing::info!(
            %method,
            route = route.as_deref().unwrap_or("<unmatched>"),
            status = status.as_u16(),
            latency_ms = started.elapsed().as_secs_f64() * 1000.0,
            "request"
        );
    });
    result
}
