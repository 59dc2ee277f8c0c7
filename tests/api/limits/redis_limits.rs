//! Rate limits shared through Redis (`AUTHD_REDIS_URL`): two servers spend one budget, and Redis going away
//! mid-test leaves each server on its own counters (never a 5xx), until it comes back. Redis is shared with other
//! people: every test uses a prefix of its own and never flushes anything. Limits are checked before the
//! database, so these run on SQLite only.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{
    Backend, PASSWORD, TcpProxy, TestApp, assert_error, eventually, redis_url, spawn_app_with,
};

/// A prefix no other test (or person) uses.
fn unique_prefix() -> String {
    format!("authd-test:{}:", uuid::Uuid::new_v4().simple())
}

/// A server on `redis` under `prefix`, with `extra` settings, behind a trusted proxy so each test picks its client
/// addresses with `X-Forwarded-For`.
async fn instance(redis: &str, prefix: &str, extra: &[(&str, &str)]) -> TestApp {
    let mut vars = vec![
        ("AUTHD_REDIS_URL", redis),
        ("AUTHD_REDIS_PREFIX", prefix),
        ("AUTHD_TRUSTED_PROXIES", "127.0.0.1/32"),
    ];
    vars.extend_from_slice(extra);
    spawn_app_with(Backend::Sqlite, &vars).await
}

/// A login of `email` with a wrong password from client address `ip`; its status, after checking it is never a
/// 5xx and came within a second.
async fn login(app: &TestApp, ip: &str, email: &str) -> u16 {
    let started = Instant::now();
    let response = app
        .client
        .post(app.url("/v1/auth/login"))
        .header("x-forwarded-for", ip)
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let (status, elapsed) = (response.status().as_u16(), started.elapsed());
    assert!(status < 500, "a {status} for a login from {ip}");
    assert!(
        elapsed < Duration::from_secs(1),
        "answered after {elapsed:?}"
    );
    status
}

#[actix_web::test]
async fn two_instances_on_one_redis_share_the_login_budget_of_an_address() {
    let Some(redis) = redis_url().await else {
        return;
    };
    let prefix = unique_prefix();
    let budget = [("AUTHD_RATE_LIMIT_LOGIN_IP", "3/min")];
    let a = instance(&redis, &prefix, &budget).await;
    let b = instance(&redis, &prefix, &budget).await;
    let ip = "198.51.100.7";
    assert_eq!(login(&a, ip, "x@example.com").await, 401);
    assert_eq!(login(&a, ip, "x@example.com").await, 401);
    assert_eq!(login(&b, ip, "x@example.com").await, 401);
    for app in [&a, &b] {
        let response = app
            .client
            .post(app.url("/v1/auth/login"))
            .header("x-forwarded-for", ip)
            .json(&json!({"email": "x@example.com", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        let retry_after: u64 = response.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            (15..=20).contains(&retry_after),
            "one more every 20 s: {retry_after}"
        );
        assert_error(response, 429, "rate_limited").await;
    }
    // Another address, and another deployment (prefix) on the same Redis, have budgets of their own.
    assert_eq!(login(&b, "198.51.100.8", "x@example.com").await, 401);
    let other = instance(&redis, &unique_prefix(), &budget).await;
    assert_eq!(login(&other, ip, "x@example.com").await, 401);
}

#[actix_web::test]
async fn the_failed_login_delay_of_an_address_and_account_is_shared() {
    let Some(redis) = redis_url().await else {
        return;
    };
    let prefix = unique_prefix();
    let free = [("AUTHD_RATE_LIMIT_LOGIN_IP_ACCOUNT", "2/hour")];
    let a = instance(&redis, &prefix, &free).await;
    let b = instance(&redis, &prefix, &free).await;
    let ip = "198.51.100.9";
    assert_eq!(login(&a, ip, "victim@example.com").await, 401);
    assert_eq!(login(&b, ip, "victim@example.com").await, 401);
    // Two free failures, one on each: now both make this pair wait.
    for app in [&b, &a] {
        assert_eq!(login(app, ip, "victim@example.com").await, 429);
    }
    // Neither another account from that address nor the account from elsewhere waits.
    assert_eq!(login(&a, ip, "other@example.com").await, 401);
    assert_eq!(login(&b, "203.0.113.4", "victim@example.com").await, 401);
    // No email address in any key name.
    let client = redis::Client::open(redis.as_str()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut connection)
        .await
        .unwrap();
    assert!(
        keys.iter()
            .any(|k| k.contains("rl:login-ip-account:198.51.100.9:")),
        "{keys:?}"
    );
    assert!(keys.iter().all(|k| !k.contains('@')), "{keys:?}");
}

#[actix_web::test]
async fn with_redis_cut_mid_test_each_instance_limits_on_its_own_then_shares_again() {
    let Some(redis) = redis_url().await else {
        return;
    };
    let proxy = TcpProxy::for_url(&redis).await;
    let through_proxy = proxy.route(&redis);
    let prefix = unique_prefix();
    let budget = [("AUTHD_RATE_LIMIT_LOGIN_IP", "1/min")];
    let with_metrics = [budget[0], ("AUTHD_METRICS_BIND", "127.0.0.1:0")];
    let a = instance(&through_proxy, &prefix, &with_metrics).await;
    let b = instance(&through_proxy, &prefix, &budget).await;
    assert_eq!(login(&a, "198.51.100.1", "x@example.com").await, 401);
    assert_eq!(
        login(&b, "198.51.100.1", "x@example.com").await,
        429,
        "shared"
    );

    proxy.cut();
    // Each instance answers at once from its own counters: the budget is no longer shared, but still enforced.
    assert_eq!(login(&a, "198.51.100.2", "x@example.com").await, 401);
    assert_eq!(
        login(&b, "198.51.100.2", "x@example.com").await,
        401,
        "local"
    );
    assert_eq!(login(&a, "198.51.100.2", "x@example.com").await, 429);
    assert_eq!(login(&b, "198.51.100.2", "x@example.com").await, 429);
    for _ in 0..5 {
        let status = login(&a, "198.51.100.3", "y@example.com").await;
        assert!([401, 429].contains(&status), "{status}");
    }
    let metrics = a
        .client
        .get(a.metrics_url("/metrics"))
        .send()
        .await
        .unwrap();
    let text = metrics.text().await.unwrap();
    let errors = text
        .lines()
        .find_map(|line| line.strip_prefix("authd_rate_limit_backend_errors_total "))
        .map(|value| value.parse::<f64>().unwrap());
    assert!(errors.is_some_and(|n| n >= 1.0), "{errors:?}");

    proxy.restore();
    let mut fresh = 10..;
    eventually("a budget spent on A is spent on B again", || {
        let ip = format!("198.51.100.{}", fresh.next().unwrap());
        let (a, b) = (&a, &b);
        async move {
            assert_eq!(login(a, &ip, "x@example.com").await, 401);
            login(b, &ip, "x@example.com").await == 429
        }
    })
    .await;
}
