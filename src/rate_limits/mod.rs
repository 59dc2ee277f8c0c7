//! Per-client-IP request budgets and the growing delay after repeated failed logins of one (address, account)
//! pair. In this process by default (`local.rs`: governor limiters over bounded stores, `failures.rs`); with
//! `AUTHD_REDIS_URL`, in Redis (`shared/`), so every instance spends the same budgets. A check that Redis does
//! not answer in time uses this instance's counters instead: never an error, never a wait past the timeout.

mod attempt;
mod ceiling;
mod devices;
mod failures;
mod limit;
mod local;
mod shared;
mod store;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config::RateLimitSettings;
pub use attempt::{Attempt, Counter};
pub use ceiling::Ceiling;
use ceiling::LoginCeilings;
use devices::DeviceSlots;
pub use limit::{Limit, Limited};
use local::Local;
use shared::{Gcra, Shared};

/// The Redis key name of the device-token cap.
const DEVICES_POLICY: &str = "device-tokens";

/// Keys each limiter holds at most (about 100 bytes each); beyond that the least used are evicted.
pub const MAX_KEYS: usize = 65_536;

/// How often keys whose budget is full again are dropped (they would behave exactly like absent ones).
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

/// Every budget, in memory and, when configured, in Redis.
pub struct RateLimits {
    local: Local,
    shared: Option<Shared>,
    /// The account and device-token failure ceilings (in memory; in Redis too when `shared` is set).
    ceilings: Option<LoginCeilings>,
    /// The cap on device tokens honoured per account (when limits are on).
    devices: Option<DeviceSlots>,
}

impl RateLimits {
    pub fn new(settings: &RateLimitSettings) -> Self {
        let shared = match settings.redis.as_ref().filter(|_| settings.enabled) {
            None => None,
            Some(redis) => Shared::new(redis)
                .inspect_err(|error| {
                    tracing::error!(%error, "cannot use Redis: rate limits are per instance");
                })
                .ok(),
        };
        let ceilings = settings.enabled.then(|| {
            LoginCeilings::new(
                settings.login_account,
                settings.login_device,
                settings.mfa_account,
                MAX_KEYS,
            )
        });
        let devices = settings
            .enabled
            .then(|| DeviceSlots::new(settings.device_tokens_per_account, MAX_KEYS));
        Self {
            local: Local::with_max_keys(settings, MAX_KEYS),
            shared,
            ceilings,
            devices,
        }
    }

    /// Whether any limit applies.
    pub fn enabled(&self) -> bool {
        self.local.enabled()
    }

    /// Spends one request of `ip`'s budget for `limit`, or says when it may try again.
    pub async fn check(&self, limit: Limit, ip: IpAddr) -> Result<(), Limited> {
        let Some(rate) = self.local.rate(limit) else {
            return Ok(());
        };
        if let Some(shared) = &self.shared {
            let key = limit::key(ip).to_string();
            match shared.gcra(limit.policy(), &key, rate).await {
                Some(Gcra::Allowed { .. }) => return Ok(()),
                Some(Gcra::Denied { retry_after }) => {
                    return Err(Limited::new(limit.policy(), rate, retry_after));
                }
                None => {}
            }
        }
        self.local.check(limit, ip)
    }

    /// Whether the valid device token `jti` of `account` is honoured (its login gets the device's own ceiling
    /// instead of the account's): at most `AUTHD_DEVICE_TOKENS_PER_ACCOUNT` distinct ones per window.
    pub async fn honour_device(&self, account: &str, jti: &str) -> bool {
        let Some(devices) = &self.devices else {
            return true;
        };
        if let Some(shared) = &self.shared {
            let key = shared.account_key(account);
            let rate = devices.rate();
            if let Some(honoured) = shared.honour_device(DEVICES_POLICY, &key, jti, rate).await {
                return honoured;
            }
        }
        devices.honour(account, jti, Instant::now())
    }

    /// Drops the in-memory keys whose budget has refilled (Redis expires its own).
    pub fn retain_recent(&self) {
        self.local.retain_recent();
        if let Some(ceilings) = &self.ceilings {
            ceilings.retain_recent(Instant::now());
        }
        if let Some(devices) = &self.devices {
            devices.retain_recent(Instant::now());
        }
    }

    /// In-memory keys held for `limit` (for tests and diagnostics).
    pub fn keys(&self, limit: Limit) -> usize {
        self.local.keys(limit)
    }

    /// Sweeps every `SWEEP_INTERVAL`, for as long as the returned future is polled.
    pub async fn sweep_forever(limits: Arc<Self>) {
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

/// The (address, account) pair's key in Redis: the address (an IPv6 client's /64) and a hash of the account.
fn pair_key(shared: &Shared, ip: IpAddr, account: &str) -> String {
    format!("{}:{}", limit::key(ip), shared.account_key(account))
}

#[cfg(test)]
mod tests;
