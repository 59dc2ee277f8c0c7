//! Per-client-IP request budgets, in memory: one governor limiter (GCRA) per limited route, keyed by address,
//! over a store with a ceiling on its keys (`store.rs`); and the growing delay after repeated failed logins of
//! one (address, account) pair (`failures.rs`). Checking costs no I/O and runs before any hashing.

mod failures;
mod store;

use std::net::{IpAddr, Ipv6Addr};
use std::time::{Duration, Instant};

use governor::clock::{Clock, MonotonicClock};
use governor::middleware::NoOpMiddleware;
use governor::{Quota, RateLimiter};

use crate::config::{Rate, RateLimitSettings};
use failures::LoginFailures;
use store::BoundedStore;

/// Keys each limiter holds at most (about 100 bytes each); beyond that the least used are evicted.
pub const MAX_KEYS: usize = 65_536;

/// How often keys whose budget is full again are dropped (they would behave exactly like absent ones).
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

/// The limited routes, one budget each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Signup,
    Login,
    Refresh,
    Logout,
    Password,
    /// Routes that send mail.
    Mail,
    /// Routes that take a mailed token.
    EmailToken,
}

impl Limit {
    const ALL: [Limit; 7] = [
        Self::Signup,
        Self::Login,
        Self::Refresh,
        Self::Logout,
        Self::Password,
        Self::Mail,
        Self::EmailToken,
    ];

    /// The policy's name in the `RateLimit-Policy` and `RateLimit` headers.
    pub fn policy(self) -> &'static str {
        match self {
            Self::Signup => "signup-ip",
            Self::Login => "login-ip",
            Self::Refresh => "refresh-ip",
            Self::Logout => "logout-ip",
            Self::Password => "password-ip",
            Self::Mail => "mail-ip",
            Self::EmailToken => "email-token-ip",
        }
    }

    fn rate(self, settings: &RateLimitSettings) -> Rate {
        match self {
            Self::Signup => settings.signup_ip,
            Self::Login => settings.login_ip,
            Self::Refresh => settings.refresh_ip,
            Self::Logout => settings.logout_ip,
            Self::Password => settings.password_ip,
            Self::Mail => settings.mail_ip,
            Self::EmailToken => settings.email_token_ip,
        }
    }
}

/// A refused request: which policy, its quota, and when the next request may pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limited {
    pub policy: &'static str,
    pub quota: u32,
    pub window: Duration,
    pub retry_after: Duration,
}

type IpLimiter = RateLimiter<IpAddr, BoundedStore<IpAddr>, MonotonicClock, NoOpMiddleware<Instant>>;

/// The budgets of every limited route; empty when `AUTHD_RATE_LIMITS=off`.
pub struct RateLimits {
    limiters: Vec<(Limit, Rate, IpLimiter)>,
    login_failures: Option<LoginFailures>,
}

impl RateLimits {
    pub fn new(settings: &RateLimitSettings) -> Self {
        Self::with_max_keys(settings, MAX_KEYS)
    }

    fn with_max_keys(settings: &RateLimitSettings, max_keys: usize) -> Self {
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

    /// Spends one request of `ip`'s budget for `limit`, or says when it may try again.
    pub fn check(&self, limit: Limit, ip: IpAddr) -> Result<(), Limited> {
        let Some((_, rate, limiter)) = self.limiters.iter().find(|(l, ..)| *l == limit) else {
            return Ok(());
        };
        limiter.check_key(&key(ip)).map_err(|not_until| Limited {
            policy: limit.policy(),
            quota: rate.count.get(),
            window: rate.window,
            retry_after: not_until.wait_time_from(limiter.clock().now()),
        })
    }

    /// Refuses a login of `account` from `ip` while that pair waits after repeated failures.
    pub fn check_login(&self, ip: IpAddr, account: &str) -> Result<(), Limited> {
        let Some(failures) = &self.login_failures else {
            return Ok(());
        };
        failures.check(ip, account, Instant::now())
    }

    /// Counts a failed login of `account` from `ip`.
    pub fn login_failed(&self, ip: IpAddr, account: &str) {
        if let Some(failures) = &self.login_failures {
            failures.failed(ip, account, Instant::now());
        }
    }

    /// Forgets the failures of `account` from `ip` after a successful login.
    pub fn login_succeeded(&self, ip: IpAddr, account: &str) {
        if let Some(failures) = &self.login_failures {
            failures.succeeded(ip, account);
        }
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

    /// Sweeps every `SWEEP_INTERVAL`, for as long as the returned future is polled.
    pub async fn sweep_forever(limits: std::sync::Arc<Self>) {
        if !limits.enabled() {
            return;
        }
        let mut ticks = tokio::time::interval(SWEEP_INTERVAL);
        loop {
            ticks.tick().await;
            limits.retain_recent();
        }
    }
}

/// A burst of `count`, one more every `window / count`.
fn quota(rate: Rate) -> Quota {
    let period = rate.window / rate.count.get();
    Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_second(rate.count))
        .allow_burst(rate.count)
}

/// The budget's key: the address, except that an IPv6 client is its /64 (one host usually has a whole /64, so
/// per-address budgets would be endless).
fn key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(prefix))
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests;
