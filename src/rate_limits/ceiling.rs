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
    /// Wrong second-factor codes of an account (its user id), from every client and route together.
    Mfa(&'a str),
}

/// The account ceiling and the device tokens' own.
pub struct LoginCeilings {
    account: FailureCeiling,
    device: FailureCeiling,
    mfa: FailureCeiling,
}

impl LoginCeilings {
    pub fn new(account: Rate, device: Rate, mfa: Rate, max_keys: usize) -> Self {
        Self {
            account: FailureCeiling::new("login-account", account, max_keys),
            device: FailureCeiling::new("login-device", device, max_keys),
            mfa: FailureCeiling::new("mfa-account", mfa, max_keys),
        }
    }

    fn pick<'a>(&self, ceiling: Ceiling<'a>) -> (&FailureCeiling, &'a str) {
        match ceiling {
            Ceiling::Account(email) => (&self.account, email),
            Ceiling::Device(jti) => (&self.device, jti),
            Ceiling::Mfa(user_id) => (&self.mfa, user_id),
        }
    }

    /// The ceiling's policy name, its rate, and the key it counts under.
    pub fn describe<'a>(&self, ceiling: Ceiling<'a>) -> (&'static str, Rate, &'a str) {
        let (limits, key) = self.pick(ceiling);
        (limits.policy, limits.rate, key)
    }

    pub fn reserve(&self, ceiling: Ceiling<'_>, now: Instant) -> Result<(), Limited> {
        let (limits, key) = self.pick(ceiling);
        limits.reserve(key, now)
    }

    pub fn release(&self, ceiling: Ceiling<'_>, now: Instant) {
        let (limits, key) = self.pick(ceiling);
        limits.release(key, now);
    }

    pub fn retain_recent(&self, now: Instant) {
        self.account.retain_recent(now);
        self.device.retain_recent(now);
        self.mfa.retain_recent(now);
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

    /// Reserves one attempt of `key`: refused while its recent failures are at the ceiling, else counted as a
    /// failure at once, under the key's lock, so parallel attempts cannot all pass before any is counted.
    pub fn reserve(&self, key: &str, now: Instant) -> Result<(), Limited> {
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
        if let Some(retry_after) = self.wait(&window, now) {
            return Err(Limited {
                policy: self.policy,
                quota: self.rate.count.get(),
                window: self.rate.window,
                retry_after,
            });
        }
        window.current = window.current.saturating_add(1);
        Ok(())
    }

    /// Gives one reservation of `key` back (the attempt succeeded, or another counter refused it); from the
    /// window before when this one has just begun.
    pub fn release(&self, key: &str, now: Instant) {
        let Some(state) = self.counts.get(&self.hasher.hash_one(key)) else {
            return;
        };
        let mut window = state.lock().unwrap_or_else(|p| p.into_inner());
        self.advance(&mut window, now);
        match window.current {
            0 => window.previous = window.previous.saturating_sub(1),
            _ => window.current -= 1,
        }
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
            assert_eq!(limits.reserve("a@example.com", at(n)), Ok(()), "{n}");
        }
        let blocked = limits.reserve("a@example.com", at(10)).unwrap_err();
        assert_eq!((blocked.policy, blocked.quota), ("login-account", 4));
        assert_eq!(blocked.retry_after, Duration::from_secs(3590));
        // Other keys are untouched.
        assert_eq!(limits.reserve("b@example.com", at(10)), Ok(()));
        // A quarter into the next window the four count as three: one more passes, then it blocks again.
        assert_eq!(limits.reserve("a@example.com", at(3600 + 900)), Ok(()));
        assert!(limits.reserve("a@example.com", at(3600 + 900)).is_err());
        // Two windows later nothing is left.
        assert_eq!(limits.reserve("a@example.com", at(3 * 3600)), Ok(()));
    }

    #[test]
    fn a_burst_at_the_edge_does_not_double_the_ceiling() {
        let limits = ceiling("10/min");
        let t0 = Instant::now();
        assert_eq!(limits.reserve("a", t0), Ok(()));
        for _ in 0..9 {
            assert_eq!(limits.reserve("a", t0 + Duration::from_secs(59)), Ok(()));
        }
        // Just into the next window the ten still weigh 9.8: one more failure passes, not ten.
        let just_after = t0 + Duration::from_secs(61);
        assert_eq!(limits.reserve("a", just_after), Ok(()));
        let blocked = limits.reserve("a", just_after).unwrap_err();
        assert!(blocked.retry_after >= Duration::from_secs(1));
    }

    #[test]
    fn old_keys_are_dropped() {
        let limits = ceiling("1/min");
        let t0 = Instant::now();
        assert_eq!(limits.reserve("a", t0), Ok(()));
        limits.retain_recent(t0 + Duration::from_secs(60));
        assert_eq!(limits.counts.len(), 1);
        limits.retain_recent(t0 + Duration::from_secs(120));
        assert_eq!(limits.counts.len(), 0);
    }

    #[test]
    fn a_released_reservation_is_not_counted() {
        let limits = ceiling("2/hour");
        let t0 = Instant::now();
        assert_eq!(limits.reserve("a", t0), Ok(()));
        assert_eq!(limits.reserve("a", t0), Ok(()));
        assert!(
            limits.reserve("a", t0).is_err(),
            "two in flight fill the ceiling"
        );
        limits.release("a", t0);
        assert_eq!(limits.reserve("a", t0), Ok(()));
        assert!(limits.reserve("a", t0).is_err());
    }
}
