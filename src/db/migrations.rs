//! Migrations embedded in the binary, one folder per backend, applied at start-up.

use diesel::connection::SimpleConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::AnyConnection;

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Applies every pending migration of the connection's backend; returns how many ran.
pub fn run_pending(conn: &mut AnyConnection) -> Result<usize, String> {
    match conn {
        AnyConnection::Sqlite(_) => apply(conn, SQLITE),
        AnyConnection::Postgresql(pg) => {
            // Instances starting together on one database take turns; SQLite's own file lock does this for it.
            pg.batch_execute("SELECT pg_advisory_lock(5183726401)")
                .map_err(|e| e.to_string())?;
            let result = apply(conn, POSTGRES);
            if let AnyConnection::Postgresql(pg) = conn {
                pg.batch_execute("SELECT pg_advisory_unlock(5183726401)")
                    .map_err(|e| e.to_string())?;
            }
            result
        }
    }
}

fn apply(conn: &mut AnyConnection, source: EmbeddedMigrations) -> Result<usize, String> {
    conn.run_pending_migrations(source)
        .map(|applied| applied.len())
        .map_err(|e| e.to_string())
}
