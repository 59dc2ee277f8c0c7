//! The metrics listener (`AUTHD_METRICS_BIND`): `GET /metrics` in the Prometheus text format and nothing else,
//! so the API and the metrics can be exposed to different networks.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::http::{StatusCode, header};
use actix_web::{App, HttpResponse, guard, web};
use metrics_exporter_prometheus::PrometheusHandle;

use super::side::SideServer;
use crate::db::Pool;
use crate::metrics;
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
        let revocations = &self.revocations;
        metrics::sampled(
            in_use,
            pool.idle_connections,
            revocations.count(),
            revocations.since_last_poll(),
        );
    }
}

struct Scrape {
    handle: PrometheusHandle,
    sources: Sources,
}

/// Serves `/metrics` from `handle` on `listener`, with one worker. It does not handle signals: it runs as long as
/// the guard that `spawn` returns.
pub(super) fn metrics_server(
    listener: TcpListener,
    handle: PrometheusHandle,
    sources: Sources,
) -> std::io::Result<SideServer> {
    let scrape = web::Data::new(Scrape { handle, sources });
    SideServer::new(listener, 1, move || {
        App::new()
            .app_data(scrape.clone())
            .service(
                web::resource("/metrics")
                    .route(
                        web::route()
                            .guard(guard::Any(guard::Get()).or(guard::Head()))
                            .to(render),
                    )
                    .default_service(web::to(|| async {
                        json_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
                    })),
            )
            .default_service(web::to(|| async {
                json_error(StatusCode::NOT_FOUND, "not_found")
            }))
    })
}

/// `GET /metrics`: reads the gauges that are sampled rather than counted, then renders everything.
async fn render(scrape: web::Data<Scrape>) -> HttpResponse {
    scrape.sources.observe();
    // Rendering also folds pending histogram samples into their buckets (the upkeep work).
    HttpResponse::Ok()
        .content_type(CONTENT_TYPE)
        .body(scrape.handle.render())
}
