//! Accounts shown by `/v1/me` in the last few seconds, so a client polling it costs no database round trip.

use std::time::{Duration, Instant};

use bytes::Bytes;
use quick_cache::sync::Cache;

/// Serialised user views by user id. Bounded in size and age. A change to what the view shows (the address or
/// its verification, MFA on or off) removes the entry here (`forget`); another instance may show the old view until
/// its entry ages out (30 s). An account that is deleted has its sessions revoked, which the bearer middleware
/// checks before this cache is consulted.
/// Holding the JSON body, not the view, keeps this cache free of the HTTP types.
pub struct RecentUsers {
    entries: Cache<String, (Instant, Bytes)>,
}

impl RecentUsers {
    const CAPACITY: usize = 10_000;
    const MAX_AGE: Duration = Duration::from_secs(30);

    /// An empty cache.
    pub fn new() -> Self {
        Self {
            entries: Cache::new(Self::CAPACITY),
        }
    }

    /// The body cached for `user_id`, when younger than `MAX_AGE`.
    pub fn get(&self, user_id: &str) -> Option<Bytes> {
        self.entries
            .get(user_id)
            .filter(|(at, _)| at.elapsed() < Self::MAX_AGE)
            .map(|(_, body)| body)
    }

    /// Forgets `user_id` (its address or verification changed), so the next `/v1/me` reads the row.
    pub fn remove(&self, user_id: &str) {
        self.entries.remove(user_id);
    }

    /// Remembers `body` for `user_id` from now on.
    pub fn insert(&self, user_id: String, body: Bytes) {
        self.entries.insert(user_id, (Instant::now(), body));
    }

    /// Drops the body of `user_id` after the account changed (on this instance; others age it out).
    pub fn forget(&self, user_id: &str) {
        self.entries.remove(user_id);
    }
}

impl Default for RecentUsers {
    fn default() -> Self {
        Self::new()
    }
}
