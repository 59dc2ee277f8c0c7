//! Failed logins per (client address, account): the first `count` failures in a row pass freely, then each
//! further attempt must wait twice as long as the one before (1 s, 2 s, 4 s, ... at most the window), and the
//! pair is forgotten a window after its last failure or at its first success. Keyed by the pair, not the
//! account alone, so a guesser slows down only itself and never locks the owner out.
//!
//! This is a backoff, not a rate (a GCRA cannot grow its interval), so it keeps its own small state per pair;
//! the pairs live in a cache with a ceiling, like the per-IP budgets. With Redis the same rule (`backoff`) runs
//! over a count and a last-failure time kept there (`shared/`).

use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Limited;
use crate::config::Rate;

/// The policy name in the `RateLimit-Policy` and `RateLimit` headers.
pub const POLICY: &str = "login-ip-account";

/// One pair's failures since it was last forgotten.
#[derive(Debug)]
struct Failures {
    count: u32,
    last: Instant,
}

/// The failed-login state of every (address, account) pair seen recently.
pub struct LoginFailures {
    rate: Rate,
    /// Keyed by the address and a keyed hash of the account (no email addresses held in memory).
    pairs: quick_cache::sync::Cache<(IpAddr, u64), Arc<Mutex<Failures>>>,
    hasher: std::hash::RandomState,
}

impl LoginFailures {
    pub fn new(rate: Rate, max_keys: usize) -> Self {
        Self {
            rate,
            pairs: quick_cache::sync::Cache::new(max_keys),
            hasher: std::hash::RandomState::new(),
        }
    }

    /// Refuses an attempt the pair must still wait for (without counting it).
    #[cfg(test)]
    pub fn check(&self, ip: IpAddr, account: &str, now: Instant) -> Result<(), Limited> {
        let Some(state) = self.pairs.get(&self.key(ip, account)) else {
            return Ok(());
        };
        let failures = state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let since = now.saturating_duration_since(failures.last);
        match backoff(self.rate, failures.count, since) {
            Some(retry_after) => Err(Limited::new(POLICY, self.rate, retry_after)),
            None => Ok(()),
        }
    }

    /// The free failures and the window.
    pub fn rate(&self) -> Rate {
        self.rate
    }

    /// Reserves one attempt of the pair: refused while it must wait, else counted as a failure at once, under the
    /// pair's lock, so parallel attempts cannot all pass before any is counted. A success forgets the pair.
    pub fn reserve(&self, ip: IpAddr, account: &str, now: Instant) -> Result<(), Limited> {
        let fresh = || {
            Ok::<_, std::convert::Infallible>(Arc::new(Mutex::new(Failures {
                count: 0,
                last: now,
            })))
        };
        let Ok(state) = self.pairs.get_or_insert_with(&self.key(ip, account), fresh);
        let mut failures = state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let since = now.saturating_duration_since(failures.last);
        if let Some(retry_after) = backoff(self.rate, failures.count, since) {
            return Err(Limited::new(POLICY, self.rate, retry_after));
        }
        if since >= self.rate.window {
            failures.count = 0;
        }
        failures.count = failures.count.saturating_add(1);
        failures.last = now;
        Ok(())
    }

    /// Gives one reservation back (another counter refused the attempt before it was tried).
    pub fn release(&self, ip: IpAddr, account: &str) {
        if let Some(state) = self.pairs.get(&self.key(ip, account)) {
            let mut failures = state
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            failures.count = failures.count.saturating_sub(1);
        }
    }

    /// Counts a failed attempt.
    #[cfg(test)]
    pub fn failed(&self, ip: IpAddr, account: &str, now: Instant) {
        let fresh = || {
            Ok::<_, std::convert::Infallible>(Arc::new(Mutex::new(Failures {
                count: 0,
                last: now,
            })))
        };
        let Ok(state) = self.pairs.get_or_insert_with(&self.key(ip, account), fresh);
        let mut failures = state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if now.saturating_duration_since(failures.last) >= self.rate.window {
            failures.count = 0;
        }
        failures.count = failures.count.saturating_add(1);
        failures.last = now;
    }

    /// Forgets the pair: the client knows the password.
    pub fn succeeded(&self, ip: IpAddr, account: &str) {
        self.pairs.remove(&self.key(ip, account));
    }

    /// Pairs held.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether no pair is held.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// Drops the pairs whose last failure is a window old (they would be forgotten at their next failure).
    pub fn retain_recent(&self, now: Instant) {
        let window = self.rate.window;
        self.pairs.retain(|_, state| {
            let failures = state
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            now.saturating_duration_since(failures.last) < window
        });
    }

    fn key(&self, ip: IpAddr, account: &str) -> (IpAddr, u64) {
        (super::limit::key(ip), self.hasher.hash_one(account))
    }
}

/// How long a pair with `count` failures, the last one `since` ago, must still wait, if at all: 2^(failures
/// beyond the free ones - 1) seconds after its last failure, at most the window; nothing once the window since the
/// last failure has passed.
pub(super) fn backoff(rate: Rate, count: u32, since: Duration) -> Option<Duration> {
    let free = rate.count.get();
    if count < free || since >= rate.window {
        return None;
    }
    let doublings = (count - free).min(30);
    let delay = Duration::from_secs(1u64 << doublings).min(rate.window);
    delay.checked_sub(since).filter(|left| !left.is_zero())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failures(count: &str) -> LoginFailures {
        LoginFailures::new(Rate::parse(count).unwrap(), 1024)
    }

    #[test]
    fn the_delay_grows_after_the_free_failures() {
        let limits = failures("3/hour");
        let (ip, t0) = ("198.51.100.1".parse().unwrap(), Instant::now());
        for n in 0..3 {
            assert_eq!(limits.check(ip, "a@example.com", t0), Ok(()), "{n}");
            limits.failed(ip, "a@example.com", t0);
        }
        let blocked = limits.check(ip, "a@example.com", t0).unwrap_err();
        assert_eq!((blocked.policy, blocked.quota), (POLICY, 3));
        assert_eq!(blocked.retry_after, Duration::from_secs(1));
        let after = |secs| t0 + Duration::from_secs(secs);
        assert_eq!(limits.check(ip, "a@example.com", after(1)), Ok(()));
        limits.failed(ip, "a@example.com", after(1));
        let blocked = limits.check(ip, "a@example.com", after(1)).unwrap_err();
        assert_eq!(blocked.retry_after, Duration::from_secs(2));
        limits.failed(ip, "a@example.com", after(3));
        let blocked = limits.check(ip, "a@example.com", after(3)).unwrap_err();
        assert_eq!(blocked.retry_after, Duration::from_secs(4));
        // Other accounts from the same address, and the same account from elsewhere, are untouched.
        assert_eq!(limits.check(ip, "b@example.com", after(3)), Ok(()));
        let owner = "203.0.113.9".parse().unwrap();
        assert_eq!(limits.check(owner, "a@example.com", after(3)), Ok(()));
    }

    #[test]
    fn the_delay_is_capped_and_forgotten_after_a_window() {
        let limits = failures("1/min");
        let (ip, t0) = ("198.51.100.1".parse().unwrap(), Instant::now());
        for _ in 0..40 {
            limits.failed(ip, "a@example.com", t0);
        }
        let blocked = limits.check(ip, "a@example.com", t0).unwrap_err();
        assert_eq!(blocked.retry_after, Duration::from_secs(60));
        let later = t0 + Duration::from_secs(60);
        assert_eq!(limits.check(ip, "a@example.com", later), Ok(()));
        limits.failed(ip, "a@example.com", later);
        // The count started again: the first delay is back to 1 s.
        let blocked = limits.check(ip, "a@example.com", later).unwrap_err();
        assert_eq!(blocked.retry_after, Duration::from_secs(1));
        limits.retain_recent(later + Duration::from_secs(60));
        assert!(limits.is_empty());
    }

    #[test]
    fn a_success_forgets_the_pair() {
        let limits = failures("1/hour");
        let (ip, t0) = ("198.51.100.1".parse().unwrap(), Instant::now());
        limits.failed(ip, "a@example.com", t0);
        limits.failed(ip, "a@example.com", t0);
        assert!(limits.check(ip, "a@example.com", t0).is_err());
        limits.succeeded(ip, "a@example.com");
        assert_eq!(limits.check(ip, "a@example.com", t0), Ok(()));
        assert_eq!(limits.len(), 0);
    }

    #[test]
    fn a_reservation_checks_and_counts_in_one_step() {
        let limits = failures("2/hour");
        let (ip, t0) = ("198.51.100.1".parse().unwrap(), Instant::now());
        assert_eq!(limits.reserve(ip, "a@example.com", t0), Ok(()));
        assert_eq!(limits.reserve(ip, "a@example.com", t0), Ok(()));
        // Two in flight are two failures until they settle: the third waits.
        let blocked = limits.reserve(ip, "a@example.com", t0).unwrap_err();
        assert_eq!(blocked.retry_after, Duration::from_secs(1));
        limits.release(ip, "a@example.com");
        assert_eq!(limits.reserve(ip, "a@example.com", t0), Ok(()));
        limits.succeeded(ip, "a@example.com");
        assert!(limits.is_empty());
    }
}
