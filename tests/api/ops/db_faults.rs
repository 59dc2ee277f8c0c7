//! The database going away mid-test: requests that need it answer 503 within a bound, `/readyz` says so, bearer
//! verification (no database) keeps working, and service comes back by itself. PostgreSQL is cut by a TCP proxy
//! of the test's own (the shared server is never stopped); the SQLite file is moved away and back.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::{Connection, SqliteConnection};
use serde_json::Value;

use crate::helpers::{
    Backend, PASSWORD, TcpProxy, TestApp, assert_error, eventually, spawn_app, spawn_app_mapped,
};

/// A generous upper bound on how long a request may take to answer 503 while the database is away.
const BOUND: Duration = Duration::from_secs(8);

#[actix_web::test]
async fn postgres_cut_then_restored() {
    let Some(Backend::Postgres(admin)) = Backend::postgres() else {
        return;
    };
    let proxy = TcpProxy::for_url(&admin).await;
    let app = spawn_app_mapped(Backend::Postgres(admin), &[], |url| proxy.route(&url)).await;
    let access = app.signed_up("cut@example.com").await.access_token;
    proxy.cut();
    while_away(&app, &access).await;
    // A poll failing for longer than its bound is a readiness failure of its own.
    eventually("readyz names the stale revocation poll", || async {
        let body: Value = app.get("/readyz", None).await.json().await.unwrap();
        body["failing"]
            .as_array()
            .is_some_and(|f| f.iter().any(|c| c == "revocation_poll"))
    })
    .await;
    proxy.restore();
    after_return(&app, &access).await;
}

#[actix_web::test]
async fn sqlite_file_moved_away_then_back() {
    let app = spawn_app(Backend::Sqlite).await;
    let access = app.signed_up("moved@example.com").await.access_token;
    let path = PathBuf::from(&app.vars["AUTHD_DATABASE_URL"]);
    let moved = move_files(&path);
    while_away(&app, &access).await;
    for (from, to) in moved {
        std::fs::rename(to, from).unwrap();
    }
    after_return(&app, &access).await;
}

/// Another connection holds the write lock longer than the busy timeout (5 s): the first attempt of a login's
/// session insert and of a signup's `BEGIN IMMEDIATE` meet `SQLITE_BUSY`, the retry gets the lock. Never a 500.
#[actix_web::test]
async fn sqlite_busy_is_retried() {
    let app = spawn_app(Backend::Sqlite).await;
    app.signed_up("busy@example.com").await;
    let path = app.vars["AUTHD_DATABASE_URL"].clone();
    let (locked, is_locked) = std::sync::mpsc::channel();
    let holder = std::thread::spawn(move || {
        let mut conn = SqliteConnection::establish(&path).unwrap();
        conn.batch_execute("BEGIN EXCLUSIVE").unwrap();
        locked.send(()).unwrap();
        std::thread::sleep(Duration::from_millis(6_500));
        conn.batch_execute("COMMIT").unwrap();
    });
    is_locked.recv().unwrap();
    let started = Instant::now();
    let (login, signup) = futures::join!(
        app.login("busy@example.com", PASSWORD),
        app.signup("busy2@example.com", PASSWORD)
    );
    assert_eq!(login.status(), 200);
    assert_eq!(signup.status(), 201);
    assert!(
        started.elapsed() > Duration::from_secs(5),
        "the lock was held past one busy timeout: {:?}",
        started.elapsed()
    );
    holder.join().unwrap();
}

/// Login and `/v1/me` answer 503 with `Retry-After` within `BOUND`, `/readyz` names the database, and bearer
/// verification still answers 200.
async fn while_away(app: &TestApp, access: &str) {
    let started = Instant::now();
    let response = app.login("cut@example.com", PASSWORD).await;
    assert!(response.headers().contains_key("retry-after"));
    assert_error(response, 503, "service_unavailable").await;
    assert_bounded(started, "login");
    let started = Instant::now();
    assert_error(
        app.get("/v1/me", Some(access)).await,
        503,
        "service_unavailable",
    )
    .await;
    assert_bounded(started, "me");
    let started = Instant::now();
    let body = assert_error(app.get("/readyz", None).await, 503, "service_unavailable").await;
    assert_bounded(started, "readyz");
    assert!(
        body["failing"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "database"),
        "{body}"
    );
    let verify = app.get("/v1/auth/verify", Some(access)).await;
    assert_eq!(verify.status(), 200, "verification needs no database");
}

/// With the database back and no restart: ready again, and login and `/v1/me` succeed.
async fn after_return(app: &TestApp, access: &str) {
    eventually("readyz is 200 again", || async {
        app.get("/readyz", None).await.status() == 200
    })
    .await;
    let email = app.signed_up("back@example.com").await.user.email;
    assert_eq!(app.login(&email, PASSWORD).await.status(), 200);
    assert_eq!(app.get("/v1/me", Some(access)).await.status(), 200);
}

fn assert_bounded(started: Instant, what: &str) {
    let elapsed = started.elapsed();
    assert!(
        elapsed < BOUND,
        "{what} took {elapsed:?} with the database away"
    );
}

/// Renames the database file and its `-wal` / `-shm` companions (those that exist) away; returns (from, to).
fn move_files(path: &Path) -> Vec<(PathBuf, PathBuf)> {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|companion| {
            let from = PathBuf::from(format!("{}{companion}", path.display()));
            let to = PathBuf::from(format!("{}.away", from.display()));
            std::fs::rename(&from, &to).ok().map(|()| (from, to))
        })
        .collect()
}
