//! `authd admin-keys create|list|revoke`: keys for the admin API, in the database every instance shares.

use std::io::Write;

use super::args::AdminKeysCommand;
use crate::admin::keys;
use crate::config::DatabaseSettings;
use crate::db::models::{AdminKey, now};
use crate::db::{self, admin_keys};

/// Why an `admin-keys` command failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminKeysError {
    #[error("database: {0}")]
    Database(String),
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

/// Runs an `admin-keys` command against the database (migrating it first, so a fresh one works).
pub fn run_admin_keys(
    command: AdminKeysCommand,
    settings: &DatabaseSettings,
    out: &mut dyn Write,
) -> Result<(), AdminKeysError> {
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
