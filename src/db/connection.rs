//! One connection type over both backends, chosen by the URL scheme, and the pool that hands them out.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::{Connection, ConnectionError, PgConnection, SqliteConnection};

use crate::config::DatabaseUrl;

/// A live connection to either backend.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// Opens a connection of the backend the URL names, creating an SQLite file that does not exist yet. Unlike
/// `AnyConnection::establish`, which tries each backend in turn, this keeps the real error (for example
/// PostgreSQL's "connection refused").
pub fn connect(url: &DatabaseUrl) -> Result<AnyConnection, ConnectionError> {
    if let DatabaseUrl::Sqlite(path) = url {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                ConnectionError::BadConnection(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        create_private_file(path).map_err(|e| {
            ConnectionError::BadConnection(format!("cannot create {}: {e}", path.display()))
        })?;
    }
    open(url)
}

/// Opens a connection to a database that exists: an SQLite file that went away is an error (the database is
/// unreachable), never silently replaced by a new empty one.
fn open(url: &DatabaseUrl) -> Result<AnyConnection, ConnectionError> {
    match url {
        DatabaseUrl::Postgres(url) => Ok(AnyConnection::Postgresql(PgConnection::establish(
            &with_fault_timeouts(url),
        )?)),
        DatabaseUrl::Sqlite(path) => {
            let mut conn = SqliteConnection::establish(&existing_file_uri(path))?;
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

/// libpq settings that bound how long a dead server can hold a connection, added unless the URL sets them:
/// `connect_timeout` (seconds) for a server that never answers the handshake; TCP keepalives (first probe after
/// 5 s idle, then every 2 s, 3 misses) for a query waiting on a server that vanished; `tcp_user_timeout` (ms)
/// for data sent and never acknowledged. A vanished server thus fails a query in about 11 s instead of the
/// kernel's two hours. Not `statement_timeout`: the server enforces that, so it cannot help when the server is
/// the thing that is gone, and it would cap legitimate long statements (migrations, pruning batches).
const PG_FAULT_TIMEOUTS: [(&str, &str); 6] = [
    ("connect_timeout", "5"),
    ("keepalives", "1"),
    ("keepalives_idle", "5"),
    ("keepalives_interval", "2"),
    ("keepalives_count", "3"),
    ("tcp_user_timeout", "10000"),
];

/// The URL with `PG_FAULT_TIMEOUTS` appended to its query string, each only where the URL does not set it.
pub fn with_fault_timeouts(url: &str) -> String {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let set: Vec<&str> = query
        .split('&')
        .map(|pair| pair.split_once('=').map_or(pair, |(k, _)| k))
        .collect();
    let mut url = url.to_owned();
    for (key, value) in PG_FAULT_TIMEOUTS {
        if !set.contains(&key) {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&format!("{key}={value}"));
        }
    }
    url
}

/// An SQLite URI that opens the file read-write but never creates it (`mode=rw`).
fn existing_file_uri(path: &std::path::Path) -> String {
    let path = path.to_string_lossy();
    let mut uri = String::from("file:");
    for c in path.chars() {
        match c {
            '%' => uri.push_str("%25"),
            '?' => uri.push_str("%3f"),
            '#' => uri.push_str("%23"),
            c => uri.push(c),
        }
    }
    uri.push_str("?mode=rw");
    uri
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
        open(&self.0)
    }

    /// Run on every check-out: a connection whose server went away, or whose SQLite file is no longer at its
    /// path (moved, deleted, its volume gone), is dropped and the pool opens a new one, so service comes back
    /// by itself when the database does.
    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), ConnectionError> {
        if let DatabaseUrl::Sqlite(path) = &self.0 {
            std::fs::metadata(path)
                .map_err(|e| ConnectionError::BadConnection(format!("{}: {e}", path.display())))?;
        }
        conn.batch_execute("SELECT 1")
            .map_err(|e| ConnectionError::BadConnection(e.to_string()))
    }

    /// Checked when a connection comes back: one left in a broken transaction state is not reused.
    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        conn.is_broken()
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

/// How long a request waits for a connection before answering 503: long enough to ride out a short burst or
/// a server restart's first seconds, short enough for a client's or load balancer's timeout (usually 5-10 s).
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(3);

/// Builds the pool without opening connections up front; callers see a database outage as a timeout.
pub fn build_pool(url: &DatabaseUrl, size: u32) -> Pool {
    r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .test_on_check_out(true)
        .connection_timeout(CONNECTION_TIMEOUT)
        .error_handler(Box::new(TracingErrorHandler))
        .build_unchecked(Manager(url.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_timeouts_are_added_unless_the_url_sets_them() {
        let url = with_fault_timeouts("postgres://u@h/db");
        assert!(url.starts_with("postgres://u@h/db?connect_timeout=5&keepalives=1"));
        assert!(url.ends_with("&tcp_user_timeout=10000"));
        let url = with_fault_timeouts("postgres://u@h/db?sslmode=disable&connect_timeout=2");
        assert!(url.contains("sslmode=disable&connect_timeout=2&keepalives=1"));
        assert_eq!(url.matches("connect_timeout").count(), 1);
    }

    #[test]
    fn sqlite_uri_escapes_and_never_creates() {
        assert_eq!(
            existing_file_uri(std::path::Path::new("a/b%?#.db")),
            "file:a/b%25%3f%23.db?mode=rw"
        );
    }
}
