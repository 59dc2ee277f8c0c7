//! At most one link mail per address per cooldown, so nobody can flood a mailbox through the reset or resend
//! routes (the per-IP limits alone would let many addresses' worth of requests through to one victim).

use std::hash::BuildHasher;
use std::time::{Duration, Instant};

/// Addresses mailed recently, bounded: an evicted one can only be mailed once more early.
pub struct Cooldown {
    period: Duration,
    /// Keyed by a keyed hash of the address, so no address is held in memory.
    recent: quick_cache::sync::Cache<u64, Instant>,
    hasher: std::hash::RandomState,
}

impl Cooldown {
    const CAPACITY: usize = 65_536;

    pub fn new(period: Duration) -> Self {
        Self {
            period,
            recent: quick_cache::sync::Cache::new(Self::CAPACITY),
            hasher: std::hash::RandomState::new(),
        }
    }

    /// True, and the address's cooldown starts, when `address` may be mailed now.
    pub fn claim(&self, address: &str) -> bool {
        if self.period.is_zero() {
            return true;
        }
        let key = self.hasher.hash_one(address);
        let now = Instant::now();
        if self
            .recent
            .get(&key)
            .is_some_and(|at| now.duration_since(at) < self.period)
        {
            return false;
        }
        self.recent.insert(key, now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_claim_per_address_per_period() {
        let cooldown = Cooldown::new(Duration::from_secs(60));
        assert!(cooldown.claim("a@example.com"));
        assert!(!cooldown.claim("a@example.com"));
        assert!(cooldown.claim("b@example.com"));
        let off = Cooldown::new(Duration::ZERO);
        assert!(off.claim("a@example.com") && off.claim("a@example.com"));
    }
}
