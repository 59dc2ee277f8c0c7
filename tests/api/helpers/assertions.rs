//! Assertions on the contract's shapes, and waiting for what a server does on its own.

use std::time::Duration;

use serde_json::Value;

/// Asserts the contract's error shape and returns the body.
pub async fn assert_error(response: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status(), status, "status for {code}");
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(content_type.as_deref(), Some("application/json"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], code, "{body}");
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    body
}

/// Asserts a 401 `invalid_token` with the given reason and the RFC 6750 challenge.
pub async fn assert_invalid_token(response: reqwest::Response, reason: &str) {
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = assert_error(response, 401, "invalid_token").await;
    assert_eq!(body["reason"], reason, "{body}");
    let challenge = challenge.expect("a 401 carries WWW-Authenticate");
    assert!(
        challenge.starts_with(r#"Bearer realm="authd""#),
        "{challenge}"
    );
    if reason == "missing" {
        assert!(!challenge.contains("error="), "{challenge}");
    } else {
        assert!(
            challenge.contains(r#"error="invalid_token""#),
            "{challenge}"
        );
    }
}

/// Asserts a 401 `invalid_grant` with the given reason (no bearer challenge: a grant is not a credential).
pub async fn assert_invalid_grant(response: reqwest::Response, reason: &str) {
    assert!(response.headers().get("www-authenticate").is_none());
    let body = assert_error(response, 401, "invalid_grant").await;
    assert_eq!(body["reason"], reason, "{body}");
}

/// Sends all the requests at once and counts the answers by status.
pub async fn status_counts<F>(
    requests: impl IntoIterator<Item = F>,
) -> std::collections::BTreeMap<u16, usize>
where
    F: std::future::Future<Output = reqwest::Response>,
{
    let mut counts = std::collections::BTreeMap::new();
    for response in futures::future::join_all(requests).await {
        *counts.entry(response.status().as_u16()).or_insert(0) += 1;
    }
    counts
}

/// Waits (up to 8 s, checking every 200 ms) until `check` holds, for what a server does on its own schedule
/// (reloading its key ring, for one).
pub async fn eventually<F: std::future::Future<Output = bool>>(
    what: &str,
    mut check: impl FnMut() -> F,
) {
    for _ in 0..40 {
        if check().await {
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("the running server never saw: {what}");
}
