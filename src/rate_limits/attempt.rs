//! One attempt at a secret (a password, a second-factor code) against every failure counter that applies to it.
//! The guard reserves the attempt in each counter before the secret is checked, in one atomic step per counter
//! (one lock in memory, one Lua script in Redis), so 40 parallel guesses against a ceiling of 10 cannot all pass
//! a check before any is counted. Then it settles: a success gives back what a success forgives (the ceilings'
//! reservations, the (address, account) pair's failures); a failure keeps them. An attempt dropped unsettled (the
//! client went away, an error) stays counted as a failure: there is no way to use one half-way.

use std::net::IpAddr;
use std::time::Instant;

use super::shared::{Rule, Stamp};
use super::{Ceiling, Limited, RateLimits, failures, pair_key};

/// A counter an attempt spends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter<'a> {
    /// The growing delay after failures of one (client address, account) pair.
    Pair(IpAddr, &'a str),
    /// A failure ceiling shared by every client.
    Ceiling(Ceiling<'a>),
}

/// Where a reservation was counted: in Redis, or in this instance (no Redis, or it did not answer in time). It is
/// given back where it was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Store {
    Shared(Stamp),
    Local,
}

/// A reserved attempt; see the module. Settle it with `succeeded`; dropping it counts a failure.
#[must_use = "an attempt dropped unsettled counts as a failure"]
pub struct Attempt<'a> {
    limits: &'a RateLimits,
    held: Vec<(Counter<'a>, Store)>,
}

impl RateLimits {
    /// Reserves one attempt in each of `counters`, in order; the first that refuses gives the others back and
    /// is the answer.
    pub async fn attempt<'a>(&'a self, counters: &[Counter<'a>]) -> Result<Attempt<'a>, Limited> {
        let mut attempt = Attempt {
            limits: self,
            held: Vec::with_capacity(counters.len()),
        };
        for &counter in counters {
            match self.reserve(counter).await {
                Ok(Some(store)) => attempt.held.push((counter, store)),
                Ok(None) => {}
                Err(limited) => {
                    attempt.release().await;
                    return Err(limited);
                }
            }
        }
        Ok(attempt)
    }

    /// `None` when the counter is off (limits disabled).
    async fn reserve(&self, counter: Counter<'_>) -> Result<Option<Store>, Limited> {
        let (rule, policy, rate, key) = match counter {
            Counter::Pair(ip, account) => {
                let Some(local) = self.local.login_failures() else {
                    return Ok(None);
                };
                let key = self.shared.as_ref().map(|s| pair_key(s, ip, account));
                (Rule::Backoff, failures::POLICY, local.rate(), key)
            }
            Counter::Ceiling(ceiling) => {
                let Some(ceilings) = &self.ceilings else {
                    return Ok(None);
                };
                let (policy, rate, key) = ceilings.describe(ceiling);
                let key = self.shared.as_ref().map(|s| s.account_key(key));
                (Rule::Ceiling, policy, rate, key)
            }
        };
        if let (Some(shared), Some(key)) = (&self.shared, key)
            && let Some(reply) = shared.reserve(rule, policy, &key, rate).await
        {
            return match reply {
                Ok(stamp) => Ok(Some(Store::Shared(stamp))),
                Err(retry_after) => Err(Limited::new(policy, rate, retry_after)),
            };
        }
        self.reserve_locally(counter).map(|()| Some(Store::Local))
    }

    fn reserve_locally(&self, counter: Counter<'_>) -> Result<(), Limited> {
        let now = Instant::now();
        match (counter, self.local.login_failures(), &self.ceilings) {
            (Counter::Pair(ip, account), Some(local), _) => local.reserve(ip, account, now),
            (Counter::Ceiling(ceiling), _, Some(ceilings)) => ceilings.reserve(ceiling, now),
            _ => Ok(()),
        }
    }

    /// Gives one reservation back where it was taken.
    async fn release(&self, counter: Counter<'_>, store: Store) {
        match (counter, store, &self.shared) {
            (Counter::Pair(ip, account), Store::Shared(stamp), Some(shared)) => {
                if let Some(local) = self.local.login_failures() {
                    let key = pair_key(shared, ip, account);
                    let window = local.rate().window;
                    let _ = shared.release(failures::POLICY, &key, stamp, window).await;
                }
            }
            (Counter::Ceiling(ceiling), Store::Shared(stamp), Some(shared)) => {
                if let Some(ceilings) = &self.ceilings {
                    let (policy, rate, key) = ceilings.describe(ceiling);
                    let key = shared.account_key(key);
                    let _ = shared.release(policy, &key, stamp, rate.window).await;
                }
            }
            (Counter::Pair(ip, account), ..) => {
                if let Some(local) = self.local.login_failures() {
                    local.release(ip, account);
                }
            }
            (Counter::Ceiling(ceiling), ..) => {
                if let Some(ceilings) = &self.ceilings {
                    ceilings.release(ceiling, Instant::now());
                }
            }
        }
    }

    /// Forgets the pair's failures: the client knows the secret.
    async fn forget_pair(&self, ip: IpAddr, account: &str) {
        let Some(local) = self.local.login_failures() else {
            return;
        };
        // Both: failures counted here during an outage must not outlive the success either.
        local.succeeded(ip, account);
        if let Some(shared) = &self.shared {
            let _ = shared
                .forget(failures::POLICY, &pair_key(shared, ip, account))
                .await;
        }
    }
}

impl Attempt<'_> {
    /// The secret was right: the ceilings get their reservation back (a success is no failure, but it never
    /// forgives earlier failures, or the owner's login would hand a guesser a fresh budget), and the pair is
    /// forgotten.
    pub async fn succeeded(mut self) {
        for (counter, store) in std::mem::take(&mut self.held) {
            match counter {
                Counter::Pair(ip, account) => self.limits.forget_pair(ip, account).await,
                Counter::Ceiling(_) => self.limits.release(counter, store).await,
            }
        }
    }

    /// The secret was wrong: every reservation stays, as a failure. (Dropping the attempt does the same; this
    /// says so where it happens.)
    pub fn failed(self) {}

    /// The attempt was refused before the secret was tried: nothing is counted.
    async fn release(mut self) {
        for (counter, store) in std::mem::take(&mut self.held) {
            self.limits.release(counter, store).await;
        }
    }
}
