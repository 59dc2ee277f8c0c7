//! At most one link mail of each kind per address per cooldown, so nobody can flood a mailbox through the reset
//! or resend routes (the per-IP limits alone would let many addresses' worth of requests through to one victim).
//! Each kind has its own slot (as GoTrue keeps `confirmation_sent_at` and `recovery_sent_at` apart): a reset
//! asked for just after signup must not be dropped because the verification mail used the address's only slot.

use std::hash::BuildHasher;
use std::time::{Duration, Instant};

/// Which slot of an address a mail uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MailKind {
    /// A verification link: signup, or resent.
    Verification,
    PasswordReset,
    /// A link to a new address, with its notice to the old one.
    EmailChange,
}

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

    /// True, and the cooldown of this kind for this address starts, when `address` may get a `kind` mail now.
    pub fn claim(&self, kind: MailKind, address: &str) -> bool {
        if self.period.is_zero() {
            return true;
        }
        let key = self.hasher.hash_one((kind, address));
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

    use MailKind::{EmailChange, PasswordReset, Verification};

    #[test]
    fn one_claim_per_address_and_kind_per_period() {
        let cooldown = Cooldown::new(Duration::from_secs(60));
        assert!(cooldown.claim(Verification, "a@example.com"));
        assert!(!cooldown.claim(Verification, "a@example.com"));
        assert!(cooldown.claim(Verification, "b@example.com"));
        // Another kind has its own slot, and keeps it.
        assert!(cooldown.claim(PasswordReset, "a@example.com"));
        assert!(!cooldown.claim(PasswordReset, "a@example.com"));
        assert!(cooldown.claim(EmailChange, "a@example.com"));
        let off = Cooldown::new(Duration::ZERO);
        assert!(
            off.claim(Verification, "a@example.com") && off.claim(Verification, "a@example.com")
        );
    }
}
