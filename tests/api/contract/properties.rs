//! Property-based tests (proptest): whatever body reaches a JSON route and whatever token reaches a bearer or
//! refresh route, the answer is a 4xx in the contract's shape (or a success for the one right input), never a
//! 5xx, and the server still answers afterwards. One server per property, on SQLite, rate limits off.
//! `PROPTEST_CASES` sets the number of cases (default 128 per property).

mod strategies;

use std::future::Future;

use authd::auth::bearer_token;
use authd::domain::Email;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use reqwest::Client;
use serde_json::{Value, json};

use crate::helpers::{Backend, PASSWORD, TestApp, spawn_app_with};
use strategies::{Body, Text, body, mutated_token, nasty_string};

const DEFAULT_CASES: u32 = 128;

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    Config {
        cases,
        // A failure is printed with its shrunk input; no regression files are written into the tree.
        failure_persistence: None,
        max_shrink_iters: 512,
        ..Config::default()
    }
}

/// Runs `check` against `cases` values of the strategy `make()` builds, on a thread of its own with its own
/// runtime and client: proptest's runner is synchronous and re-sends a failing case while it shrinks, while the
/// server keeps running on the test's runtime.
async fn for_all<S, C, F>(make: impl FnOnce() -> S + Send + 'static, check: C)
where
    S: Strategy,
    S::Value: std::fmt::Debug,
    C: Fn(Client, S::Value) -> F + Send + 'static,
    F: Future<Output = Result<(), TestCaseError>>,
{
    let outcome = actix_web::rt::task::spawn_blocking(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let client = Client::new();
        let strategy = make();
        TestRunner::new(config())
            .run(&strategy, |value| {
                runtime.block_on(check(client.clone(), value))
            })
            .map_err(|e| e.to_string())
    })
    .await
    .unwrap();
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}

/// A server with limits off (the properties send hundreds of requests from one address) and one account.
async fn server() -> (TestApp, authd::routes::TokenResponse) {
    let app = spawn_app_with(Backend::Sqlite, &[("AUTHD_RATE_LIMITS", "off")]).await;
    let tokens = app.signed_up("prop@example.com").await;
    (app, tokens)
}

/// No 5xx; a 4xx is JSON with an `error` code. Returns the status and the body (`Null` when empty).
async fn in_contract(response: reqwest::Response) -> Result<(u16, Value), TestCaseError> {
    let status = response.status().as_u16();
    let content_type = response.headers().get("content-type").cloned();
    let text = response.text().await.unwrap_or_default();
    prop_assert!(status < 500, "status {status}: {text}");
    if status < 400 {
        return Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)));
    }
    prop_assert_eq!(
        content_type.as_ref().and_then(|v| v.to_str().ok()),
        Some("application/json"),
        "status {}: {}",
        status,
        text
    );
    let body: Value =
        serde_json::from_str(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert!(body["error"].is_string(), "status {status}: {body}");
    Ok((status, body))
}

/// Posts random and near-valid bodies to `path` (with `bearer` when given) and checks every answer.
async fn bodies_never_5xx(
    app: &TestApp,
    path: &'static str,
    keys: &'static [&'static str],
    known: Vec<String>,
    bearer: Option<String>,
) {
    let url = app.url(path);
    for_all(
        move || body(keys, known),
        move |client, body: Body| {
            let mut request = client.post(&url).body(body.bytes);
            if let Some(content_type) = body.content_type {
                request = request.header("content-type", content_type);
            }
            if let Some(token) = &bearer {
                request = request.bearer_auth(token);
            }
            async move {
                in_contract(request.send().await.unwrap()).await?;
                Ok(())
            }
        },
    )
    .await;
    assert_eq!(app.get("/healthz", None).await.status(), 200);
}

#[actix_web::test]
async fn no_signup_body_gets_a_5xx() {
    let (app, _) = server().await;
    let known = vec!["prop@example.com".into(), PASSWORD.into(), "cookie".into()];
    let keys = &["email", "password", "token_delivery"];
    bodies_never_5xx(&app, "/v1/auth/signup", keys, known, None).await;
}

#[actix_web::test]
async fn no_login_body_gets_a_5xx() {
    let (app, _) = server().await;
    let known = vec!["prop@example.com".into(), PASSWORD.into(), "json".into()];
    let keys = &["email", "password", "token_delivery"];
    bodies_never_5xx(&app, "/v1/auth/login", keys, known, None).await;
}

#[actix_web::test]
async fn no_refresh_body_gets_a_5xx() {
    let (app, tokens) = server().await;
    let known = vec![tokens.refresh_token, tokens.access_token, "cookie".into()];
    let keys = &["refresh_token", "token_delivery"];
    bodies_never_5xx(&app, "/v1/auth/refresh", keys, known, None).await;
}

#[actix_web::test]
async fn no_logout_body_gets_a_5xx() {
    let (app, tokens) = server().await;
    let known = vec![tokens.refresh_token, tokens.access_token, "json".into()];
    let keys = &["refresh_token", "token_delivery"];
    bodies_never_5xx(&app, "/v1/auth/logout", keys, known, None).await;
}

#[actix_web::test]
async fn no_password_change_body_gets_a_5xx() {
    let (app, tokens) = server().await;
    let known = vec![PASSWORD.into(), "prop@example.com".into()];
    let keys = &["current_password", "new_password"];
    let bearer = Some(tokens.access_token);
    bodies_never_5xx(&app, "/v1/me/password", keys, known, bearer).await;
}

#[actix_web::test]
async fn no_logout_all_body_gets_a_5xx() {
    let (app, tokens) = server().await;
    // The route reads no body, so the first case ends every session: later cases check the 401s stay in shape.
    let bearer = Some(tokens.access_token);
    bodies_never_5xx(&app, "/v1/auth/logout-all", &[], vec![], bearer).await;
}

/// Sends mutations of `original` as `Authorization: Bearer` to `path`: the original passes, everything else is
/// `401 invalid_token` with a challenge.
async fn bearer_mutations_are_401(
    app: &TestApp,
    path: &str,
    original: String,
    others: Vec<String>,
) {
    let url = app.url(path);
    let kept = original.clone();
    for_all(
        move || mutated_token(kept, others).prop_map(Text),
        move |client, Text(token)| {
            let request = client
                .get(&url)
                .header("authorization", format!("Bearer {token}"));
            let same = token.trim_matches(' ') == original;
            async move {
                let response = request.send().await.unwrap();
                let challenge = response.headers().get("www-authenticate").cloned();
                let (status, body) = in_contract(response).await?;
                if same {
                    prop_assert_eq!(status, 200);
                } else {
                    prop_assert_eq!(status, 401, "{}", body);
                    prop_assert_eq!(&body["error"], "invalid_token");
                    prop_assert!(body["reason"].is_string(), "{}", body);
                    prop_assert!(challenge.is_some());
                }
                Ok(())
            }
        },
    )
    .await;
    assert_eq!(app.get("/healthz", None).await.status(), 200);
}

#[actix_web::test]
async fn mutated_bearer_tokens_get_401_invalid_token_from_me() {
    let (app, tokens) = server().await;
    bearer_mutations_are_401(
        &app,
        "/v1/me",
        tokens.access_token,
        vec![tokens.refresh_token],
    )
    .await;
}

#[actix_web::test]
async fn mutated_bearer_tokens_get_401_invalid_token_from_verify() {
    let (app, tokens) = server().await;
    let others = vec![tokens.refresh_token];
    bearer_mutations_are_401(&app, "/v1/auth/verify", tokens.access_token, others).await;
}

/// Posts mutations of `original` as `refresh_token` to `path`: all but the untouched token are
/// `401 invalid_grant`; the untouched one is never sent (it would rotate or end the session).
async fn grant_mutations_are_401(app: &TestApp, path: &str, original: String, other: String) {
    let url = app.url(path);
    let kept = original.clone();
    for_all(
        move || {
            let nasty = nasty_string(vec![]);
            prop_oneof![4 => mutated_token(kept, vec![other]), 1 => nasty]
                .prop_filter("the untouched token", move |t| *t != original)
                .prop_map(Text)
        },
        move |client, Text(token)| {
            let body = json!({"refresh_token": token}).to_string();
            // The test servers' body limit is the default, 16 KiB.
            let (expected, code) = if body.len() > 16 * 1024 {
                (413, "payload_too_large")
            } else {
                (401, "invalid_grant")
            };
            let request = client
                .post(&url)
                .header("content-type", "application/json")
                .body(body);
            async move {
                let (status, body) = in_contract(request.send().await.unwrap()).await?;
                prop_assert_eq!(status, expected, "{}", body);
                prop_assert_eq!(&body["error"], code);
                Ok(())
            }
        },
    )
    .await;
    assert_eq!(app.get("/healthz", None).await.status(), 200);
}

#[actix_web::test]
async fn mutated_refresh_tokens_get_401_invalid_grant_from_refresh() {
    let (app, tokens) = server().await;
    grant_mutations_are_401(
        &app,
        "/v1/auth/refresh",
        tokens.refresh_token.clone(),
        tokens.access_token,
    )
    .await;
    // The real token was never spent by the mutations.
    assert_eq!(app.refresh(&tokens.refresh_token).await.status(), 200);
}

#[actix_web::test]
async fn mutated_refresh_tokens_get_401_invalid_grant_from_logout() {
    let (app, tokens) = server().await;
    grant_mutations_are_401(
        &app,
        "/v1/auth/logout",
        tokens.refresh_token.clone(),
        tokens.access_token,
    )
    .await;
    assert_eq!(app.logout(&tokens.refresh_token).await.status(), 204);
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn bearer_parsing_never_panics_and_yields_only_b64token(
        value in prop::collection::vec(prop_oneof![Just(b'\t'), 0x20u8..0x7f, 0x80u8..=0xff], 0..120),
        prefix in prop::sample::select(vec!["", "Bearer ", "bearer  ", "BEARER ", "Basic ", "Bearer"]),
    ) {
        let mut raw = prefix.as_bytes().to_vec();
        raw.extend_from_slice(&value);
        let Ok(header) = actix_web::http::header::HeaderValue::from_bytes(&raw) else {
            return Ok(());
        };
        let mut headers = actix_web::http::header::HeaderMap::new();
        headers.insert(actix_web::http::header::AUTHORIZATION, header);
        if let Ok(token) = bearer_token(&headers) {
            prop_assert!(!token.is_empty());
            prop_assert!(token.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b)));
            prop_assert!(raw.len() > 6 && raw[..6].eq_ignore_ascii_case(b"bearer"));
        }
    }

    #[test]
    fn email_parsing_never_panics_and_is_idempotent(
        raw in prop_oneof![nasty_string(vec![]), "\\PC{0,20}@\\PC{0,30}", "[a-zA-Z\\x{e9}\\x{301}]{1,10}@[a-z\\x{fc}.-]{1,20}"],
    ) {
        if let Ok(email) = Email::parse(&raw) {
            let again = Email::parse(email.as_str()).ok().map(|e| e.as_str().to_owned());
            prop_assert_eq!(again, Some(email.as_str().to_owned()));
        }
    }
}
