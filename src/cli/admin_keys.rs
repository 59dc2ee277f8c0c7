//! `authd admin-keys create|list|revoke`: keys for the admin API, in the database every instance shares.

use std::io::Write;

use super::args::AdminKeysCommand;
use crate::admin::keys;
use crate::config::{DatabaseSettings, DatabaseUrl};
use crate::db::models::{AdminKey, now};
use crate::db::{self, admin_keys};

/// Why an `admin-keys` command failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminKeysError {
    #[error("database: {0}")]
    Database(String),
    #[error(
        "no database at {0} (AUTHD_DATABASE_URL; by default AUTHD_DATA_DIR/authd.db): run this with the \
         server's settings, from its directory; nothing was created"
    )]
    NoDatabase(String),
    #[error("an admin key named {0:?} already exists")]
    NameTaken(String),
    #[error("no unrevoked admin key is named {0:?}")]
    NoSuchKey(String),
    #[error("a key name is 1 to 64 printable characters")]
    BadName,
    #[error("output: {0}")]
    Output(#[from] std::io::Error),
}

fn database(error: impl std::fmt::Display) -> AdminKeysError {
    AdminKeysError::Database(error.to_string())
}

/// Runs an `admin-keys` command against an existing database (migrating it first, so an older one works).
pub fn run_admin_keys(
    command: AdminKeysCommand,
    settings: &DatabaseSettings,
    out: &mut dyn Write,
) -> Result<(), AdminKeysError> {
    // Run from the wrong directory, connecting would create an empty database beside the real one.
    if let DatabaseUrl::Sqlite(path) = &settings.url
        && !path.exists()
    {
        let shown = std::path::absolute(path).unwrap_or_else(|_| path.clone());
        return Err(AdminKeysError::NoDatabase(shown.display().to_string()));
    }
    let mut conn = db::connect(&settings.url).map_err(database)?;
    db::run_pending(&mut conn).map_err(database)?;
    match command {
        AdminKeysCommand::Create { name, read_only } => {
            let name = name.trim().to_owned();
            if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
                return Err(AdminKeysError::BadName);
            }
            let secret = keys::generate();
            let key = AdminKey {
                id: uuid::Uuid::now_v7().to_string(),
                name: name.clone(),
                key_hash: keys::hash(&secret),
                can_write: !read_only,
                created_at: now(),
                last_used_at: None,
                revoked_at: None,
            };
            if !admin_keys::insert(&mut conn, &key).map_err(database)? {
                return Err(AdminKeysError::NameTaken(name));
            }
            let rights = if read_only { "read-only" } else { "read-write" };
            writeln!(
                out,
                "created {rights} admin key {name:?}; it is shown only now:"
            )?;
            writeln!(out, "{secret}")?;
        }
        AdminKeysCommand::List => {
            writeln!(out, "name\trights\tcreated\tlast used\trevoked")?;
            for key in admin_keys::list(&mut conn).map_err(database)? {
                let at = |t: Option<chrono::NaiveDateTime>| t.map_or("-".into(), |t| t.to_string());
                let rights = if key.can_write {
                    "read-write"
                } else {
                    "read-only"
                };
                let (used, revoked) = (at(key.last_used_at), at(key.revoked_at));
                writeln!(
                    out,
                    "{}\t{rights}\t{}\t{used}\t{revoked}",
                    key.name, key.created_at
                )?;
            }
        }
        AdminKeysCommand::Revoke { name } => {
            if !admin_keys::revoke(&mut conn, &name, now()).map_err(database)? {
                return Err(AdminKeysError::NoSuchKey(name));
            }
            writeln!(out, "revoked admin key {name:?}")?;
        }
    }
    Ok(())
}
