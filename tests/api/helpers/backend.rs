//! The two databases every test runs on, and the macro that runs a test on each.

use diesel::{Connection, PgConnection, RunQueryDsl};

/// Runs each named `async fn name(backend: Backend)` of the module as two tests, `sqlite::name` and
/// `postgres::name`.
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[actix_web::test] async fn $name() { super::$name($crate::helpers::Backend::Sqlite).await } )*
        }
        mod postgres {
            $(
                #[actix_web::test]
                async fn $name() {
                    if let Some(backend) = $crate::helpers::Backend::postgres() { super::$name(backend).await }
                }
            )*
        }
    };
}

/// Which database a test server uses.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    /// The admin URL of a PostgreSQL server; each test creates and drops its own database there.
    Postgres(String),
}

impl Backend {
    /// PostgreSQL when configured. In CI an unset variable is a failure, never a silent skip.
    pub fn postgres() -> Option<Self> {
        match std::env::var("AUTHD_TEST_POSTGRES_URL") {
            Ok(url) if !url.is_empty() => Some(Self::Postgres(url)),
            _ if std::env::var_os("CI").is_some() => {
                panic!("AUTHD_TEST_POSTGRES_URL must be set in CI")
            }
            _ => {
                eprintln!("skipped: AUTHD_TEST_POSTGRES_URL is not set");
                None
            }
        }
    }
}

/// The Redis of `AUTHD_TEST_REDIS_URL`, after checking that it answers (a configured Redis that does not is a
/// failure, not a skip). In CI an unset variable is a failure too. Redis is shared: tests use a prefix of their own.
pub async fn redis_url() -> Option<String> {
    let url = match std::env::var("AUTHD_TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => url,
        _ if std::env::var_os("CI").is_some() => panic!("AUTHD_TEST_REDIS_URL must be set in CI"),
        _ => {
            eprintln!("skipped: AUTHD_TEST_REDIS_URL is not set");
            return None;
        }
    };
    let client = redis::Client::open(url.as_str()).expect("AUTHD_TEST_REDIS_URL is a Redis URL");
    let mut connection = client
        .get_multiplexed_async_connection()
        .await
        .expect("Redis must answer at AUTHD_TEST_REDIS_URL");
    let pong: String = redis::cmd("PING")
        .query_async(&mut connection)
        .await
        .unwrap();
    assert_eq!(pong, "PONG");
    Some(url)
}

/// A PostgreSQL database that exists for one test.
pub struct PgDatabase {
    admin_url: String,
    name: String,
}

impl PgDatabase {
    /// Creates the database; returns it and its URL.
    pub fn create(admin_url: &str) -> (Self, String) {
        let name = format!("authd_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::establish(admin_url)
            .expect("PostgreSQL must answer at AUTHD_TEST_POSTGRES_URL");
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .unwrap();
        let (base, query) = admin_url
            .split_once('?')
            .map_or((admin_url, None), |(b, q)| (b, Some(q)));
        let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
        let url = match query {
            Some(q) => format!("{server}/{name}?{q}"),
            None => format!("{server}/{name}"),
        };
        (
            Self {
                admin_url: admin_url.to_owned(),
                name,
            },
            url,
        )
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = PgConnection::establish(&self.admin_url) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin);
        }
    }
}
