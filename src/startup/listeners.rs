//! Binding the listeners: the public one (its server is built in `mod.rs`), the admin API and the metrics one.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::web;

use super::StartupError;
use crate::admin::AdminServer;
use crate::config::Settings;
use crate::metrics::{self, MetricsServer};
use crate::state::AppState;

/// Binds `address` before anything serves, so the real port is known (the settings may ask for port 0).
pub(super) fn bind(address: &str) -> Result<(TcpListener, u16), StartupError> {
    let bind_error = |source| StartupError::Bind {
        bind: address.to_owned(),
        source,
    };
    let listener = TcpListener::bind(address).map_err(bind_error)?;
    let port = listener.local_addr().map_err(bind_error)?.port();
    Ok((listener, port))
}

/// Binds the admin API listener.
pub(super) fn serve_admin(
    bind: &str,
    state: web::Data<AppState>,
    settings: &Settings,
) -> Result<AdminServer, StartupError> {
    let bind_error = |source| StartupError::Bind {
        bind: bind.to_owned(),
        source,
    };
    let listener = TcpListener::bind(bind).map_err(bind_error)?;
    let server =
        AdminServer::new(listener, state, settings.server.max_body_bytes).map_err(bind_error)?;
    tracing::info!(address = %bind, port = server.port(), "admin API listening");
    Ok(server)
}

/// Installs the process-wide recorder (once) and binds the metrics listener.
pub(super) fn serve_metrics(bind: &str, state: &AppState) -> Result<MetricsServer, StartupError> {
    let handle = metrics::install().map_err(StartupError::Metrics)?;
    let bind_error = |source| StartupError::Bind {
        bind: bind.to_owned(),
        source,
    };
    let listener = TcpListener::bind(bind).map_err(bind_error)?;
    let sources = metrics::Sources {
        pool: state.db.pool().clone(),
        revocations: Arc::clone(&state.revocations),
    };
    let server = MetricsServer::new(listener, handle, sources).map_err(bind_error)?;
    tracing::info!(address = %bind, port = server.port(), "metrics listening");
    Ok(server)
}
