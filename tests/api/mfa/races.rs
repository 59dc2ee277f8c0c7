//! Concurrent requests: one code used twice at once passes once; enrolments at once never fail.

use futures::future::join_all;
use serde_json::{Value, json};

use super::{Enrolled, complete, enrolled, mfa_token, pyotp_at, steady_now};
use crate::helpers::{Backend, mails_to, spawn_app, spawn_app_with};

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
    let starts = (0..4).map(|_| app.post_bearer("/v1/me/mfa/totp", &token, None));
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

backend_tests!(
    many_recovery_codes_at_once_spend_one,
    one_code_sent_twice_at_once_opens_one_session,
    enrolments_at_once_all_answer_and_the_last_stored_one_confirms,
);
