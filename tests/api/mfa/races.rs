//! Concurrent requests: one code used twice at once passes once; enrolments at once never fail; wrong codes at
//! once reach no more checks than the `mfa-account` ceiling and the per-mfa_token limit allow (in memory, on both
//! databases, and in Redis).

use futures::future::join_all;
use serde_json::{Value, json};

use super::{Enrolled, complete, enrolled, mfa_token, pyotp_at, steady_now};

const PARALLEL: usize = 40;
use crate::helpers::{Backend, PASSWORD, TestApp, mails_to, redis_url, spawn_app, spawn_app_with};
use crate::limits::attempts::{at_once, count, spawn};

async fn one_code_sent_twice_at_once_opens_one_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let Enrolled {
        email, secret, now, ..
    } = enrolled(&app, "race@example.com").await;
    let code = pyotp_at(&secret, now);
    let mut tokens = Vec::new();
    for _ in 0..4 {
        tokens.push(mfa_token(&app, &email).await);
    }
    let attempts = tokens
        .iter()
        .map(|token| complete(&app, json!({"mfa_token": token, "code": code})));
    let statuses: Vec<u16> = join_all(attempts)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 401),
        "{statuses:?}"
    );
}

async fn enrolments_at_once_all_answer_and_the_last_stored_one_confirms(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.signed_up("twice@example.com").await.access_token;
    let reauth = json!({"password": PASSWORD});
    let starts = (0..4).map(|_| app.post_bearer("/v1/me/mfa/totp", &token, Some(&reauth)));
    let mut secrets = Vec::new();
    for response in join_all(starts).await {
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        secrets.push(body["secret"].as_str().unwrap().to_owned());
    }
    let now = steady_now().await;
    let mut confirmed = 0;
    for secret in &secrets {
        let body = json!({"code": pyotp_at(secret, now)});
        let response = app
            .post_bearer("/v1/me/mfa/totp/confirm", &token, Some(&body))
            .await;
        confirmed += usize::from(response.status() == 200);
    }
    assert_eq!(confirmed, 1, "exactly one pending secret is stored");
}

/// Eight valid recovery codes at once on one mfa_token: one login, one code spent, one notice mailed. The
/// challenge and the code are spent in one transaction, so the losers spend nothing.
async fn many_recovery_codes_at_once_spend_one(backend: Backend) {
    let app = spawn_app_with(backend, &[("AUTHD_MAIL_COOLDOWN", "0")]).await;
    let owner = enrolled(&app, "codes@example.com").await;
    let token = mfa_token(&app, &owner.email).await;
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(8));
    let attempts = owner.recovery_codes[..8].iter().map(|code| {
        let (barrier, body) = (
            barrier.clone(),
            json!({"mfa_token": token, "recovery_code": code}),
        );
        let app = &app;
        async move {
            barrier.wait().await;
            complete(app, body).await.status().as_u16()
        }
    });
    let statuses = join_all(attempts).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 401),
        "{statuses:?}"
    );
    let status: Value = app
        .get("/v1/me/mfa", Some(&owner.access_token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["recovery_codes_left"], 9, "{status}");
    // Mail goes out in the background: give a second notice time to arrive, if there were one.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let notices = mails_to(&app.outbox(), &owner.email)
        .into_iter()
        .filter(|m| m.contains("recovery code"))
        .count();
    assert_eq!(notices, 1);
}

/// Wrong codes on many mfa_tokens at once: the account's `mfa-account` ceiling (10) holds.
async fn parallel_wrong_codes_reach_the_mfa_ceiling(app: &TestApp) {
    let email = "mfa@example.com";
    enrolled(app, email).await;
    let mut bodies = vec![];
    for _ in 0..10 {
        let token = mfa_token(app, email).await;
        bodies.extend((0..4).map(|_| json!({"mfa_token": token, "code": "000000"})));
    }
    let answers = at_once(app, "/v1/auth/mfa", bodies).await;
    let allowed = [(401, "invalid_code"), (429, "rate_limited")];
    let checked = count(&answers, 401, &allowed);
    assert_eq!(checked, 10, "the mfa ceiling is 10: {checked} were checked");
}

async fn the_mfa_ceiling_holds_against_parallel_codes(backend: Backend) {
    let ceiling = [("AUTHD_RATE_LIMIT_MFA_ACCOUNT", "10/hour")];
    let app = spawn(backend, None, &ceiling).await;
    parallel_wrong_codes_reach_the_mfa_ceiling(&app).await;
}

/// 40 wrong codes at once on one mfa_token: five are checked, the rest find it burned.
async fn one_mfa_token_takes_five_codes_in_parallel(backend: Backend) {
    let ceiling = [("AUTHD_RATE_LIMIT_MFA_ACCOUNT", "1000/hour")];
    let app = spawn(backend, None, &ceiling).await;
    enrolled(&app, "one@example.com").await;
    let token = mfa_token(&app, "one@example.com").await;
    let body = json!({"mfa_token": token, "code": "000000"});
    let answers = at_once(&app, "/v1/auth/mfa", vec![body; PARALLEL]).await;
    let checked = answers.iter().filter(|(_, c)| c == "invalid_code").count();
    assert_eq!(checked, 5, "{answers:?}");
    let burned = answers.iter().filter(|(_, c)| c == "invalid_grant").count();
    assert_eq!(burned, PARALLEL - 5, "{answers:?}");
}

backend_tests!(
    the_mfa_ceiling_holds_against_parallel_codes,
    one_mfa_token_takes_five_codes_in_parallel,
    many_recovery_codes_at_once_spend_one,
    one_code_sent_twice_at_once_opens_one_session,
    enrolments_at_once_all_answer_and_the_last_stored_one_confirms,
);

#[actix_web::test]
async fn the_mfa_ceiling_holds_in_redis() {
    let Some(redis) = redis_url().await else {
        return;
    };
    let ceiling = [("AUTHD_RATE_LIMIT_MFA_ACCOUNT", "10/hour")];
    let app = spawn(Backend::Sqlite, Some(&redis), &ceiling).await;
    parallel_wrong_codes_reach_the_mfa_ceiling(&app).await;
}
