//! Spawning a real server per test and talking to it over HTTP.

use std::collections::HashMap;
use std::path::PathBuf;

use actix_web::dev::ServerHandle;
use authd::config::Settings;
use authd::routes::TokenResponse;
use authd::startup::Application;
use diesel::{Connection, PgConnection, RunQueryDsl};
use serde_json::{Value, json};

pub const PASSWORD: &str = "correct horse battery staple";

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

/// A PostgreSQL database that exists for one test.
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl PgDatabase {
    fn create(admin_url: &str) -> (Self, String) {
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

/// A running server and what a test needs to reach and attack it.
pub struct TestApp {
    pub address: String,
    /// `http://127.0.0.1:<port>` of the `/metrics` listener, when `AUTHD_METRICS_BIND` was set.
    pub metrics_address: Option<String>,
    pub client: reqwest::Client,
    pub vars: HashMap<String, String>,
    pub key_dir: PathBuf,
    handle: ServerHandle,
    // Dropped after the server handle: the database outlives the server that uses it.
    _pg: Option<PgDatabase>,
    _dir: tempfile::TempDir,
}

/// Issuer and audience every test server uses.
pub const ISSUER: &str = "http://authd.test";
pub const AUDIENCE: &str = "authd-test";

/// Starts a server on `backend` with test settings (cheap argon2, one worker), overridden by `overrides`.
pub async fn spawn_app_with(backend: Backend, overrides: &[(&str, &str)]) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let (pg, database_url) = match &backend {
        Backend::Sqlite => (None, dir.path().join("authd.db").display().to_string()),
        Backend::Postgres(admin) => {
            let (db, url) = PgDatabase::create(admin);
            (Some(db), url)
        }
    };
    let key_dir = dir.path().join("keys");
    let mut vars: HashMap<String, String> = [
        ("AUTHD_BIND", "127.0.0.1:0".to_owned()),
        ("AUTHD_WORKERS", "1".to_owned()),
        ("AUTHD_DATABASE_URL", database_url),
        ("AUTHD_DATABASE_POOL_SIZE", "4".to_owned()),
        ("AUTHD_KEY_DIR", key_dir.display().to_string()),
        ("AUTHD_ISSUER", ISSUER.to_owned()),
        ("AUTHD_AUDIENCE", AUDIENCE.to_owned()),
        ("AUTHD_ARGON2_MEMORY_KIB", "64".to_owned()),
        ("AUTHD_ARGON2_ITERATIONS", "1".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    for (k, v) in overrides {
        vars.insert((*k).to_owned(), (*v).to_owned());
    }
    let (address, metrics_address, handle) = start(&vars).await;
    TestApp {
        address,
        metrics_address,
        client: reqwest::Client::new(),
        vars,
        key_dir,
        handle,
        _pg: pg,
        _dir: dir,
    }
}

/// Starts a server with default test settings.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, &[]).await
}

/// Starts a server that also serves Prometheus metrics on a second port (`metrics_address`).
pub async fn spawn_app_with_metrics(backend: Backend) -> TestApp {
    spawn_app_with(backend, &[("AUTHD_METRICS_BIND", "127.0.0.1:0")]).await
}

async fn start(vars: &HashMap<String, String>) -> (String, Option<String>, ServerHandle) {
    let settings =
        Settings::from_lookup(|name| vars.get(name).cloned()).expect("test settings are valid");
    let app = Application::build(settings).expect("the test server starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let metrics_address = app
        .metrics_port()
        .map(|port| format!("http://127.0.0.1:{port}"));
    let handle = app.handle();
    actix_web::rt::spawn(app.run_until_stopped());
    (address, metrics_address, handle)
}

impl TestApp {
    /// Stops the server and starts a new one on the same database, keys and settings.
    pub async fn restart(&mut self) {
        self.handle.stop(true).await;
        let (address, metrics_address, handle) = start(&self.vars).await;
        self.address = address;
        self.metrics_address = metrics_address;
        self.handle = handle;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A URL on the metrics listener.
    pub fn metrics_url(&self, path: &str) -> String {
        let address = self.metrics_address.as_deref();
        format!("{}{path}", address.expect("spawned with metrics"))
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str, bearer: Option<&str>) -> reqwest::Response {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    pub async fn signup(&self, email: &str, password: &str) -> reqwest::Response {
        self.post_json(
            "/v1/auth/signup",
            &json!({"email": email, "password": password}),
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.post_json(
            "/v1/auth/login",
            &json!({"email": email, "password": password}),
        )
        .await
    }

    pub async fn refresh(&self, refresh_token: &str) -> reqwest::Response {
        self.post_json("/v1/auth/refresh", &json!({"refresh_token": refresh_token}))
            .await
    }

    pub async fn logout(&self, refresh_token: &str) -> reqwest::Response {
        self.post_json("/v1/auth/logout", &json!({"refresh_token": refresh_token}))
            .await
    }

    /// A POST with a bearer token and an optional JSON body.
    pub async fn post_bearer(
        &self,
        path: &str,
        bearer: &str,
        body: Option<&Value>,
    ) -> reqwest::Response {
        let mut request = self.client.post(self.url(path)).bearer_auth(bearer);
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.unwrap()
    }

    pub async fn delete(&self, path: &str, bearer: &str) -> reqwest::Response {
        self.client
            .delete(self.url(path))
            .bearer_auth(bearer)
            .send()
            .await
            .unwrap()
    }

    /// The session id of a valid access token, as the server reports it.
    pub async fn session_id(&self, access_token: &str) -> String {
        let response = self.get("/v1/auth/verify", Some(access_token)).await;
        assert_eq!(response.status(), 200);
        response.headers()["x-auth-session-id"]
            .to_str()
            .unwrap()
            .to_owned()
    }

    /// Logs in `email` with the standard password and returns the tokens.
    pub async fn logged_in(&self, email: &str) -> TokenResponse {
        let response = self.login(email, PASSWORD).await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// Signs up `email` with the standard password and returns the tokens.
    pub async fn signed_up(&self, email: &str) -> TokenResponse {
        let response = self.signup(email, PASSWORD).await;
        assert_eq!(response.status(), 201);
        response.json().await.unwrap()
    }

    /// The PEM private key that signs tokens of this kind (`access` or `refresh`): the active one of the ring.
    pub fn private_key_pem(&self, kind: &str) -> Vec<u8> {
        let active = self
            .ring_keys()
            .into_iter()
            .find(|k| k["kind"] == kind && k["state"] == "active")
            .unwrap_or_else(|| panic!("no active {kind} key in ring.json"));
        std::fs::read(self.key_dir.join(active["file"].as_str().unwrap())).unwrap()
    }

    /// The entries of the key ring's `ring.json` (kid, kind, alg, state, file, ...).
    pub fn ring_keys(&self) -> Vec<Value> {
        let text = std::fs::read(self.key_dir.join("ring.json")).unwrap();
        let ring: Value = serde_json::from_slice(&text).unwrap();
        ring["keys"].as_array().unwrap().clone()
    }

    /// The token settings this server runs with (for calling the `authd keys` code path on its key directory).
    pub fn token_settings(&self) -> authd::config::TokenSettings {
        Settings::from_lookup(|name| self.vars.get(name).cloned())
            .unwrap()
            .tokens
    }
}

/// Asserts the contract's error shape and returns the body.
pub async fn assert_error(response: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status(), status, "status for {code}");
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(content_type.as_deref(), Some("application/json"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], code, "{body}");
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    body
}

/// Asserts a 401 `invalid_token` with the given reason and the RFC 6750 challenge.
pub async fn assert_invalid_token(response: reqwest::Response, reason: &str) {
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = assert_error(response, 401, "invalid_token").await;
    assert_eq!(body["reason"], reason, "{body}");
    let challenge = challenge.expect("a 401 carries WWW-Authenticate");
    assert!(
        challenge.starts_with(r#"Bearer realm="authd""#),
        "{challenge}"
    );
    if reason == "missing" {
        assert!(!challenge.contains("error="), "{challenge}");
    } else {
        assert!(
            challenge.contains(r#"error="invalid_token""#),
            "{challenge}"
        );
    }
}

/// Asserts a 401 `invalid_grant` with the given reason (no bearer challenge: a grant is not a credential).
pub async fn assert_invalid_grant(response: reqwest::Response, reason: &str) {
    assert!(response.headers().get("www-authenticate").is_none());
    let body = assert_error(response, 401, "invalid_grant").await;
    assert_eq!(body["reason"], reason, "{body}");
}

/// Sends all the requests at once and counts the answers by status.
pub async fn status_counts<F>(
    requests: impl IntoIterator<Item = F>,
) -> std::collections::BTreeMap<u16, usize>
where
    F: std::future::Future<Output = reqwest::Response>,
{
    let mut counts = std::collections::BTreeMap::new();
    for response in futures::future::join_all(requests).await {
        *counts.entry(response.status().as_u16()).or_insert(0) += 1;
    }
    counts
}
