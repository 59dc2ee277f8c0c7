//! The admin listener: the same shared state as the public one, its own port and routes.

use std::net::TcpListener;

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};

use crate::routes;
use crate::state::AppState;
use crate::telemetry::log_request;

/// A bound admin listener, not yet running.
pub struct AdminServer {
    server: Server,
    port: u16,
}

/// Stops the admin listener when dropped.
#[must_use = "the admin listener stops when this is dropped"]
pub struct Running(ServerHandle);

impl AdminServer {
    /// Serves the admin routes on `listener` with one worker; it handles no signals and runs as long as the guard
    /// that `spawn` returns.
    pub fn new(
        listener: TcpListener,
        state: web::Data<AppState>,
        max_body_bytes: usize,
    ) -> std::io::Result<Self> {
        let port = listener.local_addr()?.port();
        let server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(log_request))
                .app_data(routes::json_config(max_body_bytes))
                .app_data(routes::query_config())
                .app_data(state.clone())
                .configure(super::configure)
                .default_service(web::to(routes::not_found))
        })
        .workers(1)
        .disable_signals()
        .shutdown_timeout(5)
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
        drop(self.0.stop(true));
    }
}
