//! A ceiling on failed logins counted per key across every client: per account (`login-account`) and per device
//! token (`login-device`). Failures are counted in a sliding window (the current fixed window plus the previous
//! one, weighted by how much of it still overlaps), so no burst at a window's edge doubles the ceiling.
//!
//! The ceiling blocks further attempts until the estimate falls below it; it never resets on a success, or the
//! owner's own login would hand a guesser a fresh budget.

use std::hash::BuildHasher;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Limited;
use crate::config::Rate;

/// Whose ceiling a login's failures count against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ceiling<'a> {
    /// The account's (its normalised email), shared by every client without a device token for it.
    Account(&'a str),
    /// A device token's own (its `jti`), for the client that presents it.
    Device(&'a str),
}

/// The account ceiling and the device tokens' own.
pub struct LoginCeilings {
    account: FailureCeiling,
    device: FailureCeiling,
}

impl LoginCeilings {
    pub fn new(account: Rate, device: Rate, max_keys: usize) -> Self {
        Self {
            account: FailureCeiling::new("login-account", account, max_keys),
            device: FailureCeiling::new("login-device", device, max_keys),
        }
    }

    fn pick<'a>(&self, ceiling: Ceiling<'a>) -> (&FailureCeiling, &'a str) {
        match ceiling {
            Ceiling::Account(email) => (&self.account, email),
            Ceiling::Device(jti) => (&self.device, jti),
        }
    }

    /// The ceiling's policy name, its rate, and the key it counts under.
    pub fn describe<'a>(&self, ceiling: Ceiling<'a>) -> (&'static str, Rate, &'a str) {
        let (limits, key) = self.pick(ceiling);
        (limits.policy, limits.rate, key)
    }

    pub fn check(&self, ceiling: Ceiling<'_>, now: Instant) -> Result<(), Limited> {
        let (limits, key) = self.pick(ceiling);
        limits.check(key, now)
    }

    pub fn failed(&self, ceiling: Ceiling<'_>, now: Instant) {
        let (limits, key) = self.pick(ceiling);
        limits.failed(key, now);
    }

    pub fn retain_recent(&self, now: Instant) {
        self.account.retain_recent(now);
        self.device.retain_recent(now);
    }
}

/// One key's counts: failures in the current window and in the one before it.
#[derive(Debug)]
struct Window {
    start: Instant,
    current: u32,
    previous: u32,
}

/// Failure counts per key (a keyed hash of it: no email address is held), at most `max_keys` of them.
pub struct FailureCeiling {
    policy: &'static str,
    rate: Rate,
    counts: quick_cache::sync::Cache<u64, Arc<Mutex<Window>>>,
    hasher: std::hash::RandomState,
}

impl FailureCeiling {
    pub fn new(policy: &'static str, rate: Rate, max_keys: usize) -> Self {
        Self {
            policy,
            rate,
            counts: quick_cache::sync::Cache::new(max_keys),
            hasher: std::hash::RandomState::new(),
        }
    }

    /// Refuses an attempt while the key's recent failures are at the ceiling.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Limited> {
        let Some(state) = self.counts.get(&self.hasher.hash_one(key)) else {
            return Ok(());
        };
        let mut window = state.lock().unwrap_or_else(|p| p.into_inner());
        self.advance(&mut window, now);
        match self.wait(&window, now) {
            Some(retry_after) => Err(Limited {
                policy: self.policy,
                quota: self.rate.count.get(),
                window: self.rate.window,
                retry_after,
            }),
            None => Ok(()),
        }
    }

    /// Counts a failure of `key`.
    pub fn failed(&self, key: &str, now: Instant) {
        let fresh = || {
            Ok::<_, std::convert::Infallible>(Arc::new(Mutex::new(Window {
                start: now,
                current: 0,
                previous: 0,
            })))
        };
        let Ok(state) = self
            .counts
            .get_or_insert_with(&self.hasher.hash_one(key), fresh);
        let mut window = state.lock().unwrap_or_else(|p| p.into_inner());
        self.advance(&mut window, now);
        window.current = window.current.saturating_add(1);
    }

    /// Drops keys with no failure in the last two windows (they would count nothing).
    pub fn retain_recent(&self, now: Instant) {
        let horizon = self.rate.window * 2;
        self.counts.retain(|_, state| {
            let window = state.lock().unwrap_or_else(|p| p.into_inner());
            now.saturating_duration_since(window.start) < horizon
        });
    }

    /// Moves the window forward to the one holding `now`.
    fn advance(&self, window: &mut Window, now: Instant) {
        let length = self.rate.window;
        let elapsed = now.saturating_duration_since(window.start);
        if elapsed < length {
            return;
        }
        let windows = (elapsed.as_nanos() / length.as_nanos()).min(u128::from(u32::MAX));
        window.previous = if windows == 1 { window.current } else { 0 };
        window.current = 0;
        window.start += length * u32::try_from(windows).unwrap_or(u32::MAX);
    }

    /// How long until the weighted count drops below the ceiling, if it is at it now.
    fn wait(&self, window: &Window, now: Instant) -> Option<Duration> {
        let (ceiling, length) = (f64::from(self.rate.count.get()), self.rate.window);
        let into = now.saturating_duration_since(window.start).as_secs_f64();
        let overlap = 1.0 - into / length.as_secs_f64();
        let estimate = f64::from(window.previous) * overlap + f64::from(window.current);
        if estimate < ceiling {
            return None;
        }
        let current = f64::from(window.current);
        let left = if current >= ceiling || window.previous == 0 {
            // Only the window's end brings the current count into the past, where it starts to fade.
            length.as_secs_f64() - into
        } else {
            // The previous window's share fades linearly: find when it is small enough.
            let needed_overlap = (ceiling - current) / f64::from(window.previous);
            (1.0 - needed_overlap) * length.as_secs_f64() - into
        };
        Some(Duration::from_secs_f64(left.max(1.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ceiling(rate: &str) -> FailureCeiling {
        FailureCeiling::new("login-account", Rate::parse(rate).unwrap(), 1024)
    }

    #[test]
    fn the_ceiling_blocks_until_failures_fade() {
        let limits = ceiling("4/hour");
        let t0 = Instant::now();
        let at = |secs| t0 + Duration::from_secs(secs);
        for n in 0..4 {
            assert_eq!(limits.check("a@example.com", at(n)), Ok(()), "{n}");
            limits.failed("a@example.com", at(n));
        }
        let blocked = limits.check("a@example.com", at(10)).unwrap_err();
        assert_eq!((blocked.policy, blocked.quota), ("login-account", 4));
        assert_eq!(blocked.retry_after, Duration::from_secs(3590));
        // Other keys are untouched.
        assert_eq!(limits.check("b@example.com", at(10)), Ok(()));
        // A quarter into the next window the four count as three: one more passes, then it blocks again.
        assert_eq!(limits.check("a@example.com", at(3600 + 900)), Ok(()));
        limits.failed("a@example.com", at(3600 + 900));
        assert!(limits.check("a@example.com", at(3600 + 900)).is_err());
        // Two windows later nothing is left.
        assert_eq!(limits.check("a@example.com", at(3 * 3600)), Ok(()));
    }

    #[test]
    fn a_burst_at_the_edge_does_not_double_the_ceiling() {
        let limits = ceiling("10/min");
        let t0 = Instant::now();
        limits.failed("a", t0);
        for _ in 0..9 {
            limits.failed("a", t0 + Duration::from_secs(59));
        }
        // Just into the next window the ten still weigh 9.8: one more failure passes, not ten.
        let just_after = t0 + Duration::from_secs(61);
        assert_eq!(limits.check("a", just_after), Ok(()));
        limits.failed("a", just_after);
        let blocked = limits.check("a", just_after).unwrap_err();
        assert!(blocked.retry_after >= Duration::from_secs(1));
    }

    #[test]
    fn old_keys_are_dropped() {
        let limits = ceiling("1/min");
        let t0 = Instant::now();
        limits.failed("a", t0);
        limits.retain_recent(t0 + Duration::from_secs(60));
        assert_eq!(limits.counts.len(), 1);
        limits.retain_recent(t0 + Duration::from_secs(120));
        assert_eq!(limits.counts.len(), 0);
    }
}
