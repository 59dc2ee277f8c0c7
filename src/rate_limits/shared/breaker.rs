//! Whether to ask Redis at all. While it answers, every check goes there. After an error or a timeout the
//! checks use this instance's counters, and one check per `RETRY_AFTER` probes Redis, so an outage costs the
//! timeout about once a second, not on every request. Logs once per outage, once at recovery.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::metrics;

/// How long after a failure the next probe waits.
pub(super) const RETRY_AFTER: Duration = Duration::from_secs(1);

/// The state of the link to Redis.
pub(super) struct Breaker {
    epoch: Instant,
    /// Milliseconds since `epoch` before which Redis is not asked; 0 while it answers.
    closed_until: AtomicU64,
    down: AtomicBool,
}

impl Breaker {
    pub(super) fn new() -> Self {
        Self {
            epoch: Instant::now(),
            closed_until: AtomicU64::new(0),
            down: AtomicBool::new(false),
        }
    }

    /// Whether this check may ask Redis: always while it answers; during an outage, the first check after each
    /// back-off (the one that wins the swap), so concurrent requests don't all wait for the timeout.
    pub(super) fn admit(&self) -> bool {
        let until = self.closed_until.load(Ordering::Acquire);
        if until == 0 {
            return true;
        }
        let now = self.now_ms();
        now >= until
            && self
                .closed_until
                .compare_exchange(
                    until,
                    self.retry_at(now),
                    Ordering::AcqRel,
                    Ordering::Relaxed,
                )
                .is_ok()
    }

    /// Redis failed or was too slow: local counters until the next probe.
    pub(super) fn failed(&self, error: &str) {
        metrics::rate_limit_backend_error();
        let now = self.now_ms();
        self.closed_until
            .store(self.retry_at(now), Ordering::Release);
        if !self.down.swap(true, Ordering::AcqRel) {
            tracing::warn!(
                %error,
                "Redis does not answer: rate limits are per instance until it does (retrying every second)"
            );
        }
    }

    /// Redis answered.
    pub(super) fn succeeded(&self) {
        if self.closed_until.load(Ordering::Acquire) != 0 {
            self.closed_until.store(0, Ordering::Release);
        }
        if self.down.swap(false, Ordering::AcqRel) {
            tracing::info!("Redis answers again: rate limits are shared again");
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn retry_at(&self, now: u64) -> u64 {
        // Never 0, which means "closed".
        now.saturating_add(RETRY_AFTER.as_millis() as u64).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_probe_per_back_off_then_all_again() {
        let breaker = Breaker::new();
        assert!(breaker.admit());
        breaker.failed("refused");
        assert!(!breaker.admit());
        assert!(!breaker.admit());
        std::thread::sleep(RETRY_AFTER + Duration::from_millis(20));
        assert!(breaker.admit(), "the probe");
        assert!(!breaker.admit(), "only one probe");
        breaker.succeeded();
        assert!(breaker.admit() && breaker.admit());
    }
}
