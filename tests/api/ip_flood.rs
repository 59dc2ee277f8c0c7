//! 100,000 logins, each from its own address (through a trusted proxy): the per-address limiter state stays
//! bounded (peak RSS of the real binary), and an address that spent its budget is still refused afterwards.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::time::Instant;

use futures::StreamExt;
use serde_json::json;

use crate::helpers::{AuthdProcess, PASSWORD, authd};

const ADDRESSES: u32 = 100_000;
const IN_FLIGHT: usize = 32;
const GUESSER: &str = "203.0.113.7";

/// A login with a wrong password for the unknown account `n`, as if from `xff`.
async fn login_from(server: &AuthdProcess, xff: &str, n: u32) -> u16 {
    let body = json!({"email": format!("nobody{n}@example.com"), "password": PASSWORD});
    let request = server.client.post(server.url("/v1/auth/login"));
    let response = request.header("x-forwarded-for", xff).json(&body).send();
    response.await.unwrap().status().as_u16()
}

/// A field of `/proc/<pid>/status` in KiB (`VmRSS`, `VmHWM`).
fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[actix_web::test]
async fn a_flood_from_100k_addresses_keeps_memory_bounded_and_limits_working() {
    let server = authd([
        ("AUTHD_TRUSTED_PROXIES", "127.0.0.1/32"),
        // The limiter's memory is what is measured, not argon2's (19 MiB per hashing thread by default).
        ("AUTHD_ARGON2_MEMORY_KIB", "64"),
        ("AUTHD_ARGON2_ITERATIONS", "1"),
        ("AUTHD_WORKERS", "2"),
    ])
    .serve()
    .await;
    let pid = server.pid();
    // The guesser spends its login budget (20 a minute) on as many accounts (on one account alone the
    // per-account backoff would answer first) and is refused.
    let mut guesser = BTreeMap::new();
    for n in 0..21 {
        let status = login_from(&server, GUESSER, n).await;
        *guesser.entry(status).or_insert(0) += 1;
    }
    assert_eq!(guesser, BTreeMap::from([(401, 20), (429, 1)]));
    let before_kib = status_kib(pid, "VmRSS:");

    let started = Instant::now();
    let addresses = (0..ADDRESSES).map(|n| (Ipv4Addr::from(0x0a00_0000 + n).to_string(), n));
    let mut statuses = BTreeMap::new();
    let mut answers = futures::stream::iter(addresses)
        .map(|(xff, n)| {
            let server = &server;
            async move { login_from(server, &xff, n).await }
        })
        .buffer_unordered(IN_FLIGHT);
    while let Some(status) = answers.next().await {
        *statuses.entry(status).or_insert(0u32) += 1;
    }
    let peak_kib = status_kib(pid, "VmHWM:");
    eprintln!(
        "{ADDRESSES} addresses in {:?}: RSS before {before_kib} KiB, peak {peak_kib} KiB; {statuses:?}",
        started.elapsed()
    );
    // Every address was new, so each got its full budget: a wrong password, never a 429 or a 5xx.
    assert_eq!(statuses, BTreeMap::from([(401, ADDRESSES)]));
    assert_eq!(
        login_from(&server, GUESSER, 0).await,
        429,
        "the guesser was forgotten"
    );
    assert_eq!(login_from(&server, "198.51.100.1", 0).await, 401);
    assert!(peak_kib < 1, "peak RSS {peak_kib} KiB");
}
