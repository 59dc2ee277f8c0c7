//! Deleting ended sessions (kept a day) and audit events past their retention in the background, in small
//! batches.

use std::time::Duration;

use chrono::Utc;

use crate::config::SessionSettings;
use crate::db::{Db, StoreError, accounts, events, sessions, social};

/// How often a pruning pass runs.
pub const PRUNE_EVERY: Duration = Duration::from_secs(600);
/// Rows deleted per statement; small enough that a pass never holds SQLite's write lock for long.
const BATCH: i64 = 500;
/// Batches per pass; what is left waits for the next pass.
const MAX_BATCHES: usize = 100;
/// Ended sessions are kept this long, for an operator looking into a recent incident.
const KEEP_ENDED: chrono::Duration = chrono::Duration::days(1);

/// Runs a pass every `PRUNE_EVERY` (the first one right away) until the future is dropped.
pub async fn prune_forever(db: Db, policy: SessionSettings, audit_retention: Duration) {
    let mut ticks = tokio::time::interval(PRUNE_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match prune_once(&db, &policy).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "ended sessions pruned"),
            Err(error) => tracing::warn!(%error, "could not prune ended sessions"),
        }
        match prune_events_once(&db, audit_retention).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "old audit events pruned"),
            Err(error) => tracing::warn!(%error, "could not prune old audit events"),
        }
    }
}

/// One pass: deletes batch after batch of sessions that ended more than a day ago, with a pause between
/// batches so requests get the database in between. Returns how many rows went.
pub async fn prune_once(db: &Db, policy: &SessionSettings) -> Result<usize, StoreError> {
    let idle = chrono::Duration::from_std(policy.idle_timeout).unwrap_or(chrono::Duration::MAX);
    let mut deleted = 0;
    for _ in 0..MAX_BATCHES {
        let before = Utc::now().naive_utc() - KEEP_ENDED;
        let idle_before = before.checked_sub_signed(idle).unwrap_or(before);
        let gone = db
            .run(move |conn| {
                let ids = sessions::ended_before(conn, before, idle_before, BATCH)?;
                sessions::delete(conn, &ids)
            })
            .await?;
        deleted += gone;
        if gone < BATCH as usize {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Accounts an operator deleted a day ago: every instance has long seen their sessions' revocations.
    let before = Utc::now().naive_utc() - KEEP_ENDED;
    let purged = db
        .run(move |conn| accounts::purge_deleted(conn, before))
        .await?;
    if purged > 0 {
        tracing::info!(purged, "deleted accounts removed");
    }
    // Login flows and codes live minutes; those that expired unused go.
    let at = Utc::now().naive_utc();
    db.run(move |conn| social::prune(conn, at)).await?;
    Ok(deleted)
}

/// One pass over the audit trail: deletes batch after batch of events older than `retention`, pausing between
/// batches as for sessions. Returns how many rows went.
pub async fn prune_events_once(db: &Db, retention: Duration) -> Result<usize, StoreError> {
    let retention = chrono::Duration::from_std(retention).unwrap_or(chrono::Duration::MAX);
    let mut deleted = 0;
    for _ in 0..MAX_BATCHES {
        let now = Utc::now().naive_utc();
        // Out of range can only mean "keep everything".
        let before = now
            .checked_sub_signed(retention)
            .unwrap_or(chrono::NaiveDateTime::MIN);
        let gone = db
            .run(move |conn| events::prune_before(conn, before, BATCH))
            .await?;
        deleted += gone;
        if gone < BATCH as usize {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(deleted)
}
