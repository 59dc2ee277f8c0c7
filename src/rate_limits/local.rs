//! The budgets in this process: one governor limiter (GCRA) per limited route, keyed by address, over a store
//! with a ceiling on its keys (`store.rs`), and the failed-login backoff (`failures.rs`). Checking costs no I/O.
//! They are the only counters without Redis, and the fallback while Redis does not answer.

use std::net::IpAddr;
use std::time::Instant;

use governor::RateLimiter;
use governor::clock::{Clock, MonotonicClock};
use governor::middleware::NoOpMiddleware;

use super::failures::LoginFailures;
use super::limit::{Limit, Limited, key, quota};
use super::store::BoundedStore;
use crate::config::{Rate, RateLimitSettings};

type IpLimiter = RateLimiter<IpAddr, BoundedStore<IpAddr>, MonotonicClock, NoOpMiddleware<Instant>>;

/// The in-memory budgets of every limited route; empty when `AUTHD_RATE_LIMITS=off`.
pub struct Local {
    limiters: Vec<(Limit, Rate, IpLimiter)>,
    login_failures: Option<LoginFailures>,
}

impl Local {
    pub fn with_max_keys(settings: &RateLimitSettings, max_keys: usize) -> Self {
        if !settings.enabled {
            return Self {
                limiters: vec![],
                login_failures: None,
            };
        }
        let limiters = Limit::ALL
            .into_iter()
            .map(|limit| {
                let rate = limit.rate(settings);
                let store = BoundedStore::new(max_keys);
                (
                    limit,
                    rate,
                    RateLimiter::new(quota(rate), store, MonotonicClock),
                )
            })
            .collect();
        let login_failures = LoginFailures::new(settings.login_ip_account, max_keys);
        Self {
            limiters,
            login_failures: Some(login_failures),
        }
    }

    /// Whether any limit applies.
    pub fn enabled(&self) -> bool {
        !self.limiters.is_empty()
    }

    /// The rate of `limit`; `None` when limits are off.
    pub fn rate(&self, limit: Limit) -> Option<Rate> {
        self.limiters
            .iter()
            .find(|(l, ..)| *l == limit)
            .map(|(_, rate, _)| *rate)
    }

    /// Spends one request of `ip`'s budget for `limit`, or says when it may try again.
    pub fn check(&self, limit: Limit, ip: IpAddr) -> Result<(), Limited> {
        let Some((_, rate, limiter)) = self.limiters.iter().find(|(l, ..)| *l == limit) else {
            return Ok(());
        };
        limiter.check_key(&key(ip)).map_err(|not_until| {
            let retry_after = not_until.wait_time_from(limiter.clock().now());
            Limited::new(limit.policy(), *rate, retry_after)
        })
    }

    /// The failed-login backoff, when limits are on.
    pub fn login_failures(&self) -> Option<&LoginFailures> {
        self.login_failures.as_ref()
    }

    /// Drops the keys whose budget has refilled and the failure counts a window old; the stores' ceilings bound
    /// memory between two sweeps.
    pub fn retain_recent(&self) {
        for (_, _, limiter) in &self.limiters {
            limiter.retain_recent();
        }
        if let Some(failures) = &self.login_failures {
            failures.retain_recent(Instant::now());
        }
    }

    /// Keys held for `limit` (for tests and diagnostics).
    pub fn keys(&self, limit: Limit) -> usize {
        self.limiters
            .iter()
            .find(|(l, ..)| *l == limit)
            .map_or(0, |(_, _, limiter)| limiter.len())
    }
}
