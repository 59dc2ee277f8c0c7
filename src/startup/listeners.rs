//! Binding the listeners: the public one (its server is built in `mod.rs`), the admin API and the metrics one.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::web;

use super::StartupError;
use super::admin_listener::admin_server;
use super::metrics_listener::{Sources, metrics_server};
use super::side::SideServer;
use crate::config::{ServerSettings, Settings};
use crate::metrics;
use crate::state::AppState;

/// Every listener, bound before anything else starts, so the real ports are known (the settings may ask for
/// port 0) and an address in use fails start-up before keys or a database are created.
pub(super) struct Listeners {
    /// The public listener and its port.
    pub(super) public: (TcpListener, u16),
    pub(super) admin: Option<TcpListener>,
    pub(super) metrics: Option<TcpListener>,
}

impl Listeners {
    pub(super) fn bind(server: &ServerSettings) -> Result<Self, StartupError> {
        let public = bind("AUTHD_BIND", &server.bind)?;
        let port = public
            .local_addr()
            .map_err(bind_error("AUTHD_BIND", &server.bind))?;
        let optional =
            |var, address: &Option<String>| address.as_deref().map(|a| bind(var, a)).transpose();
        Ok(Self {
            public: (public, port.port()),
            admin: optional("AUTHD_ADMIN_BIND", &server.admin_bind)?,
            metrics: optional("AUTHD_METRICS_BIND", &server.metrics_bind)?,
        })
    }
}

fn bind_error(var: &'static str, address: &str) -> impl FnOnce(std::io::Error) -> StartupError {
    let bind = address.to_owned();
    move |source| StartupError::Bind { var, bind, source }
}

fn bind(var: &'static str, address: &str) -> Result<TcpListener, StartupError> {
    TcpListener::bind(address).map_err(bind_error(var, address))
}

/// Starts the admin API on its listener.
pub(super) fn serve_admin(
    listener: TcpListener,
    state: web::Data<AppState>,
    settings: &Settings,
) -> Result<SideServer, StartupError> {
    let address = settings.server.admin_bind.as_deref().unwrap_or_default();
    let server = admin_server(listener, state, settings.server.max_body_bytes)
        .map_err(bind_error("AUTHD_ADMIN_BIND", address))?;
    Ok(server)
}

/// Installs the process-wide recorder (once) and starts the metrics server on its listener.
pub(super) fn serve_metrics(
    listener: TcpListener,
    state: &AppState,
) -> Result<SideServer, StartupError> {
    let handle = metrics::install().map_err(StartupError::Metrics)?;
    let address = listener
        .local_addr()
        .map_or_else(|_| "?".to_owned(), |a| a.to_string());
    let sources = Sources {
        pool: state.db.pool().clone(),
        revocations: Arc::clone(&state.revocations),
    };
    let server = metrics_server(listener, handle, sources)
        .map_err(bind_error("AUTHD_METRICS_BIND", &address))?;
    Ok(server)
}

/// The one line that says what runs: the operator's first check that the settings took.
pub(super) fn announce(
    settings: &Settings,
    port: u16,
    admin: Option<&SideServer>,
    metrics: Option<&SideServer>,
) {
    let host = |bind: &str| {
        bind.rsplit_once(':')
            .map_or(bind, |(host, _)| host)
            .to_owned()
    };
    let at = |bind: &Option<String>, port: Option<u16>| match (bind, port) {
        (Some(bind), Some(port)) => format!("{}:{port}", host(bind)),
        _ => "off".to_owned(),
    };
    tracing::info!(
        version = %env!("CARGO_PKG_VERSION"),
        store = %settings.store_summary(),
        redis = %settings.redis_summary(),
        mail = %settings.mail_summary(),
        providers = %settings.providers_summary(),
        public = %format!("{}:{port}", host(&settings.server.bind)),
        admin = %at(&settings.server.admin_bind, admin.map(SideServer::port)),
        metrics = %at(&settings.server.metrics_bind, metrics.map(SideServer::port)),
        "authd running"
    );
}
