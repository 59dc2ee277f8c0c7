//! Storage: one code path over SQLite and PostgreSQL. Model functions return `diesel::QueryResult`; only
//! `Db::run` turns failures into HTTP errors.

mod connection;
mod migrations;
pub mod models;
pub mod schema;
pub mod sessions;
pub mod users;

pub use connection::{AnyConnection, Pool, build_pool, connect};
pub use migrations::run_pending;

use crate::error::ApiError;

/// The shared handle on the pool; every query runs on actix's blocking threads, never on an async worker.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
}

impl Db {
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }

    /// The pool itself, for its gauges.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Runs `work` with a pooled connection on a blocking thread, inside the caller's tracing span.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let span = tracing::Span::current();
        actix_web::web::block(move || {
            span.in_scope(|| {
                let mut conn = pool.get().map_err(|error| {
                    tracing::warn!(%error, "no database connection");
                    ApiError::Unavailable
                })?;
                work(&mut conn)
            })
        })
        .await?
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        use diesel::connection::SimpleConnection;
        self.run(|conn| conn.batch_execute("SELECT 1").map_err(ApiError::from))
            .await
            .is_ok()
    }
}
