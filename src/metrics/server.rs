//! The metrics listener (`AUTHD_METRICS_BIND`): `GET /metrics` in the Prometheus text format and nothing else,
//! so the API and the metrics can be exposed to different networks.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::{Server, ServerHandle};
use actix_web::http::{StatusCode, header};
use actix_web::{App, HttpResponse, HttpServer, guard, web};
use metrics::gauge;
use metrics_exporter_prometheus::PrometheusHandle;

use super::{DB_POOL_CONNECTIONS, REVOCATION_POLL_AGE, REVOKED_SESSIONS};
use crate::db::Pool;
use crate::revocations::Revocations;

/// The API's error shape, for the only two errors this listener has; written here so the metrics listener
/// depends on nothing of the API's.
fn json_error(status: StatusCode, code: &'static str) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    if status == StatusCode::METHOD_NOT_ALLOWED {
        response.insert_header((header::ALLOW, "GET, HEAD"));
    }
    response.content_type("application/json").body(format!(
        r#"{{"error":"{code}","error_description":"this listener serves only GET /metrics"}}"#
    ))
}

/// Prometheus text exposition format 0.0.4.
const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// What the gauges read at scrape time.
pub struct Sources {
    pub pool: Pool,
    pub revocations: Arc<Revocations>,
}

impl Sources {
    fn observe(&self) {
        let pool = self.pool.state();
        let in_use = pool.connections.saturating_sub(pool.idle_connections);
        gauge!(DB_POOL_CONNECTIONS, "state" => "in_use").set(f64::from(in_use));
        gauge!(DB_POOL_CONNECTIONS, "state" => "idle").set(f64::from(pool.idle_connections));
        gauge!(REVOKED_SESSIONS).set(self.revocations.count() as f64);
        gauge!(REVOCATION_POLL_AGE).set(self.revocations.since_last_poll().as_secs_f64());
    }
}

struct Scrape {
    handle: PrometheusHandle,
    sources: Sources,
}

/// A bound metrics listener, not yet running.
pub struct MetricsServer {
    server: Server,
    port: u16,
}

/// Stops the metrics listener when dropped.
#[must_use = "the metrics listener stops when this is dropped"]
pub struct Running(ServerHandle);

impl MetricsServer {
    /// Serves `/metrics` from `handle` on `listener`, with one worker. It does not handle signals: it runs as long
    /// as the guard that `spawn` returns.
    pub fn new(
        listener: TcpListener,
        handle: PrometheusHandle,
        sources: Sources,
    ) -> std::io::Result<Self> {
        let port = listener.local_addr()?.port();
        let scrape = web::Data::new(Scrape { handle, sources });
        let server = HttpServer::new(move || {
            App::new()
                .app_data(scrape.clone())
                .service(
                    web::resource("/metrics")
                        .route(
                            web::route()
                                .guard(guard::Any(guard::Get()).or(guard::Head()))
                                .to(metrics),
                        )
                        .default_service(web::to(|| async {
                            json_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
                        })),
                )
                .default_service(web::to(|| async {
                    json_error(StatusCode::NOT_FOUND, "not_found")
                }))
        })
        .workers(1)
        .disable_signals()
        .shutdown_timeout(1)
        .listen(listener)?
        .run();
        Ok(Self { server, port })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Runs the listener on the current runtime until the returned guard is dropped.
    pub fn spawn(self) -> Running {
        let handle = self.server.handle();
        actix_web::rt::spawn(self.server);
        Running(handle)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // The command is sent now; the spawned server finishes on its own.
        let stopping = self.0.stop(true);
        drop(stopping);
    }
}

/// `GET /metrics`: reads the gauges that are sampled rather than counted, then renders everything.
async fn metrics(scrape: web::Data<Scrape>) -> HttpResponse {
    scrape.sources.observe();
    // Rendering also folds pending histogram samples into their buckets (the upkeep work).
    HttpResponse::Ok()
        .content_type(CONTENT_TYPE)
        .body(scrape.handle.render())
}
