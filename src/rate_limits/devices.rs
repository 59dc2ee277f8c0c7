//! Which device tokens of an account are honoured: at most `count` distinct ones per window
//! (`AUTHD_DEVICE_TOKENS_PER_ACCOUNT`). A device token lets its client skip the account's failure ceiling for one
//! of its own, so without a cap every device token an attacker collected (while the old password was known, from
//! backups, from a shared computer) would bring a fresh failure budget. With it, an account's failures per window
//! are at most `count` device budgets plus the account's ceiling. A token already honoured in the window stays
//! honoured; a new one beyond the cap is ignored (its login spends the account's ceiling instead).

use std::hash::BuildHasher;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::config::Rate;

/// One account's honoured device tokens (keyed hashes of their ids) and when each was last honoured.
type Slots = Arc<Mutex<Vec<(u64, Instant)>>>;

/// The device tokens honoured recently per account (a keyed hash of its email).
pub struct DeviceSlots {
    rate: Rate,
    accounts: quick_cache::sync::Cache<u64, Slots>,
    hasher: std::hash::RandomState,
}

impl DeviceSlots {
    pub fn new(rate: Rate, max_keys: usize) -> Self {
        Self {
            rate,
            accounts: quick_cache::sync::Cache::new(max_keys),
            hasher: std::hash::RandomState::new(),
        }
    }

    pub fn rate(&self) -> Rate {
        self.rate
    }

    /// Whether device token `jti` of `account` is honoured now, taking a slot for it when one is free (checked
    /// and taken under the account's lock, so parallel logins cannot all take the last slot).
    pub fn honour(&self, account: &str, jti: &str, now: Instant) -> bool {
        let fresh = || Ok::<_, std::convert::Infallible>(Arc::new(Mutex::new(Vec::new())));
        let Ok(state) = self
            .accounts
            .get_or_insert_with(&self.hasher.hash_one(account), fresh);
        let mut slots = state.lock().unwrap_or_else(|p| p.into_inner());
        let window = self.rate.window;
        slots.retain(|(_, at)| now.saturating_duration_since(*at) < window);
        let id = self.hasher.hash_one(jti);
        if let Some(slot) = slots.iter_mut().find(|(held, _)| *held == id) {
            slot.1 = now;
            return true;
        }
        if slots.len() < self.rate.count.get() as usize {
            slots.push((id, now));
            return true;
        }
        false
    }

    /// Drops the accounts with no device token honoured in the last window.
    pub fn retain_recent(&self, now: Instant) {
        let window = self.rate.window;
        self.accounts.retain(|_, state| {
            let slots = state.lock().unwrap_or_else(|p| p.into_inner());
            slots
                .iter()
                .any(|(_, at)| now.saturating_duration_since(*at) < window)
        });
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn at_most_count_device_tokens_per_window() {
        let slots = DeviceSlots::new(Rate::parse("2/hour").unwrap(), 1024);
        let t0 = Instant::now();
        assert!(slots.honour("a@example.com", "one", t0));
        assert!(slots.honour("a@example.com", "two", t0));
        assert!(!slots.honour("a@example.com", "three", t0), "over the cap");
        let half = t0 + Duration::from_secs(1800);
        assert!(
            slots.honour("a@example.com", "one", half),
            "already honoured"
        );
        assert!(
            slots.honour("b@example.com", "three", t0),
            "another account"
        );
        // A window after "two" was last seen its slot is free again; "one", seen later, keeps its own.
        let later = t0 + Duration::from_secs(3600);
        assert!(slots.honour("a@example.com", "three", later));
        assert!(!slots.honour("a@example.com", "four", later));
        slots.retain_recent(later + Duration::from_secs(3600));
        assert_eq!(slots.accounts.len(), 0);
    }
}
