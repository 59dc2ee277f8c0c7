//! At most one `rate_limited` event per (policy, client network) per window: a flood of refused requests is one
//! line of the trail a minute, not one write per request.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Keys remembered at most; past that the stale ones go, and if none is stale, all of them.
pub const MAX_KEYS: usize = 16_384;

/// A bounded memory of which (policy, address) pairs were recorded lately.
pub struct RecentlyRecorded {
    window: Duration,
    max_keys: usize,
    seen: Mutex<HashMap<(&'static str, IpAddr), Instant>>,
}

impl RecentlyRecorded {
    pub fn new(window: Duration, max_keys: usize) -> Self {
        Self {
            window,
            max_keys,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// True when nothing was recorded for this pair within the window (and remembers `now` for it).
    pub fn first_in_window(&self, policy: &'static str, ip: IpAddr, now: Instant) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let key = (policy, network(ip));
        if seen
            .get(&key)
            .is_some_and(|at| now.duration_since(*at) < self.window)
        {
            return false;
        }
        if seen.len() >= self.max_keys && !seen.contains_key(&key) {
            seen.retain(|_, at| now.duration_since(*at) < self.window);
            // Every key is fresh: forgetting them costs a few extra events, which the writer's bounded queue
            // absorbs; keeping them would let a spread-out flood grow the map without end.
            if seen.len() >= self.max_keys {
                seen.clear();
            }
        }
        seen.insert(key, now);
        true
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.seen.lock().map_or(0, |seen| seen.len())
    }
}

/// An IPv6 client is its /64, as the rate limits count it: one host usually holds a whole /64.
fn network(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_event_per_pair_per_window_and_the_memory_stays_bounded() {
        let recent = RecentlyRecorded::new(Duration::from_secs(60), 3);
        let start = Instant::now();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert!(recent.first_in_window("login-ip", ip, start));
        assert!(!recent.first_in_window("login-ip", ip, start + Duration::from_secs(59)));
        assert!(recent.first_in_window("signup-ip", ip, start));
        assert!(recent.first_in_window("login-ip", ip, start + Duration::from_secs(60)));
        let same_64: IpAddr = "2001:db8::1".parse().unwrap();
        assert!(recent.first_in_window("login-ip", same_64, start));
        let other_host: IpAddr = "2001:db8::2".parse().unwrap();
        assert!(!recent.first_in_window("login-ip", other_host, start));
        for n in 0..100u8 {
            let ip = IpAddr::from([198, 51, 100, n]);
            assert!(recent.first_in_window("login-ip", ip, start));
            assert!(recent.len() <= 3);
        }
    }
}
