//! Parallel guesses against every failure ceiling: 40 requests released at once by a barrier, real argon2 cost,
//! each from its own forwarded address (so neither the per-IP budget nor the (IP, account) delay holds them):
//! no more reach the secret than the ceiling allows, in memory and with Redis.

use std::sync::Arc;

use futures::future::join_all;
use serde_json::{Value, json};
use tokio::sync::Barrier;

use crate::helpers::{Backend, PASSWORD, TestApp, redis_url, spawn_app_with};

const OWNER: &str = "owner@example.com";
const PARALLEL: usize = 40;

/// A server with real argon2 cost and the ceilings under test, on Redis when `redis` is given.
pub async fn spawn(backend: Backend, redis: Option<&str>, extra: &[(&str, &str)]) -> TestApp {
    let prefix = format!("authd-test:{}:", uuid::Uuid::new_v4().simple());
    let mut vars = vec![
        ("AUTHD_TRUSTED_PROXIES", "127.0.0.1/32"),
        ("AUTHD_ARGON2_MEMORY_KIB", "19456"),
        ("AUTHD_ARGON2_ITERATIONS", "2"),
        ("AUTHD_RATE_LIMIT_LOGIN_IP", "1000/min"),
        ("AUTHD_RATE_LIMIT_MFA_IP", "1000/min"),
        ("AUTHD_RATE_LIMIT_LOGIN_ACCOUNT", "10/hour"),
        ("AUTHD_RATE_LIMIT_LOGIN_DEVICE", "3/hour"),
    ];
    if let Some(redis) = redis {
        // A busy test machine must not push a reservation past the timeout onto this instance's own counters.
        vars.extend([
            ("AUTHD_REDIS_URL", redis),
            ("AUTHD_REDIS_PREFIX", &prefix),
            ("AUTHD_REDIS_TIMEOUT", "5s"),
        ]);
    }
    vars.extend_from_slice(extra);
    spawn_app_with(backend, &vars).await
}

/// Sends `bodies` to `path` all at once (each from its own address) and returns the statuses and error codes.
pub async fn at_once(app: &TestApp, path: &str, bodies: Vec<Value>) -> Vec<(u16, String)> {
    at_once_as(app, None, path, bodies).await
}

/// `at_once`, with `bearer` as the access token when given.
async fn at_once_as(
    app: &TestApp,
    bearer: Option<&str>,
    path: &str,
    bodies: Vec<Value>,
) -> Vec<(u16, String)> {
    let barrier = Arc::new(Barrier::new(bodies.len()));
    let requests = bodies.into_iter().enumerate().map(|(n, body)| {
        let barrier = barrier.clone();
        let from = format!("198.51.{}.{}", n / 250, n % 250 + 1);
        let mut request = app
            .client
            .post(app.url(path))
            .header("x-forwarded-for", from);
        if let Some(bearer) = bearer {
            request = request.bearer_auth(bearer);
        }
        let request = request.json(&body);
        async move {
            barrier.wait().await;
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            (status, body["error"].as_str().unwrap_or("").to_owned())
        }
    });
    join_all(requests).await
}

/// How many answers were `(status, code)`, after checking every answer is one of `allowed`.
pub fn count(answers: &[(u16, String)], status: u16, allowed: &[(u16, &str)]) -> usize {
    for (s, code) in answers {
        assert!(
            allowed.iter().any(|(a, c)| a == s && c == code),
            "unexpected {s} {code}: {answers:?}"
        );
    }
    answers.iter().filter(|(s, _)| *s == status).count()
}

const CHECKED_OR_LIMITED: &[(u16, &str)] = &[(401, "invalid_credentials"), (429, "rate_limited")];

async fn wrong_passwords_at_once(app: &TestApp, device: Option<&str>) -> usize {
    let body = json!({"email": OWNER, "password": "wrong password!", "device_token": device});
    let answers = at_once(app, "/v1/auth/login", vec![body; PARALLEL]).await;
    count(&answers, 401, CHECKED_OR_LIMITED)
}

async fn parallel_wrong_passwords_reach_argon2_at_most_the_ceiling(app: &TestApp) {
    app.signed_up(OWNER).await;
    let checked = wrong_passwords_at_once(app, None).await;
    assert_eq!(checked, 10, "the ceiling is 10: {checked} were checked");
    // Spent: the right password waits too (no device token).
    assert_eq!(app.login(OWNER, PASSWORD).await.status(), 429);
}

async fn parallel_wrong_passwords_with_a_device_token_reach_its_ceiling(app: &TestApp) {
    app.signed_up(OWNER).await;
    let device = app
        .logged_in(OWNER)
        .await
        .device_token
        .expect("a device token");
    let checked = wrong_passwords_at_once(app, Some(&device)).await;
    assert_eq!(
        checked, 3,
        "the device ceiling is 3: {checked} were checked"
    );
    // The account's own ceiling was not touched by the device's guesses.
    assert_eq!(app.login(OWNER, PASSWORD).await.status(), 200);
}

async fn the_password_ceiling_holds_against_parallel_guesses(backend: Backend) {
    let app = spawn(backend, None, &[]).await;
    parallel_wrong_passwords_reach_argon2_at_most_the_ceiling(&app).await;
}

async fn the_device_ceiling_holds_against_parallel_guesses(backend: Backend) {
    let app = spawn(backend, None, &[]).await;
    parallel_wrong_passwords_with_a_device_token_reach_its_ceiling(&app).await;
}

/// Twenty device tokens collected from the owner's logins, then two wrong passwords with each, all at once: only
/// `AUTHD_DEVICE_TOKENS_PER_ACCOUNT` (5) of them bring their own budget (3 each); the rest spend the account's
/// ceiling (10). At most 5 × 3 + 10 = 25 are checked, not 40.
async fn collected_device_tokens_bring_at_most_the_cap_of_budgets(app: &TestApp) {
    app.signed_up(OWNER).await;
    let mut devices = vec![];
    for _ in 0..20 {
        devices.push(
            app.logged_in(OWNER)
                .await
                .device_token
                .expect("a device token"),
        );
    }
    let bodies = devices
        .iter()
        .chain(devices.iter())
        .map(
            |device| json!({"email": OWNER, "password": "wrong password!", "device_token": device}),
        )
        .collect();
    let answers = at_once(app, "/v1/auth/login", bodies).await;
    let checked = count(&answers, 401, CHECKED_OR_LIMITED);
    assert!(checked <= 5 * 3 + 10, "{checked} were checked");
    assert!(
        checked >= 10,
        "the honoured tokens and the account were all spent: {checked}"
    );
}

async fn the_device_token_cap_holds_against_parallel_guesses(backend: Backend) {
    let cap = [("AUTHD_DEVICE_TOKENS_PER_ACCOUNT", "5/hour")];
    let app = spawn(backend, None, &cap).await;
    collected_device_tokens_bring_at_most_the_cap_of_budgets(&app).await;
}

/// 40 wrong current passwords at once on `/v1/me/password`: the account's ceiling (10) holds there too.
async fn parallel_wrong_current_passwords_reach_at_most_the_ceiling(backend: Backend) {
    let limits = [("AUTHD_RATE_LIMIT_PASSWORD_IP", "1000/min")];
    let app = spawn(backend, None, &limits).await;
    let access = app.signed_up(OWNER).await.access_token;
    let body = json!({"current_password": "wrong password!", "new_password": "a new password 123"});
    let answers = at_once_as(&app, Some(&access), "/v1/me/password", vec![body; PARALLEL]).await;
    let allowed = [(403, "invalid_credentials"), (429, "rate_limited")];
    assert_eq!(count(&answers, 403, &allowed), 10, "{answers:?}");
}

backend_tests!(
    parallel_wrong_current_passwords_reach_at_most_the_ceiling,
    the_device_token_cap_holds_against_parallel_guesses,
    the_password_ceiling_holds_against_parallel_guesses,
    the_device_ceiling_holds_against_parallel_guesses,
);

/// The same ceilings counted in Redis (one Lua script per reservation).
mod redis {
    use super::*;

    #[actix_web::test]
    async fn the_password_ceiling_holds_in_redis() {
        let Some(redis) = redis_url().await else {
            return;
        };
        let app = spawn(Backend::Sqlite, Some(&redis), &[]).await;
        parallel_wrong_passwords_reach_argon2_at_most_the_ceiling(&app).await;
    }

    #[actix_web::test]
    async fn the_device_ceiling_holds_in_redis() {
        let Some(redis) = redis_url().await else {
            return;
        };
        let app = spawn(Backend::Sqlite, Some(&redis), &[]).await;
        parallel_wrong_passwords_with_a_device_token_reach_its_ceiling(&app).await;
    }

    #[actix_web::test]
    async fn the_device_token_cap_holds_in_redis() {
        let Some(redis) = redis_url().await else {
            return;
        };
        let cap = [("AUTHD_DEVICE_TOKENS_PER_ACCOUNT", "5/hour")];
        let app = spawn(Backend::Sqlite, Some(&redis), &cap).await;
        collected_device_tokens_bring_at_most_the_cap_of_budgets(&app).await;
    }
}
