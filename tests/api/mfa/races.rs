//! Concurrent requests: one code used twice at once passes once; enrolments at once never fail.

use futures::future::join_all;
use serde_json::{Value, json};

use super::{Enrolled, complete, enrolled, mfa_token, pyotp_at, steady_now};
use crate::helpers::{Backend, PASSWORD, spawn_app};

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

backend_tests!(
    one_code_sent_twice_at_once_opens_one_session,
    enrolments_at_once_all_answer_and_the_last_stored_one_confirms,
);
