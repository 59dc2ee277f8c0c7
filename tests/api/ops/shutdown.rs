//! Stopping the binary: SIGTERM drains in-flight requests and exits 0; SIGKILL in a refresh storm leaves every
//! session at its old or its new generation.

use std::time::{Duration, Instant};

use authd::routes::TokenResponse;
use futures::future::join_all;
use serde_json::json;

use crate::helpers::{Backend, PASSWORD, authd, spawn_app_with};

const LOGINS: usize = 30;

#[actix_web::test]
async fn sigterm_under_load_finishes_every_in_flight_request_and_exits_0() {
    drains_in_flight_logins_on(libc::SIGTERM).await;
}

/// Ctrl-C too: actix alone would make it a forced stop that drops the queued logins.
#[actix_web::test]
async fn ctrl_c_under_load_finishes_every_in_flight_request_and_exits_0() {
    drains_in_flight_logins_on(libc::SIGINT).await;
}

async fn drains_in_flight_logins_on(signal: i32) {
    // Real argon2 cost on one hashing thread: 30 logins take well over a second, so most are queued at SIGTERM.
    let mut server = authd([
        ("AUTHD_WORKERS", "2"),
        ("AUTHD_MAX_CONCURRENT_HASHES", "1"),
        ("AUTHD_MAX_QUEUED_HASHES", "64"),
        ("AUTHD_RATE_LIMITS", "off"),
        ("AUTHD_SHUTDOWN_TIMEOUT", "30s"),
    ])
    .serve()
    .await;
    assert_eq!(
        server.signup("drain@example.com", PASSWORD).await.status(),
        201
    );
    let client = reqwest::Client::new();
    let body = json!({"email": "drain@example.com", "password": PASSWORD});
    let logins = (0..LOGINS).map(|_| {
        let request = client.post(server.url("/v1/auth/login")).json(&body);
        async move {
            let result = request.send().await;
            (result.map(|r| r.status()), Instant::now())
        }
    });
    let terminate = async {
        tokio::time::sleep(Duration::from_millis(400)).await;
        server.signal(signal);
        Instant::now()
    };
    let (results, terminated) = futures::join!(join_all(logins), terminate);
    drop(client);
    let mut after_sigterm = 0;
    for (result, finished) in results {
        let status = result.expect("no in-flight request fails with a connection error");
        assert_eq!(status, 200);
        after_sigterm += usize::from(finished > terminated);
    }
    assert!(
        after_sigterm > 0,
        "every login finished before signal {signal}: the test drained nothing"
    );
    let code = server.exit_within(Duration::from_secs(20)).await;
    assert_eq!(
        code,
        Some(0),
        "authd exits 0 within 20 s of signal {signal}"
    );
}

const SESSIONS: usize = 16;

/// Refreshes `token` in a loop until the server goes away; returns the last token a 200 carried, whether a
/// request was in flight (sent, no answer) when it went, and how many rotations were answered.
async fn refresh_until_gone(
    http: &reqwest::Client,
    url: String,
    mut token: String,
) -> (String, bool, usize) {
    let mut answered = 0;
    loop {
        let sent = http
            .post(&url)
            .json(&json!({"refresh_token": token}))
            .send()
            .await;
        let Ok(response) = sent else {
            return (token, true, answered);
        };
        assert_eq!(response.status(), 200, "a refresh failed before the kill");
        match response.json::<TokenResponse>().await {
            Ok(next) => (token, answered) = (next.refresh_token, answered + 1),
            // The answer was cut off mid-body: the rotation may or may not have committed.
            Err(_) => return (token, true, answered),
        }
    }
}

async fn sigkill_during_concurrent_refreshes_leaves_every_session_consistent(backend: Backend) {
    // The in-process server creates the database and the keys; the binary runs on the same ones.
    let app = spawn_app_with(backend, &[("AUTHD_RATE_LIMITS", "off")]).await;
    let mut first = Vec::new();
    for n in 0..SESSIONS {
        first.push(
            app.signed_up(&format!("storm{n}@example.com"))
                .await
                .refresh_token,
        );
    }
    let storm = authd(&app.vars).serve().await;
    let client = reqwest::Client::new();
    let url = storm.url("/v1/auth/refresh");
    let refreshes = first
        .into_iter()
        .map(|token| refresh_until_gone(&client, url.clone(), token));
    let kill = async {
        tokio::time::sleep(Duration::from_millis(700)).await;
        storm.signal(libc::SIGKILL);
    };
    let (last, ()) = futures::join!(join_all(refreshes), kill);
    drop(storm);

    // Restarted on the same database: each session is at the generation of its last answered token (which
    // rotates once more), or one past it because the lost answer's rotation committed (that token is then a
    // reuse). Nothing else: no 5xx, no half-written row that refuses both.
    let answered: usize = last.iter().map(|(_, _, n)| n).sum();
    assert!(
        answered >= SESSIONS,
        "the storm barely ran: {answered} rotations"
    );
    let restarted = authd(&app.vars).serve().await;
    for (token, in_flight, _) in last {
        let response = restarted.refresh(&token).await;
        let status = response.status();
        if status == 200 {
            continue;
        }
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(status, 401, "{body}");
        assert!(in_flight, "refused with no request in flight: {body}");
        assert_eq!(body["reason"], "reuse_detected", "{body}");
    }
}

backend_tests!(sigkill_during_concurrent_refreshes_leaves_every_session_consistent);
