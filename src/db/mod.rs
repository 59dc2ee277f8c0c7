//! Storage: one code path over SQLite and PostgreSQL. Model functions return `diesel::QueryResult`; `Db` adds
//! the failures of getting to the database (`StoreError`). Nothing here knows about HTTP: `error.rs` maps.

pub mod accounts;
pub mod admin_keys;
mod connection;
pub mod credentials;
pub mod email_tokens;
pub mod events;
mod faults;
pub mod mfa;
mod migrations;
pub mod models;
pub mod schema;
pub mod sessions;
pub mod social;
pub mod users;

use std::time::Duration;

pub use connection::{AnyConnection, Pool, build_pool, connect};
pub use faults::{is_busy, is_unavailable};
pub use migrations::run_pending;

/// Why a database call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No pooled connection came free within the pool's timeout, the connection was lost, or the database
    /// stayed locked (`SQLITE_BUSY`) through every retry.
    #[error("no database connection")]
    Unavailable,
    #[error("database: {0}")]
    Query(diesel::result::Error),
    #[error("the blocking thread pool is gone")]
    BlockingPoolGone,
}

impl From<diesel::result::Error> for StoreError {
    fn from(error: diesel::result::Error) -> Self {
        if faults::is_unavailable(&error) {
            tracing::warn!(%error, "database unavailable");
            Self::Unavailable
        } else {
            Self::Query(error)
        }
    }
}

/// How long `/readyz` waits for a connection: less than a load balancer's usual probe timeout.
const PING_TIMEOUT: Duration = Duration::from_secs(2);

/// The shared handle on the pool; every query runs on actix's blocking threads, never on an async worker.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
}

impl Db {
    /// Wraps the pool.
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }

    /// The pool itself, for its gauges.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Runs `work` with a pooled connection on a blocking thread, inside the caller's tracing span; work that
    /// meets `SQLITE_BUSY` runs again (a few times, with a short pause), so it must be safe to repeat.
    pub async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: Fn(&mut AnyConnection) -> diesel::QueryResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let run = move |conn: &mut AnyConnection| faults::retry_busy(|| work(conn));
        self.with_connection(self.pool.connection_timeout(), run)
            .await?
            .map_err(StoreError::from)
    }

    /// Runs `work` in one transaction (`BEGIN IMMEDIATE` on SQLite), as a whole again when it meets
    /// `SQLITE_BUSY`: for a change and the audit event that records it, which must commit together.
    pub async fn run_in_transaction<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: Fn(&mut AnyConnection) -> diesel::QueryResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.run(move |conn| faults::transaction(conn, &work)).await
    }

    /// Runs `work` in one transaction (`BEGIN IMMEDIATE` on SQLite), for work that fails with a domain outcome of
    /// its own (`E`, such as `EmailTaken`); any error rolls the transaction back.
    pub async fn run_tx<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<diesel::result::Error> + From<StoreError> + Send + 'static,
    {
        let timeout = self.pool.connection_timeout();
        self.with_connection(timeout, move |conn| faults::transaction(conn, work))
            .await?
    }

    /// True when the database answers a trivial query within `PING_TIMEOUT`.
    pub async fn ping(&self) -> bool {
        use diesel::connection::SimpleConnection;
        let ping = |conn: &mut AnyConnection| conn.batch_execute("SELECT 1");
        matches!(self.with_connection(PING_TIMEOUT, ping).await, Ok(Ok(())))
    }

    async fn with_connection<R, F>(&self, timeout: Duration, work: F) -> Result<R, StoreError>
    where
        F: FnOnce(&mut AnyConnection) -> R + Send + 'static,
        R: Send + 'static,
    {
        let pool = self.pool.clone();
        let span = tracing::Span::current();
        actix_web::web::block(move || {
            span.in_scope(|| {
                let mut conn = pool.get_timeout(timeout).map_err(|error| {
                    tracing::warn!(%error, "no database connection");
                    StoreError::Unavailable
                })?;
                Ok(work(&mut conn))
            })
        })
        .await
        .map_err(|_| StoreError::BlockingPoolGone)?
    }
}
