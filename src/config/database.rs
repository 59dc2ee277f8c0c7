//! Where the data lives: the database URL (which picks the backend) and the pool size.

use std::path::{Path, PathBuf};

use super::redact::url_without_password;
use super::vars::{ConfigError, Vars};

/// Where the data lives.
#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    /// The backend and where it is.
    pub url: DatabaseUrl,
    /// Connections per process.
    pub pool_size: u32,
}

/// A database location, with the backend decided by the URL scheme.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A `postgres://` URL, as libpq reads it.
    Postgres(String),
}

impl DatabaseSettings {
    /// Without `AUTHD_DATABASE_URL`, an SQLite file in `data_dir`.
    pub(super) fn read(vars: &Vars<'_>, data_dir: &Path) -> Result<Self, ConfigError> {
        let default_db = data_dir.join("authd.db").display().to_string();
        let url = DatabaseUrl::parse(&vars.string("AUTHD_DATABASE_URL", &default_db))
            .map_err(|problem| ConfigError::new("AUTHD_DATABASE_URL", problem))?;
        let pool_size = vars.parse("AUTHD_DATABASE_POOL_SIZE", 8)?;
        if pool_size == 0 {
            return Err(ConfigError::new(
                "AUTHD_DATABASE_POOL_SIZE",
                "must be at least 1",
            ));
        }
        Ok(Self { url, pool_size })
    }
}

/// Never shows a PostgreSQL password.
impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "Sqlite({})", path.display()),
            Self::Postgres(url) => write!(f, "Postgres({})", url_without_password(url)),
        }
    }
}

impl DatabaseUrl {
    /// `postgres://…` or `postgresql://…` selects PostgreSQL; `sqlite://path`, `sqlite:path` or a bare path SQLite.
    pub fn parse(url: &str) -> Result<Self, String> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // Left to libpq: it accepts forms (socket hosts, key=value lists) a generic URL parser would not.
            return Ok(Self::Postgres(url.to_owned()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        if path.is_empty() || path == ":memory:" {
            return Err("expected a postgres:// URL or an SQLite file path (not :memory:)".into());
        }
        if let Some((scheme, _)) = path.split_once("://") {
            // Only the scheme is shown: the rest may hold a password.
            return Err(format!(
                "unsupported scheme {scheme:?}; use postgres:// or sqlite://"
            ));
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_url_picks_the_backend_by_scheme() {
        assert!(matches!(
            DatabaseUrl::parse("postgres://u@h/db"),
            Ok(DatabaseUrl::Postgres(_))
        ));
        assert!(matches!(
            DatabaseUrl::parse("postgresql://u@h/db"),
            Ok(DatabaseUrl::Postgres(_))
        ));
        assert_eq!(
            DatabaseUrl::parse("sqlite://a/b.db"),
            Ok(DatabaseUrl::Sqlite("a/b.db".into()))
        );
        assert!(DatabaseUrl::parse(":memory:").is_err());
        let mysql = DatabaseUrl::parse("mysql://u:hunter2@h/db").unwrap_err();
        assert!(
            mysql.contains("\"mysql\"") && !mysql.contains("hunter2"),
            "{mysql}"
        );
    }
}
