//! Storage: one code path over SQLite and PostgreSQL. Model functions return `diesel::QueryResult`; `Db` adds
//! the failures of getting to the database (`StoreError`). Nothing here knows about HTTP: `error.rs` maps.

mod connection;
mod migrations;
pub mod models;
pub mod schema;
pub mod sessions;
pub mod users;

pub use connection::{AnyConnection, Pool, build_pool, connect};
pub use migrations::run_pending;

/// Why a database call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No pooled connection came free within the pool's timeout.
    #[error("no database connection")]
    Unavailable,
    #[error("database: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("the blocking thread pool is gone")]
    BlockingPoolGone,
}

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

    /// Runs `work` with a pooled connection on a blocking thread, inside the caller's tracing span.
    pub async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut AnyConnection) -> diesel::QueryResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.with_connection(work).await?.map_err(StoreError::Query)
    }

    /// Runs `work` in one transaction, for work that fails with a domain outcome of its own (`E`, such as
    /// `EmailTaken`); any error rolls the transaction back.
    pub async fn run_tx<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<diesel::result::Error> + From<StoreError> + Send + 'static,
    {
        use diesel::Connection;
        self.with_connection(move |conn| conn.transaction(work))
            .await?
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        use diesel::connection::SimpleConnection;
        self.run(|conn| conn.batch_execute("SELECT 1"))
            .await
            .is_ok()
    }

    async fn with_connection<R, F>(&self, work: F) -> Result<R, StoreError>
    where
        F: FnOnce(&mut AnyConnection) -> R + Send + 'static,
        R: Send + 'static,
    {
        let pool = self.pool.clone();
        let span = tracing::Span::current();
        actix_web::web::block(move || {
            span.in_scope(|| {
                let mut conn = pool.get().map_err(|error| {
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
