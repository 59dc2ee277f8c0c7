//! Spawning a real server per test, in this process, and what a test needs to reach and attack it.

use std::collections::HashMap;
use std::ops::Deref;
use std::path::PathBuf;

use actix_web::dev::ServerHandle;
use authd::config::Settings;
use authd::startup::Application;
use serde_json::Value;

use super::backend::{Backend, PgDatabase};
use super::http::Http;

/// Issuer and audience every test server uses.
pub const ISSUER: &str = "http://authd.test";
pub const AUDIENCE: &str = "authd-test";

/// A running server and what a test needs to reach and attack it. Requests go through `Http` (deref).
pub struct TestApp {
    http: Http,
    /// `http://127.0.0.1:<port>` of the `/metrics` listener, when `AUTHD_METRICS_BIND` was set.
    pub metrics_address: Option<String>,
    /// `http://127.0.0.1:<port>` of the admin listener, when `AUTHD_ADMIN_BIND` was set.
    pub admin_address: Option<String>,
    pub vars: HashMap<String, String>,
    pub key_dir: PathBuf,
    handle: ServerHandle,
    // Dropped after the server handle: the database outlives the server that uses it.
    _pg: Option<PgDatabase>,
    _dir: tempfile::TempDir,
}

impl Deref for TestApp {
    type Target = Http;

    fn deref(&self) -> &Http {
        &self.http
    }
}

/// Starts a server on `backend` with test settings (cheap argon2, one worker), overridden by `overrides`.
pub async fn spawn_app_with(backend: Backend, overrides: &[(&str, &str)]) -> TestApp {
    spawn_app_mapped(backend, overrides, |url| url).await
}

/// Like `spawn_app_with`, with the database URL (a file path on SQLite) passed through `map_url` first (for
/// example to route PostgreSQL through a `TcpProxy`).
pub async fn spawn_app_mapped(
    backend: Backend,
    overrides: &[(&str, &str)],
    map_url: impl FnOnce(String) -> String,
) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let (pg, database_url) = match &backend {
        Backend::Sqlite => (None, dir.path().join("authd.db").display().to_string()),
        Backend::Postgres(admin) => {
            let (db, url) = PgDatabase::create(admin);
            (Some(db), url)
        }
    };
    let database_url = map_url(database_url);
    let key_dir = dir.path().join("keys");
    let outbox = dir.path().join("outbox");
    let mut vars: HashMap<String, String> = [
        ("AUTHD_BIND", "127.0.0.1:0".to_owned()),
        ("AUTHD_WORKERS", "1".to_owned()),
        ("AUTHD_DATABASE_URL", database_url),
        ("AUTHD_DATABASE_POOL_SIZE", "4".to_owned()),
        ("AUTHD_KEY_DIR", key_dir.display().to_string()),
        // Mail goes to this test's own outbox unless a test sets AUTHD_SMTP_URL.
        ("AUTHD_MAIL_OUTBOX", outbox.display().to_string()),
        ("AUTHD_ISSUER", ISSUER.to_owned()),
        ("AUTHD_AUDIENCE", AUDIENCE.to_owned()),
        ("AUTHD_ARGON2_MEMORY_KIB", "64".to_owned()),
        ("AUTHD_ARGON2_ITERATIONS", "1".to_owned()),
        // A debug build spends ~9 s in zxcvbn on a 256-byte password (more beside other tests); the default 15 s
        // deadline is for release builds.
        ("AUTHD_HANDLER_TIMEOUT", "120s".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    for (k, v) in overrides {
        vars.insert((*k).to_owned(), (*v).to_owned());
    }
    let (http, (metrics_address, admin_address), handle) = start(&vars).await;
    TestApp {
        http,
        metrics_address,
        admin_address,
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

type Listeners = (Option<String>, Option<String>);

async fn start(vars: &HashMap<String, String>) -> (Http, Listeners, ServerHandle) {
    let settings =
        Settings::from_lookup(|name| vars.get(name).cloned()).expect("test settings are valid");
    let app = Application::build(settings).expect("the test server starts");
    let http = Http::local(app.port());
    let local = |port| format!("http://127.0.0.1:{port}");
    let listeners = (app.metrics_port().map(local), app.admin_port().map(local));
    let handle = app.handle();
    actix_web::rt::spawn(app.run_until_stopped());
    (http, listeners, handle)
}

impl TestApp {
    /// Stops the server and starts a new one on the same database, keys and settings.
    pub async fn restart(&mut self) {
        self.handle.stop(true).await;
        let (http, (metrics_address, admin_address), handle) = start(&self.vars).await;
        self.http = http;
        self.metrics_address = metrics_address;
        self.admin_address = admin_address;
        self.handle = handle;
    }

    /// The file transport's directory (when no `AUTHD_SMTP_URL` is set).
    pub fn outbox(&self) -> PathBuf {
        PathBuf::from(&self.vars["AUTHD_MAIL_OUTBOX"])
    }

    /// A URL on the metrics listener.
    pub fn metrics_url(&self, path: &str) -> String {
        let address = self.metrics_address.as_deref();
        format!("{}{path}", address.expect("spawned with metrics"))
    }

    /// A URL on the admin listener.
    pub fn admin_url(&self, path: &str) -> String {
        let address = self.admin_address.as_deref();
        format!("{}{path}", address.expect("spawned with AUTHD_ADMIN_BIND"))
    }

    /// Runs `authd admin-keys <command>` on this server's database; returns what it printed, or the error.
    pub fn admin_keys(&self, command: authd::cli::AdminKeysCommand) -> Result<String, String> {
        let settings = Settings::from_lookup(|name| self.vars.get(name).cloned()).unwrap();
        let mut out = Vec::new();
        authd::cli::run_admin_keys(command, &settings.database, &mut out)
            .map_err(|e| e.to_string())?;
        Ok(String::from_utf8(out).unwrap())
    }

    /// A new admin key (read-write unless `read_only`), as `admin-keys create` prints it on its last line.
    pub fn admin_key(&self, name: &str, read_only: bool) -> String {
        let name = name.to_owned();
        let printed = self
            .admin_keys(authd::cli::AdminKeysCommand::Create { name, read_only })
            .unwrap();
        printed.lines().last().unwrap().to_owned()
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

    /// Runs `authd keys <command>` the way the binary does, on this server's key directory; returns what it
    /// printed, or the error's message.
    pub fn keys(&self, command: authd::cli::KeysCommand) -> Result<String, String> {
        let mut out = Vec::new();
        authd::cli::run_keys(command, &self.token_settings(), &mut out)
            .map_err(|e| e.to_string())?;
        Ok(String::from_utf8(out).unwrap())
    }

    /// The token settings this server runs with (for calling the `authd keys` code path on its key directory).
    pub fn token_settings(&self) -> authd::config::TokenSettings {
        Settings::from_lookup(|name| self.vars.get(name).cloned())
            .unwrap()
            .tokens
    }
}
