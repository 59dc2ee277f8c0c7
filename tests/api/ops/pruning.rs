//! Background upkeep of the sessions table: pruning ended sessions in batches, and the revocation poll reading
//! only what changed since its previous read.

use std::time::Duration;

use authd::config::{DatabaseUrl, SessionSettings};
use authd::db::schema::sessions;
use authd::db::{self, AnyConnection, Db};
use authd::revocations::Revocations;
use chrono::Utc;
use diesel::prelude::*;

use crate::helpers::{Backend, PASSWORD, TestApp, spawn_app};

fn database_url(app: &TestApp) -> DatabaseUrl {
    DatabaseUrl::parse(&app.vars["AUTHD_DATABASE_URL"]).unwrap()
}

fn connect(app: &TestApp) -> AnyConnection {
    db::connect(&database_url(app)).unwrap()
}

fn policy() -> SessionSettings {
    SessionSettings {
        max_age: Duration::from_secs(30 * 86_400),
        idle_timeout: Duration::from_secs(7 * 86_400),
        reuse_interval: Duration::ZERO,
        reauth_max_age: Duration::from_secs(300),
    }
}

fn days_ago(days: i64) -> chrono::NaiveDateTime {
    Utc::now().naive_utc() - chrono::Duration::days(days)
}

async fn sessions_that_ended_over_a_day_ago_are_pruned_and_live_ones_stay(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.signed_up("prune@example.com").await;
    let mut ended = Vec::new();
    for _ in 0..3 {
        let response = app.login("prune@example.com", PASSWORD).await;
        assert_eq!(response.status(), 200);
        ended.push(
            response
                .json::<authd::routes::TokenResponse>()
                .await
                .unwrap(),
        );
    }
    assert_eq!(app.logout(&ended[0].refresh_token).await.status(), 204);
    assert_eq!(app.logout(&ended[1].refresh_token).await.status(), 204);
    let mut conn = connect(&app);
    // One revoked two days ago, one revoked just now (kept a day), one past its absolute end, one idle too long.
    let all: Vec<String> = sessions::table
        .select(sessions::id)
        .order(sessions::created_at.asc())
        .load(&mut conn)
        .unwrap();
    assert_eq!(all.len(), 4);
    diesel::update(sessions::table.filter(sessions::id.eq(&all[1])))
        .set(sessions::revoked_at.eq(days_ago(2)))
        .execute(&mut conn)
        .unwrap();
    diesel::update(sessions::table.filter(sessions::id.eq(&all[3])))
        .set(sessions::last_used_at.eq(days_ago(9)))
        .execute(&mut conn)
        .unwrap();

    let pool = Db::new(db::build_pool(&database_url(&app), 2));
    let deleted = authd::pruning::prune_once(&pool, &policy()).await.unwrap();
    assert_eq!(deleted, 2);
    let left: Vec<String> = sessions::table
        .select(sessions::id)
        .load(&mut conn)
        .unwrap();
    assert!(left.contains(&all[0]) && left.contains(&all[2]), "{left:?}");
    assert_eq!(
        authd::pruning::prune_once(&pool, &policy()).await.unwrap(),
        0
    );
    assert_eq!(app.refresh(&live.refresh_token).await.status(), 200);
}

async fn the_revocation_poll_reads_only_what_changed_since_its_last_read(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app.signed_up("cursor@example.com").await;
    let second = app.login("cursor@example.com", PASSWORD).await;
    let second: authd::routes::TokenResponse = second.json().await.unwrap();
    assert_eq!(app.logout(&first.refresh_token).await.status(), 204);
    let mut conn = connect(&app);
    // Five minutes ago: inside the access-token window, but long before the poll's overlap.
    diesel::update(sessions::table.filter(sessions::revoked_at.is_not_null()))
        .set(sessions::revoked_at.eq(Utc::now().naive_utc() - chrono::Duration::minutes(5)))
        .execute(&mut conn)
        .unwrap();

    let revocations = Revocations::new(Duration::from_secs(900));
    assert_eq!(
        revocations.reload(&mut conn).unwrap(),
        1,
        "start-up reads the window"
    );
    assert_eq!(
        revocations.reload(&mut conn).unwrap(),
        0,
        "later polls read what is new"
    );
    assert_eq!(revocations.count(), 1, "and keep what they had");
    assert_eq!(app.logout(&second.refresh_token).await.status(), 204);
    assert_eq!(revocations.reload(&mut conn).unwrap(), 1);
    assert_eq!(revocations.count(), 2);
}

backend_tests!(
    sessions_that_ended_over_a_day_ago_are_pruned_and_live_ones_stay,
    the_revocation_poll_reads_only_what_changed_since_its_last_read,
);
