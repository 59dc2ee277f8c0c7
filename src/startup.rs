//! Building the application from settings: keys, database, hasher, then the HTTP server on a bound listener.

use std::net::TcpListener;

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};

use crate::config::Settings;
use crate::db::{self, Db};
use crate::passwords::Passwords;
use crate::routes;
use crate::telemetry::log_request;
use crate::tokens::{KeySet, Tokens};

/// A start-up failure, named by the step that failed.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("signing keys: {0}")]
    Keys(#[from] crate::tokens::KeyError),
    #[error("database: {0}")]
    Database(String),
    #[error("passwords: {0}")]
    Passwords(String),
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
        let mut conn = db::connect(&settings.database.url)
            .map_err(|e| StartupError::Database(e.to_string()))?;
        let applied = db::run_pending(&mut conn).map_err(StartupError::Database)?;
        if applied > 0 {
            tracing::info!(applied, "database migrations applied");
        }
        drop(conn);
        let db = Db::new(db::build_pool(
            &settings.database.url,
            settings.database.pool_size,
        ));
        let passwords = Passwords::new(&settings.passwords).map_err(StartupError::Passwords)?;
        let tokens = Tokens::new(keys, &settings.tokens);
        tokens.watch_key_ring(crate::tokens::RELOAD_INTERVAL);

        let listener = TcpListener::bind(&settings.bind).map_err(|source| StartupError::Bind {
            bind: settings.bind.clone(),
            source,
        })?;
        let port = listener
            .local_addr()
            .map_err(|source| StartupError::Bind {
                bind: settings.bind.clone(),
                source,
            })?
            .port();

        let (db, passwords, tokens) = (
            web::Data::new(db),
            web::Data::new(passwords),
            web::Data::new(tokens),
        );
        let max_body = settings.max_body_bytes;
        let server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(log_request))
                .app_data(routes::json_config(max_body))
                .app_data(db.clone())
                .app_data(passwords.clone())
                .app_data(tokens.clone())
                .configure(routes::configure)
                .default_service(web::to(routes::not_found))
        })
        .workers(settings.workers)
        .shutdown_timeout(5)
        .listen(listener)
        .map_err(|source| StartupError::Bind {
            bind: settings.bind.clone(),
            source,
        })?
        .run();
        tracing::info!(address = %settings.bind, port, "authd listening");
        Ok(Self { port, server })
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
        self.server.await
    }
}
