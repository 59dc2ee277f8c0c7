//! Telling a database that is away or busy from a query that is wrong, and riding out SQLite's `SQLITE_BUSY`.
//!
//! A lost PostgreSQL connection, an SQLite file that cannot be opened and a lock held past `busy_timeout` are
//! all outages a retry may get past (`StoreError::Unavailable`, a 503), never a 500.

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::result::{DatabaseErrorKind, Error};

use super::AnyConnection;

/// Pauses before the second and third attempt of work that met `SQLITE_BUSY`; each attempt itself may wait up
/// to the connection's `busy_timeout` for the lock.
const BUSY_BACKOFF: [Duration; 2] = [Duration::from_millis(50), Duration::from_millis(250)];

/// Messages of errors that mean the database is unreachable rather than the query wrong. libpq and SQLite
/// report these with no distinct kind, so their text is all there is.
const UNREACHABLE: [&str; 9] = [
    "server closed the connection",
    "no connection to the server",
    "connection to server",
    "could not connect",
    "terminating connection",
    "could not receive data",
    "could not send data",
    "unable to open database file",
    "disk i/o error",
];

/// True for `SQLITE_BUSY` / `SQLITE_LOCKED` ("database is locked", "database table is locked").
pub fn is_busy(error: &Error) -> bool {
    match error {
        Error::DatabaseError(DatabaseErrorKind::Unknown, info) => {
            let message = info.message().to_ascii_lowercase();
            message.contains("database is locked") || message.contains("table is locked")
        }
        _ => false,
    }
}

/// True when the error says the database is away (or locked for longer than we wait), not that the query failed.
pub fn is_unavailable(error: &Error) -> bool {
    match error {
        Error::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        )
        | Error::BrokenTransactionManager => true,
        Error::DatabaseError(_, info) => {
            let message = info.message().to_ascii_lowercase();
            is_busy(error) || UNREACHABLE.iter().any(|m| message.contains(m))
        }
        _ => false,
    }
}

/// Runs `work` again, after a short pause, while it fails with `SQLITE_BUSY`; at most three attempts.
pub fn retry_busy<T>(mut work: impl FnMut() -> diesel::QueryResult<T>) -> diesel::QueryResult<T> {
    for pause in BUSY_BACKOFF {
        match work() {
            Err(error) if is_busy(&error) => {
                tracing::debug!(%error, ?pause, "database busy; retrying");
                std::thread::sleep(pause);
            }
            other => return other,
        }
    }
    work()
}

/// Runs `work` in one transaction. On SQLite it is `BEGIN IMMEDIATE`: the write lock is taken up front, where
/// the busy handler waits for it, instead of at the first write of a read-then-write transaction, where SQLite
/// answers `SQLITE_BUSY` at once when another writer got there first. A busy `BEGIN` is retried.
pub fn transaction<T, E, F>(conn: &mut AnyConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, E>,
    E: From<Error>,
{
    retry_busy(|| match conn {
        AnyConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
        }
        AnyConnection::Postgresql(c) => AnsiTransactionManager::begin_transaction(c),
    })?;
    match work(conn) {
        Ok(value) => {
            match <AnyConnection as TransactionManager<AnyConnection>>::commit_transaction(conn) {
                Ok(()) => Ok(value),
                Err(error) => {
                    // A failed commit may leave the transaction open; close it so the connection stays usable.
                    let _ =
                        <AnyConnection as TransactionManager<AnyConnection>>::rollback_transaction(
                            conn,
                        );
                    Err(error.into())
                }
            }
        }
        Err(error) => {
            <AnyConnection as TransactionManager<AnyConnection>>::rollback_transaction(conn)?;
            Err(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database_error(kind: DatabaseErrorKind, message: &str) -> Error {
        Error::DatabaseError(kind, Box::new(message.to_owned()))
    }

    #[test]
    fn outages_and_locks_are_unavailable_query_errors_are_not() {
        let busy = database_error(DatabaseErrorKind::Unknown, "database is locked");
        assert!(is_busy(&busy) && is_unavailable(&busy));
        let gone = database_error(
            DatabaseErrorKind::Unknown,
            "server closed the connection unexpectedly",
        );
        assert!(!is_busy(&gone) && is_unavailable(&gone));
        assert!(is_unavailable(&database_error(
            DatabaseErrorKind::ClosedConnection,
            ""
        )));
        let syntax = database_error(DatabaseErrorKind::Unknown, "syntax error");
        assert!(!is_unavailable(&syntax));
        assert!(!is_unavailable(&Error::NotFound));
    }

    #[test]
    fn busy_work_is_retried_a_bounded_number_of_times() {
        let mut attempts = 0;
        let result: diesel::QueryResult<()> = retry_busy(|| {
            attempts += 1;
            Err(database_error(
                DatabaseErrorKind::Unknown,
                "database is locked",
            ))
        });
        assert!(result.is_err());
        assert_eq!(attempts, 3);
        let mut attempts = 0;
        let result = retry_busy(|| {
            attempts += 1;
            if attempts < 2 {
                Err(database_error(
                    DatabaseErrorKind::Unknown,
                    "database is locked",
                ))
            } else {
                Ok(attempts)
            }
        });
        assert_eq!(result.unwrap(), 2);
    }
}
