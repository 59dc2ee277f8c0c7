//! Building the application from settings: keys, database, hasher, then the HTTP server on a bound listener.

use std::future::Future;
use std::net::TcpListener;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::{Condition, from_fn};
use actix_web::{App, HttpServer, web};

use crate::config::Settings;
use crate::cors;
use crate::db::{self, Db};
use crate::keys::{self, KeySet};
use crate::metrics::{self, MetricsServer};
use crate::passwords::Passwords;
use crate::pruning;
use crate::revocations::Revocations;
use crate::routes;
use crate::telemetry::log_request;
use crate::tokens::Tokens;

/// A start-up failure, named by the step that failed.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("signing keys: {0}")]
    Keys(#[from] keys::KeyError),
    #[error("database: {0}")]
    Database(String),
    #[error("passwords: {0}")]
    Passwords(String),
    #[error("metrics: {0}")]
    Metrics(String),
    #[error("cannot listen on {bind}: {source}")]
    Bind {
        bind: String,
        source: std::io::Error,
    },
}

/// A built server, listening, not yet running.
pub struct Application {
    port: u16,
    server: Server,
    /// The `/metrics` listener, when `AUTHD_METRICS_BIND` is set.
    metrics: Option<MetricsServer>,
    /// Keeps the revoked-session list fresh and prunes ended sessions; runs exactly as long as the server.
    background: Pin<Box<dyn Future<Output = ()>>>,
}

impl Application {
    /// Loads (or creates) the keys, migrates the database and binds the listener. Every failure happens here,
    /// not at the first request.
    pub fn build(settings: Settings) -> Result<Self, StartupError> {
        let (keys, generated) = KeySet::load_or_generate(
            &settings.tokens.key_dir,
            settings.tokens.access_alg,
            settings.tokens.hs256_secret.as_ref(),
        )?;
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

        let database_error = |e: &dyn std::fmt::Display| StartupError::Database(e.to_string());
        let mut conn = db::connect(&settings.database.url).map_err(|e| database_error(&e))?;
        let applied = db::run_pending(&mut conn).map_err(|e| database_error(&e))?;
        if applied > 0 {
            tracing::info!(applied, "database migrations applied");
        }
        let revocations = Arc::new(Revocations::new(tokens.access_token_window()));
        revocations
            .reload(&mut conn)
            .map_err(|e| database_error(&e))?;
        drop(conn);
        let pool = db::build_pool(&settings.database.url, settings.database.pool_size);
        let db = Db::new(pool.clone());
        let passwords = Passwords::new(&settings.passwords).map_err(StartupError::Passwords)?;

        let bind_error = |source| StartupError::Bind {
            bind: settings.server.bind.clone(),
            source,
        };
        let listener = TcpListener::bind(&settings.server.bind).map_err(bind_error)?;
        let port = listener.local_addr().map_err(bind_error)?.port();
        let metrics = match &settings.server.metrics_bind {
            Some(bind) => {
                let sources = metrics::Sources {
                    pool,
                    revocations: Arc::clone(&revocations),
                };
                Some(serve_metrics(bind, sources)?)
            }
            None => None,
        };

        let background = {
            let (revocations, db, policy) = (
                Arc::clone(&revocations),
                db.clone(),
                settings.sessions.clone(),
            );
            Box::pin(async move {
                tokio::join!(
                    Revocations::poll_forever(revocations, db.clone()),
                    pruning::prune_forever(db, policy)
                );
            })
        };
        let revocations = web::Data::from(revocations);
        let db = web::Data::new(db);
        let passwords = web::Data::new(passwords);
        let tokens = web::Data::new(tokens);
        let policy = web::Data::new(settings.sessions.clone());
        let recent_users = web::Data::new(routes::RecentUsers::new());
        let max_body = settings.server.max_body_bytes;
        let cors_origins = settings.browser.cors_origins.clone();
        let allowed_origins = web::Data::new(cors::AllowedOrigins(cors_origins.clone()));
        let cookies = web::Data::new(routes::CookiePolicy::new(
            settings.browser.cookie_secure,
            &cors_origins,
            &settings.tokens.issuer,
        ));
        let server = HttpServer::new(move || {
            App::new()
                .wrap(Condition::new(
                    !cors_origins.is_empty(),
                    cors::cors(&cors_origins),
                ))
                .wrap(from_fn(cors::cors_hygiene))
                .wrap(from_fn(log_request))
                .app_data(routes::json_config(max_body))
                .app_data(routes::query_config())
                .app_data(allowed_origins.clone())
                .app_data(cookies.clone())
                .app_data(db.clone())
                .app_data(passwords.clone())
                .app_data(tokens.clone())
                .app_data(policy.clone())
                .app_data(revocations.clone())
                .app_data(recent_users.clone())
                .configure(routes::configure)
                .default_service(web::to(routes::not_found))
        })
        .workers(settings.server.workers)
        // Only database work runs on the blocking threads (argon2 has its own threads): more threads than
        // connections would only wait for one, so each worker gets as many as the pool has.
        .worker_max_blocking_threads(settings.database.pool_size as usize)
        .shutdown_timeout(5)
        .listen(listener)
        .map_err(bind_error)?
        .run();
        tracing::info!(address = %settings.server.bind, port, "authd listening");
        Ok(Self {
            port,
            server,
            metrics,
            background,
        })
    }

    /// The bound port of the metrics listener, when there is one.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(MetricsServer::port)
    }

    /// The bound port (useful when the settings asked for port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle that stops the server.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until the server is stopped (SIGINT/SIGTERM or `handle().stop()`).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let _metrics = self.metrics.map(MetricsServer::spawn);
        tokio::select! {
            result = self.server => result,
            () = self.background => Ok(()),
        }
    }
}

/// Installs the process-wide recorder (once) and binds the metrics listener.
fn serve_metrics(bind: &str, sources: metrics::Sources) -> Result<MetricsServer, StartupError> {
    let handle = metrics::install().map_err(StartupError::Metrics)?;
    let bind_error = |source| StartupError::Bind {
        bind: bind.to_owned(),
        source,
    };
    let listener = TcpListener::bind(bind).map_err(bind_error)?;
    let server = MetricsServer::new(listener, handle, sources).map_err(bind_error)?;
    tracing::info!(address = %bind, port = server.port(), "metrics listening");
    Ok(server)
}
