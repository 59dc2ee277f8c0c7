//! Where a keyed limiter keeps its state: a cache of at most `max_keys` keys, so an attacker who cycles through
//! addresses costs bounded memory. governor does the GCRA arithmetic; this store only holds each key's one
//! number (its theoretical arrival time) and swaps it atomically, as governor's own in-memory store does.
//!
//! governor's stores (DashMap, HashMap) grow without a cap until `retain_recent` runs, so a flood of distinct
//! keys between two sweeps would be held in full. Here the cache evicts on insert instead: keys seen once go
//! first (quick_cache keeps keys that are hit again), so a client that keeps asking keeps its state while a
//! flood of one-off addresses evicts mostly itself. An evicted key starts again with a full budget.

use std::convert::Infallible;
use std::hash::Hash;
use std::num::NonZeroU64;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use governor::nanos::Nanos;
use governor::state::StateStore;
use governor::state::keyed::ShrinkableKeyedStateStore;

/// A keyed state store with a ceiling on its number of keys.
pub struct BoundedStore<K> {
    states: quick_cache::sync::Cache<K, Arc<AtomicU64>>,
}

impl<K: Hash + Eq + Clone> BoundedStore<K> {
    /// A store that holds at most `max_keys` keys (evicting as it goes).
    pub fn new(max_keys: usize) -> Self {
        Self {
            states: quick_cache::sync::Cache::new(max_keys),
        }
    }
}

impl<K: Hash + Eq + Clone> StateStore for BoundedStore<K> {
    type Key = K;

    fn measure_and_replace<T, F, E>(&self, key: &K, f: F) -> Result<T, E>
    where
        F: Fn(Option<Nanos>) -> Result<(T, Nanos), E>,
    {
        let state = self
            .states
            .get_or_insert_with(key, || Ok::<_, Infallible>(Arc::default()))
            .unwrap_or_else(|never| match never {});
        // Zero means "never measured" (governor counts from 1 ns after the limiter's start).
        let mut previous = state.load(Ordering::Acquire);
        loop {
            let (outcome, next) = f(NonZeroU64::new(previous).map(|n| Nanos::new(n.get())))?;
            match state.compare_exchange_weak(
                previous,
                next.as_u64(),
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Ok(outcome),
                Err(current) => previous = current,
            }
        }
    }
}

impl<K: Hash + Eq + Clone> ShrinkableKeyedStateStore<K> for BoundedStore<K> {
    fn retain_recent(&self, drop_below: Nanos) {
        let drop_below = drop_below.as_u64();
        self.states
            .retain(|_, state| state.load(Ordering::Relaxed) > drop_below);
    }

    fn len(&self) -> usize {
        self.states.len()
    }

    fn is_empty(&self) -> bool {
        self.states.is_empty()
    }
}
