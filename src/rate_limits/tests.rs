use std::net::Ipv4Addr;

use super::*;
use crate::config::Rate;

fn settings(login: &str) -> RateLimitSettings {
    RateLimitSettings {
        login_ip: Rate::parse(login).unwrap(),
        ..RateLimitSettings::default()
    }
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn a_budget_is_spent_per_address_and_route() {
    let limits = Local::with_max_keys(&settings("3/hour"), MAX_KEYS);
    let (a, b) = (ip("198.51.100.1"), ip("198.51.100.2"));
    for _ in 0..3 {
        assert_eq!(limits.check(Limit::Login, a), Ok(()));
    }
    let limited = limits.check(Limit::Login, a).unwrap_err();
    assert_eq!((limited.policy, limited.quota), ("login-ip", 3));
    assert_eq!(limited.window, Duration::from_secs(3600));
    // One more request every 20 minutes.
    let retry = limited.retry_after.as_secs();
    assert!((1_190..=1_200).contains(&retry), "{retry}");
    assert_eq!(limits.check(Limit::Login, b), Ok(()));
    assert_eq!(limits.check(Limit::Signup, a), Ok(()));
}

#[test]
fn an_ipv6_client_is_its_slash_64() {
    let limits = Local::with_max_keys(&settings("1/hour"), MAX_KEYS);
    assert_eq!(limits.check(Limit::Login, ip("2001:db8:1:2::1")), Ok(()));
    assert!(
        limits
            .check(Limit::Login, ip("2001:db8:1:2::ffff"))
            .is_err()
    );
    assert_eq!(limits.check(Limit::Login, ip("2001:db8:1:3::1")), Ok(()));
    // An IPv4-mapped address is the IPv4 address.
    assert_eq!(limits.check(Limit::Login, ip("192.0.2.1")), Ok(()));
    assert!(limits.check(Limit::Login, ip("::ffff:192.0.2.1")).is_err());
}

#[test]
fn off_limits_nothing() {
    let off = RateLimitSettings {
        enabled: false,
        ..settings("1/hour")
    };
    let limits = Local::with_max_keys(&off, MAX_KEYS);
    assert!(!limits.enabled());
    for _ in 0..100 {
        assert_eq!(limits.check(Limit::Login, ip("192.0.2.1")), Ok(()));
    }
}

#[test]
fn a_flood_of_distinct_addresses_keeps_the_key_count_bounded() {
    let max_keys = 4_096;
    let limits = Local::with_max_keys(&settings("5/hour"), max_keys);
    let guesser = ip("203.0.113.7");
    while limits.check(Limit::Login, guesser).is_ok() {}
    for n in 0..100_000u32 {
        let _ = limits.check(Limit::Login, IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n)));
    }
    let held = limits.keys(Limit::Login);
    assert!(held <= max_keys, "{held} keys held");
    assert!(held > max_keys / 2, "{held} keys held");
    // The one that kept asking was kept, and is still refused.
    assert!(limits.check(Limit::Login, guesser).is_err());
}

#[test]
fn a_sweep_drops_keys_whose_budget_refilled() {
    let limits = Local::with_max_keys(&settings("1000/sec"), MAX_KEYS);
    for n in 0..100u32 {
        let _ = limits.check(Limit::Login, IpAddr::V4(Ipv4Addr::from(n)));
    }
    assert_eq!(limits.keys(Limit::Login), 100);
    std::thread::sleep(Duration::from_millis(20));
    limits.retain_recent();
    assert_eq!(limits.keys(Limit::Login), 0);
}
