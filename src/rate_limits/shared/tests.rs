//! The Lua scripts against the Redis of `AUTHD_TEST_REDIS_URL` (skipped when unset, except in CI), each test
//! under a prefix of its own: the server is shared.

use std::time::Instant;

use governor::RateLimiter;
use governor::clock::{Clock, MonotonicClock};

use super::*;
use crate::config::RedisUrl;
use crate::rate_limits::limit::quota;

fn shared() -> Option<Shared> {
    let url = match std::env::var("AUTHD_TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => url,
        _ if std::env::var_os("CI").is_some() => panic!("AUTHD_TEST_REDIS_URL must be set in CI"),
        _ => {
            eprintln!("skipped: AUTHD_TEST_REDIS_URL is not set");
            return None;
        }
    };
    let settings = RedisSettings {
        url: RedisUrl::for_tests(&url),
        prefix: format!("authd-test:{}:", uuid::Uuid::new_v4().simple()),
        timeout: Duration::from_secs(2),
    };
    Some(Shared::new(&settings).unwrap())
}

fn rate(raw: &str) -> Rate {
    Rate::parse(raw).unwrap()
}

#[tokio::test]
async fn the_lua_gcra_decides_as_governor_does() {
    let Some(redis) = shared() else { return };
    let rate = rate("3/min");
    let governor = RateLimiter::keyed(quota(rate));
    let mut remaining = vec![];
    for n in 0..5 {
        let ours = redis
            .gcra("login-ip", "192.0.2.1", rate)
            .await
            .expect("Redis answers");
        let theirs = governor.check_key(&"192.0.2.1");
        match (ours, theirs) {
            (Gcra::Allowed { remaining: left }, Ok(())) => remaining.push(left),
            (Gcra::Denied { retry_after }, Err(not_until)) => {
                let expected = not_until.wait_time_from(MonotonicClock.now());
                let gap = retry_after.abs_diff(expected);
                assert!(
                    gap < Duration::from_millis(500),
                    "{retry_after:?} vs {expected:?}"
                );
                assert!(retry_after > Duration::from_secs(19), "one every 20 s");
            }
            other => panic!("request {n}: Redis and governor disagree: {other:?}"),
        }
    }
    assert_eq!(remaining, [2, 1, 0]);
    // Another key has its own budget.
    let other = redis.gcra("login-ip", "192.0.2.2", rate).await;
    assert_eq!(other, Some(Gcra::Allowed { remaining: 2 }));
}

#[tokio::test]
async fn a_spent_budget_refills_one_request_per_period_and_its_key_expires() {
    let Some(redis) = shared() else { return };
    let rate = rate("5/sec");
    let started = Instant::now();
    let mut allowed = 0;
    while let Some(Gcra::Allowed { .. }) = redis.gcra("p", "k", rate).await {
        allowed += 1;
    }
    assert!(
        started.elapsed() < Duration::from_millis(150),
        "too slow to test"
    );
    assert_eq!(allowed, 5);
    tokio::time::sleep(Duration::from_millis(210)).await;
    assert!(matches!(
        redis.gcra("p", "k", rate).await,
        Some(Gcra::Allowed { .. })
    ));
    assert!(matches!(
        redis.gcra("p", "k", rate).await,
        Some(Gcra::Denied { .. })
    ));
    let mut connection = redis.connection.clone();
    let ttl: i64 = redis::cmd("PTTL")
        .arg(redis.key("p", "k"))
        .query_async(&mut connection)
        .await
        .unwrap();
    assert!(
        (1..=1_000).contains(&ttl),
        "expires when full again: {ttl} ms"
    );
}

fn reserved(reply: Option<Result<Stamp, Duration>>) -> Stamp {
    match reply {
        Some(Ok(stamp)) => stamp,
        other => panic!("not reserved: {other:?}"),
    }
}

#[tokio::test]
async fn reservations_check_and_count_in_one_step() {
    let Some(redis) = shared() else { return };
    let ceiling = rate("3/min");
    let mut stamps = vec![];
    for _ in 0..3 {
        stamps.push(reserved(
            redis.reserve(Rule::Ceiling, "c", "acct", ceiling).await,
        ));
    }
    let Some(Err(wait)) = redis.reserve(Rule::Ceiling, "c", "acct", ceiling).await else {
        panic!("the fourth is refused");
    };
    assert!(wait > Duration::from_secs(59), "{wait:?}");
    // A released reservation (a success) makes room for exactly one more.
    let window = ceiling.window;
    redis.release("c", "acct", stamps[2], window).await.unwrap();
    reserved(redis.reserve(Rule::Ceiling, "c", "acct", ceiling).await);
    assert!(matches!(
        redis.reserve(Rule::Ceiling, "c", "acct", ceiling).await,
        Some(Err(_))
    ));
    // The backoff: two free, then the third waits a second after the last.
    let backoff = rate("2/min");
    for _ in 0..2 {
        reserved(redis.reserve(Rule::Backoff, "b", "pair", backoff).await);
    }
    let Some(Err(wait)) = redis.reserve(Rule::Backoff, "b", "pair", backoff).await else {
        panic!("the third waits");
    };
    assert!(wait <= Duration::from_secs(1), "{wait:?}");
    redis.forget("b", "pair").await.unwrap();
    reserved(redis.reserve(Rule::Backoff, "b", "pair", backoff).await);
    // A short window: gone once it has passed since the last reservation.
    let brief = Rate::parse("1/sec").unwrap();
    reserved(redis.reserve(Rule::Ceiling, "c", "brief", brief).await);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    reserved(redis.reserve(Rule::Ceiling, "c", "brief", brief).await);
}

/// A success gives its reservation back and leaves the earlier failures to expire when they would have: an
/// owner's regular logins never keep them alive.
#[tokio::test]
async fn a_release_restores_the_last_failure_and_its_expiry() {
    let Some(redis) = shared() else { return };
    let ceiling = rate("5/min");
    let mut connection = redis.connection.clone();
    let mut ttl = async |key: &str| -> i64 {
        redis::cmd("PTTL")
            .arg(redis.key("c", key))
            .query_async(&mut connection)
            .await
            .unwrap()
    };
    // Alone, a released reservation leaves nothing behind.
    let stamp = reserved(redis.reserve(Rule::Ceiling, "c", "alone", ceiling).await);
    redis
        .release("c", "alone", stamp, ceiling.window)
        .await
        .unwrap();
    assert_eq!(ttl("alone").await, -2, "the key is gone");
    // After a failure, a later success restores the failure's expiry, not its own.
    reserved(redis.reserve(Rule::Ceiling, "c", "owner", ceiling).await);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let stamp = reserved(redis.reserve(Rule::Ceiling, "c", "owner", ceiling).await);
    redis
        .release("c", "owner", stamp, ceiling.window)
        .await
        .unwrap();
    let left = ttl("owner").await;
    assert!(
        (1..=58_600).contains(&left),
        "expires a window after the failure: {left} ms"
    );
}

#[tokio::test]
async fn an_unreachable_redis_answers_none_within_the_timeout() {
    // A port nothing listens on (bound, then dropped).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let settings = RedisSettings {
        url: RedisUrl::for_tests(&format!("redis://127.0.0.1:{port}")),
        prefix: "authd-test:".into(),
        timeout: Duration::from_millis(100),
    };
    let redis = Shared::new(&settings).unwrap();
    let started = Instant::now();
    assert_eq!(redis.gcra("p", "k", rate("1/min")).await, None);
    // The breaker is open now: no second wait.
    let stamp = Stamp { at: 1, previous: 0 };
    assert_eq!(
        redis.release("p", "k", stamp, Duration::from_secs(1)).await,
        None
    );
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn account_keys_are_hashes_salted_with_the_prefix() {
    let settings = |prefix: &str| RedisSettings {
        url: RedisUrl::for_tests("redis://127.0.0.1:1"),
        prefix: prefix.into(),
        timeout: Duration::from_millis(100),
    };
    let a = Shared::new(&settings("authd:")).unwrap();
    let b = Shared::new(&settings("tenant-b:")).unwrap();
    let key = a.account_key("a@example.com");
    assert_eq!(key.len(), 64);
    assert!(key.bytes().all(|c| c.is_ascii_hexdigit()), "{key}");
    assert_eq!(key, a.account_key("a@example.com"));
    assert_ne!(key, b.account_key("a@example.com"));
}
