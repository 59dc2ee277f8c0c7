//! The set of recently revoked sessions that every instance keeps in memory, so the bearer middleware can refuse
//! a revoked session's access tokens without a database round trip. The database is the source of truth: each
//! instance loads the revocations of the last access-token lifetime at start, then every second reads those
//! made since its previous read (with an overlap for commit delays and clock skew), and adds its own at once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::{NaiveDateTime, Utc};

use crate::db::{AnyConnection, Db, sessions};

/// How often every instance re-reads the revocations.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// How long the poll may keep failing before `/readyz` reports this instance not ready: past it, revocations
/// made on other instances may go unenforced here.
pub const STALE_AFTER: Duration = Duration::from_secs(10);

/// How far `next_cursor` stays behind the present.
const CURSOR_OVERLAP_SECONDS: i64 = 10;

/// How far each poll reads back before the previous poll's start: a revocation committed late, or stamped by
/// an instance whose clock is behind ours (by up to the largest clock leeway we allow), is still seen.
const POLL_OVERLAP: chrono::Duration = chrono::Duration::seconds(60);

/// Session ids revoked within the window, with when.
pub struct Revocations {
    revoked: RwLock<HashMap<String, NaiveDateTime>>,
    /// Older revocations no longer matter: every access token of those sessions has expired.
    window: chrono::Duration,
    /// Unix milliseconds of the last successful reload, for `authd_revocation_poll_age_seconds`.
    last_reload: AtomicI64,
    /// Unix milliseconds the next reload reads from; 0 before the first, which reads the whole window.
    read_from: AtomicI64,
}

/// Kept past the access-token window (see `Revocations::new`).
const REVOCATION_MARGIN: Duration = Duration::from_secs(2);

/// One entry of the published list.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Revoked {
    pub sid: String,
    /// Unix seconds.
    pub revoked_at: i64,
}

impl Revocations {
    /// An empty set that remembers revocations for `window` (the access-token lifetime plus clock leeway).
    pub fn new(window: Duration) -> Self {
        // Token times are whole seconds, checked against a whole-second clock: a token minted at 10.9 s carries
        // `iat` 10 and still passes during the second after its `exp`. The margin keeps a revocation until every
        // token of its session has stopped passing, not a fraction of a second before.
        let window = window.saturating_add(REVOCATION_MARGIN);
        let window = chrono::Duration::from_std(window).unwrap_or(chrono::Duration::MAX);
        Self {
            revoked: RwLock::new(HashMap::new()),
            window,
            last_reload: AtomicI64::new(Utc::now().timestamp_millis()),
            read_from: AtomicI64::new(0),
        }
    }

    /// How many sessions the set holds.
    pub fn count(&self) -> usize {
        self.read().len()
    }

    /// Time since the last successful reload (or since creation, before the first).
    pub fn since_last_poll(&self) -> Duration {
        let elapsed = Utc::now().timestamp_millis() - self.last_reload.load(Ordering::Relaxed);
        Duration::from_millis(u64::try_from(elapsed).unwrap_or(0))
    }

    /// True when the last successful reload is older than `STALE_AFTER`.
    pub fn is_stale(&self) -> bool {
        self.since_last_poll() > STALE_AFTER
    }

    pub fn contains(&self, session_id: &str) -> bool {
        self.read().contains_key(session_id)
    }

    /// Records revocations made by this instance, so they take effect here before the next poll.
    pub fn insert<I: IntoIterator<Item = String>>(&self, session_ids: I, at: NaiveDateTime) {
        let mut revoked = self
            .revoked
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        revoked.extend(session_ids.into_iter().map(|id| (id, at)));
    }

    /// Merges the revocations made since the previous reload into the set and forgets those older than the
    /// window. A merge, not a replacement: a revocation this instance recorded while the query ran must not
    /// drop out. Returns how many rows were read.
    pub fn reload(&self, conn: &mut AnyConnection) -> diesel::QueryResult<usize> {
        let started = Utc::now().naive_utc();
        let window_start = started - self.window;
        let since = chrono::DateTime::from_timestamp_millis(self.read_from.load(Ordering::Relaxed))
            .map_or(window_start, |at| at.naive_utc().max(window_start));
        let rows = sessions::revoked_since(conn, since)?;
        let read = rows.len();
        let mut revoked = self
            .revoked
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        revoked.retain(|_, at| *at >= window_start);
        revoked.extend(rows);
        drop(revoked);
        let next = (started - POLL_OVERLAP).and_utc().timestamp_millis();
        self.read_from.store(next, Ordering::Relaxed);
        self.last_reload
            .store(Utc::now().timestamp_millis(), Ordering::Relaxed);
        Ok(read)
    }

    /// Reloads every `POLL_INTERVAL` until the returned future is dropped. A failed poll keeps the last set.
    pub async fn poll_forever(revocations: Arc<Self>, db: Db) {
        let mut ticks = tokio::time::interval(POLL_INTERVAL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let revocations = Arc::clone(&revocations);
            let result = db.run(move |conn| revocations.reload(conn).map(drop)).await;
            if let Err(error) = result {
                tracing::warn!(%error, "could not refresh the revoked-session list");
            }
        }
    }

    /// Revocations at or after `since` (unix seconds), oldest first, and the cursor for the next call.
    pub fn since(&self, since: i64) -> (Vec<Revoked>, i64) {
        self.since_at(since, Utc::now().timestamp())
    }

    fn since_at(&self, since: i64, now: i64) -> (Vec<Revoked>, i64) {
        let mut list: Vec<Revoked> = self
            .read()
            .iter()
            .map(|(sid, at)| Revoked {
                sid: sid.clone(),
                revoked_at: at.and_utc().timestamp(),
            })
            .filter(|r| r.revoked_at >= since)
            .collect();
        list.sort_by(|a, b| (a.revoked_at, &a.sid).cmp(&(b.revoked_at, &b.sid)));
        // The cursor trails the present: a revocation made on another instance reaches this one up to a poll
        // later, and one committed late keeps an earlier timestamp, so recent seconds are listed again.
        let next = since.max(now - CURSOR_OVERLAP_SECONDS);
        (list, next)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, NaiveDateTime>> {
        self.revoked
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(seconds, 0)
            .unwrap()
            .naive_utc()
    }

    #[test]
    fn since_lists_inclusively_and_the_cursor_trails_the_present() {
        let revocations = Revocations::new(Duration::from_secs(900));
        revocations.insert(["b".to_owned()], at(1_000));
        revocations.insert(["a".to_owned()], at(990));
        let (list, next) = revocations.since_at(990, 1_005);
        let sids: Vec<&str> = list.iter().map(|r| r.sid.as_str()).collect();
        assert_eq!(sids, ["a", "b"]);
        assert_eq!(next, 995);
        let (list, next) = revocations.since_at(1_000, 1_005);
        assert_eq!(list.len(), 1);
        assert_eq!(next, 1_000, "never moves backwards");
    }
}
