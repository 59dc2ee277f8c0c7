//! The counters in Redis (`AUTHD_REDIS_URL`), shared by every instance that uses the same server and prefix.
//! Two general primitives, each one Lua script and one round trip: a GCRA check of (policy, key, rate), and a
//! failure counter's reservation of (policy, key) (with its release). Keys are `<prefix>rl:<policy>:<key>`.
//!
//! Every call is bounded by the configured timeout. `None` means "Redis did not answer": the caller then uses
//! its in-memory counters, so Redis being down never fails a request. The connection manager reconnects on its
//! own; `breaker.rs` decides when to try again.

mod breaker;
mod scripts;

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{FromRedisValue, RedisResult};
use sha2::{Digest, Sha256};

use self::breaker::Breaker;
use self::scripts::{DEVICE_SCRIPT, GCRA_SCRIPT, RELEASE_SCRIPT, RESERVE_SCRIPT};
use super::limit::period;
use crate::config::{Rate, RedisSettings};

/// A GCRA check's outcome: passed with `remaining` more in the burst, or refused for `retry_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gcra {
    Allowed { remaining: u32 },
    Denied { retry_after: Duration },
}

/// A reservation in Redis: its server time and the counter's last time before it (0: none), so that giving it
/// back can restore that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    at: u64,
    previous: u64,
}

/// How a failure counter refuses: at a ceiling until a window after the last failure, or with a delay that
/// doubles with each failure beyond the free ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Ceiling,
    Backoff,
}

/// The Redis connection and the rules for using it.
pub struct Shared {
    connection: ConnectionManager,
    prefix: String,
    timeout: Duration,
    breaker: Breaker,
}

impl Shared {
    /// Prepares the connection; it is opened at the first check (start-up never waits for Redis).
    pub fn new(settings: &RedisSettings) -> RedisResult<Self> {
        let client = redis::Client::open(settings.url.expose())?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(settings.timeout))
            .set_response_timeout(Some(settings.timeout))
            .set_number_of_retries(2)
            .set_max_delay(breaker::RETRY_AFTER);
        Ok(Self {
            connection: ConnectionManager::new_lazy_with_config(client, config)?,
            prefix: settings.prefix.clone(),
            timeout: settings.timeout,
            breaker: Breaker::new(),
        })
    }

    /// Spends one request of `key`'s budget under `policy`: a burst of `rate.count`, one more every
    /// `rate.window / rate.count`, exactly as governor does in memory.
    pub async fn gcra(&self, policy: &str, key: &str, rate: Rate) -> Option<Gcra> {
        let interval = period(rate).as_micros().max(1);
        let mut call = GCRA_SCRIPT.key(self.key(policy, key));
        call.arg(u64::try_from(interval).unwrap_or(u64::MAX))
            .arg(rate.count.get());
        let reply: (u8, u64, u32) = self
            .run(call.invoke_async(&mut self.connection.clone()))
            .await?;
        Some(match reply {
            (1, _, remaining) => Gcra::Allowed { remaining },
            (_, retry_ms, _) => Gcra::Denied {
                retry_after: Duration::from_millis(retry_ms),
            },
        })
    }

    /// Reserves one attempt of `key` under `policy` by `rule` (checked and counted in one step): `Ok` when
    /// reserved, `Err(retry_after)` when refused.
    pub async fn reserve(
        &self,
        rule: Rule,
        policy: &str,
        key: &str,
        rate: Rate,
    ) -> Option<Result<Stamp, Duration>> {
        let mut call = RESERVE_SCRIPT.key(self.key(policy, key));
        let window_ms = u64::try_from(rate.window.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        let rule = match rule {
            Rule::Ceiling => "ceiling",
            Rule::Backoff => "backoff",
        };
        call.arg(rule).arg(rate.count.get()).arg(window_ms);
        let (reserved, value, at): (u8, u64, u64) = self
            .run(call.invoke_async(&mut self.connection.clone()))
            .await?;
        Some(match reserved {
            1 => Ok(Stamp {
                at,
                previous: value,
            }),
            _ => Err(Duration::from_millis(value.max(1))),
        })
    }

    /// Whether device token `jti` is honoured under `key`'s cap of `rate.count` per window (a slot is taken
    /// when one is free).
    pub async fn honour_device(
        &self,
        policy: &str,
        key: &str,
        jti: &str,
        rate: Rate,
    ) -> Option<bool> {
        let mut call = DEVICE_SCRIPT.key(self.key(policy, key));
        let window_ms = u64::try_from(rate.window.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        call.arg(jti).arg(window_ms).arg(rate.count.get());
        let honoured: u8 = self
            .run(call.invoke_async(&mut self.connection.clone()))
            .await?;
        Some(honoured == 1)
    }

    /// Gives back the reservation `stamp` of `key` under `policy` (whose window is `window`).
    pub async fn release(
        &self,
        policy: &str,
        key: &str,
        stamp: Stamp,
        window: Duration,
    ) -> Option<()> {
        let mut call = RELEASE_SCRIPT.key(self.key(policy, key));
        let window_ms = u64::try_from(window.as_millis()).unwrap_or(u64::MAX).max(1);
        call.arg(stamp.at).arg(stamp.previous).arg(window_ms);
        let _: i64 = self
            .run(call.invoke_async(&mut self.connection.clone()))
            .await?;
        Some(())
    }

    /// Forgets `key`'s failures under `policy`.
    pub async fn forget(&self, policy: &str, key: &str) -> Option<()> {
        let mut del = redis::cmd("DEL");
        del.arg(self.key(policy, key));
        let _: i64 = self
            .run(del.query_async(&mut self.connection.clone()))
            .await?;
        Some(())
    }

    /// The key part that stands for an account: a hash, so no email address is ever a key name (keys show in
    /// `MONITOR`, `SCAN` and slow logs). Salted with the prefix, which every instance of a deployment shares.
    pub fn account_key(&self, account: &str) -> String {
        let digest = Sha256::new()
            .chain_update(self.prefix.as_bytes())
            .chain_update(account.as_bytes())
            .finalize();
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn key(&self, policy: &str, key: &str) -> String {
        format!("{}rl:{policy}:{key}", self.prefix)
    }

    /// Runs one Redis call within the timeout, unless the breaker says Redis is down.
    async fn run<T: FromRedisValue>(
        &self,
        call: impl Future<Output = RedisResult<T>>,
    ) -> Option<T> {
        if !self.breaker.admit() {
            return None;
        }
        match tokio::time::timeout(self.timeout, call).await {
            Ok(Ok(value)) => {
                self.breaker.succeeded();
                Some(value)
            }
            Ok(Err(error)) => {
                self.breaker.failed(&error.to_string());
                None
            }
            Err(_) => {
                self.breaker.failed("timed out");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests;
