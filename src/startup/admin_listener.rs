//! The admin listener: the same shared state as the public one, its own port and routes.

use std::net::TcpListener;

use actix_web::middleware::from_fn;
use actix_web::{App, web};

use super::side::SideServer;
use crate::admin;
use crate::routes;
use crate::state::AppState;
use crate::telemetry::log_request;

/// Serves the admin routes on `listener` with one worker; it handles no signals and runs as long as the guard
/// that `spawn` returns.
pub(super) fn admin_server(
    listener: TcpListener,
    state: web::Data<AppState>,
    max_body_bytes: usize,
) -> std::io::Result<SideServer> {
    SideServer::new(listener, 5, move || {
        App::new()
            .wrap(from_fn(|req, next| log_request(routes::ROUTES, req, next)))
            .app_data(routes::json_config(max_body_bytes))
            .app_data(routes::query_config())
            .app_data(state.clone())
            .configure(admin::configure)
            .default_service(web::to(routes::not_found))
    })
}
