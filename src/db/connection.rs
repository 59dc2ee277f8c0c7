//! One connection type over both backends, chosen by the URL scheme, and the pool that hands them out.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::{Connection, ConnectionError, PgConnection, SqliteConnection};

use crate::config::DatabaseUrl;

/// A live connection to either backend.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// Opens a connection of the backend the URL names. Unlike `AnyConnection::establish`, which tries each backend
/// in turn, this keeps the real error (for example PostgreSQL's "connection refused").
pub fn connect(url: &DatabaseUrl) -> Result<AnyConnection, ConnectionError> {
    match url {
        DatabaseUrl::Postgres(url) => Ok(AnyConnection::Postgresql(PgConnection::establish(url)?)),
        DatabaseUrl::Sqlite(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| {
                    ConnectionError::BadConnection(format!("cannot create {}: {e}", dir.display()))
                })?;
            }
            create_private_file(path).map_err(|e| {
                ConnectionError::BadConnection(format!("cannot create {}: {e}", path.display()))
            })?;
            let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
            // WAL lets readers run beside the one writer; busy_timeout makes writers queue instead of failing.
            // busy_timeout comes first: switching to WAL takes a lock that another connection may hold.
            conn.batch_execute(
                "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
                 PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
            )
            .map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
            Ok(AnyConnection::Sqlite(conn))
        }
    }
}

/// Creates the database file readable by its owner only (it holds password hashes); an existing file is kept.
fn create_private_file(path: &std::path::Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        other => other.map(drop),
    }
}

/// The pool's connection manager, built on `connect` so pool errors carry their cause.
#[derive(Debug)]
pub struct Manager(pub DatabaseUrl);

impl ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = ConnectionError;

    fn connect(&self) -> Result<AnyConnection, ConnectionError> {
        connect(&self.0)
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), ConnectionError> {
        conn.batch_execute("SELECT 1")
            .map_err(|e| ConnectionError::BadConnection(e.to_string()))
    }

    fn has_broken(&self, _: &mut AnyConnection) -> bool {
        false
    }
}

/// Sends r2d2's connection errors to our log instead of the `log` crate.
#[derive(Debug)]
struct TracingErrorHandler;

impl r2d2::HandleError<ConnectionError> for TracingErrorHandler {
    fn handle_error(&self, error: ConnectionError) {
        tracing::warn!(%error, "database connection failed");
    }
}

/// The pool of connections.
pub type Pool = r2d2::Pool<Manager>;

/// Builds the pool without opening connections up front; callers see a database outage as a timeout.
pub fn build_pool(url: &DatabaseUrl, size: u32) -> Pool {
    r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(5))
        .error_handler(Box::new(TracingErrorHandler))
        .build_unchecked(Manager(url.clone()))
}
