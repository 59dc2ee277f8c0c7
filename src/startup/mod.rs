//! Building the application from settings: the listeners (first, so a port in use writes nothing), keys,
//! database, state, then the HTTP server on the bound listener.

mod admin_listener;
mod background;
mod error;
mod listeners;
mod metrics_listener;
mod side;

use std::future::Future;
use std::net::TcpListener;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::{Condition, from_fn};
use actix_web::{App, HttpServer, web};

use crate::config::Settings;
use crate::cors;
use crate::db::{self, Db};
use crate::deadline;
use crate::keys::{self, KeySet};
use crate::mail::Mailer;
use crate::passwords::Passwords;
use crate::revocations::Revocations;
use crate::routes;
use crate::shutdown;
use crate::state::AppState;
use crate::telemetry::log_request;
use crate::tokens::Tokens;
use background::background;
pub use error::StartupError;
use listeners::{Listeners, announce, serve_admin, serve_metrics};
use side::SideServer;

/// A built server, listening, not yet running.
pub struct Application {
    port: u16,
    server: Server,
    /// The `/metrics` listener, when `AUTHD_METRICS_BIND` is set.
    metrics: Option<SideServer>,
    /// The admin API listener, when `AUTHD_ADMIN_BIND` is set.
    admin: Option<SideServer>,
    /// Keeps the revoked-session list fresh, prunes, sweeps the rate limiters, writes audit events; runs as long as
    /// the server.
    background: Pin<Box<dyn Future<Output = ()>>>,
}

impl Application {
    /// Loads (or creates) the keys, migrates the database and binds the listener. Every failure happens here,
    /// not at the first request.
    pub fn build(settings: Settings) -> Result<Self, StartupError> {
        // Listeners first: a port in use stops start-up before anything is written to disk.
        let listeners = Listeners::bind(&settings.server)?;
        let tokens = load_tokens(&settings)?;
        let (db, revocations) = open_database(&settings, tokens.access_token_window())?;
        let passwords = Passwords::new(&settings.passwords).map_err(StartupError::Passwords)?;
        // After the ring: its directory exists by now.
        let secret_box = keys::SecretBox::load_or_create(&settings.tokens.key_dir)
            .map_err(StartupError::keys(&settings))?;
        let (mailer, mail_worker) =
            Mailer::start(&settings.mail).map_err(|e| StartupError::mail(&settings, e))?;
        let state = AppState::new(
            &settings,
            db,
            passwords,
            tokens,
            revocations,
            secret_box,
            mailer,
        );
        if !state.rate_limits.enabled() {
            tracing::warn!(
                "AUTHD_RATE_LIMITS=off: signup, login, refresh, logout and password change are not rate-limited"
            );
        }
        let background = background(&state, mail_worker);
        let Listeners {
            public: (listener, port),
            admin,
            metrics,
        } = listeners;
        let metrics = match metrics {
            Some(listener) => Some(serve_metrics(listener, &state)?),
            None => None,
        };
        let state = web::Data::new(state);
        let admin = match admin {
            Some(listener) => Some(serve_admin(listener, state.clone(), &settings)?),
            None => None,
        };
        let server = serve(&settings, listener, state)?;
        announce(&settings, port, admin.as_ref(), metrics.as_ref());
        Ok(Self {
            port,
            server,
            metrics,
            admin,
            background,
        })
    }

    /// The bound port of the metrics listener, when there is one.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(SideServer::port)
    }

    /// The bound port of the admin listener, when there is one.
    pub fn admin_port(&self) -> Option<u16> {
        self.admin.as_ref().map(SideServer::port)
    }

    /// The bound port (useful when the settings asked for port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle that stops the server.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until the server is stopped (SIGINT/SIGTERM or `handle().stop()`). A stop is graceful: actix stops
    /// accepting, lets in-flight requests finish for up to `AUTHD_SHUTDOWN_TIMEOUT`, then returns here; the
    /// background tasks end with this future, the metrics listener is told to stop, and the database pool closes
    /// when its last clone (the workers' state and the background tasks') is dropped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let metrics = self.metrics.map(SideServer::spawn);
        let admin = self.admin.map(SideServer::spawn);
        let result = tokio::select! {
            result = self.server => result,
            () = self.background => Ok(()),
        };
        drop((metrics, admin));
        tracing::info!("authd stopped");
        result
    }
}

/// The key ring, loaded or created on first start, and the token service around it (which watches the ring
/// for operator changes).
fn load_tokens(settings: &Settings) -> Result<Tokens, StartupError> {
    let (keys, generated) = KeySet::load_or_generate(
        &settings.tokens.key_dir,
        settings.tokens.access_alg,
        settings.tokens.hs256_secret.as_ref(),
    )
    .map_err(StartupError::keys(settings))?;
    for line in generated {
        tracing::info!("{line} (the key ring is reused on later starts)");
    }
    if settings.tokens.hs256_secret.is_some() {
        tracing::info!(
            "HS256 mode: access tokens are signed with AUTHD_HS256_SECRET; the JWKS is empty"
        );
    }
    let tokens = Tokens::new(keys, &settings.tokens, &settings.sessions);
    tokens.watch_key_ring(keys::RELOAD_INTERVAL);
    Ok(tokens)
}

/// Migrates the database and reads the revoked sessions on one connection, then opens the pool.
fn open_database(
    settings: &Settings,
    access_window: Duration,
) -> Result<(Db, Arc<Revocations>), StartupError> {
    let database_error = |e: &dyn std::fmt::Display| StartupError::database(settings, e);
    let mut conn = db::connect(&settings.database.url).map_err(|e| database_error(&e))?;
    let applied = db::run_pending(&mut conn).map_err(|e| database_error(&e))?;
    if applied > 0 {
        tracing::info!(applied, "database migrations applied");
    }
    let revocations = Arc::new(Revocations::new(access_window));
    revocations
        .reload(&mut conn)
        .map_err(|e| database_error(&e))?;
    let pool = db::build_pool(&settings.database.url, settings.database.pool_size);
    Ok((Db::new(pool), revocations))
}

/// The HTTP server on `listener`: middlewares, extractor configs, the shared state and the route table.
fn serve(
    settings: &Settings,
    listener: TcpListener,
    state: web::Data<AppState>,
) -> Result<Server, StartupError> {
    let (max_body, limits) = (settings.server.max_body_bytes, &settings.server);
    let handler_timeout = limits.handler_timeout;
    let server = HttpServer::new(move || {
        let origins = &state.allowed_origins;
        App::new()
            .wrap(from_fn(move |req, next| {
                deadline::within(handler_timeout, req, next)
            }))
            .wrap(Condition::new(!origins.is_empty(), cors::cors(origins)))
            .wrap(from_fn(cors::cors_hygiene))
            // The route table is handed in, so the log line's labels come from a fixed set.
            .wrap(from_fn(|req, next| log_request(routes::ROUTES, req, next)))
            .app_data(routes::json_config(max_body))
            .app_data(routes::query_config())
            .app_data(state.clone())
            .configure(routes::configure)
            .default_service(web::to(routes::not_found))
    })
    .workers(settings.server.workers)
    // Only database work runs on the blocking threads (argon2 has its own threads): more threads than
    // connections would only wait for one, so each worker gets as many as the pool has.
    .worker_max_blocking_threads(settings.database.pool_size as usize)
    // Slow clients and idle connections are cut off; a head over actix's fixed 128 KiB (or 96 headers) is
    // refused by actix itself (431 / 400). SIGTERM and Ctrl-C stop accepting and wait for in-flight requests.
    .client_request_timeout(limits.request_timeout)
    .client_disconnect_timeout(Duration::from_secs(1))
    .keep_alive(limits.keep_alive)
    .max_connections(limits.max_connections)
    .max_connection_rate(limits.max_connection_rate)
    .shutdown_timeout(limits.shutdown_timeout.as_secs())
    .shutdown_signal(shutdown::stop_signal(limits.shutdown_timeout))
    .listen(listener)
    .map_err(|source| StartupError::Bind {
        var: "AUTHD_BIND",
        bind: settings.server.bind.clone(),
        source,
    })?
    .run();
    Ok(server)
}
