//! TOTP two-factor authentication end to end, with codes from pyotp (a real authenticator library, in Python):
//! enrolment, the two-step login, replay and drift, recovery codes, step-up, secrets at rest, rate limits.

mod limits;
mod login;
mod manage;
mod races;
mod reauth;
mod reset;

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, payload_of, unix_now};

/// The code pyotp computes for `secret` (base32) at Unix time `at`.
pub fn pyotp_at(secret: &str, at: i64) -> String {
    let script = "import sys, pyotp; print(pyotp.TOTP(sys.argv[1]).at(int(sys.argv[2])))";
    let output = std::process::Command::new("python3")
        .args(["-c", script, secret, &at.to_string()])
        .output()
        .expect("python3 runs (pip install pyotp)");
    assert!(
        output.status.success(),
        "pyotp: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let code = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    assert_eq!(code.len(), 6, "{code}");
    code
}

/// Now, away from the edge of a 30-second step, so "one step back" means the same on both sides of the test.
pub async fn steady_now() -> i64 {
    let into = unix_now().rem_euclid(30);
    if into >= 26 {
        tokio::time::sleep(Duration::from_secs(31 - into as u64)).await;
    }
    unix_now()
}

/// An account with MFA enabled: its email, base32 secret, recovery codes, the (aal1) signup session's access
/// token, and the time whose step the confirmation used (one step back from `now`, so `now` and `now + 30`
/// are still unused).
pub struct Enrolled {
    pub email: String,
    pub secret: String,
    pub recovery_codes: Vec<String>,
    pub access_token: String,
    pub now: i64,
}

pub async fn enrolled(app: &TestApp, email: &str) -> Enrolled {
    let access_token = app.signed_up(email).await.access_token;
    let response = app
        .post_bearer(
            "/v1/me/mfa/totp",
            &access_token,
            Some(&json!({"password": PASSWORD})),
        )
        .await;
    assert_eq!(response.status(), 200);
    let enrolment: Value = response.json().await.unwrap();
    let secret = enrolment["secret"].as_str().unwrap().to_owned();
    let now = steady_now().await;
    let body = json!({"code": pyotp_at(&secret, now - 30)});
    let response = app
        .post_bearer("/v1/me/mfa/totp/confirm", &access_token, Some(&body))
        .await;
    assert_eq!(response.status(), 200);
    let codes: Value = response.json().await.unwrap();
    let recovery_codes = codes["recovery_codes"].as_array().unwrap();
    Enrolled {
        email: email.to_owned(),
        secret,
        recovery_codes: recovery_codes
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect(),
        access_token,
        now,
    }
}

/// A password login of an MFA account: asserts the challenge shape and returns the mfa_token.
pub async fn mfa_token(app: &TestApp, email: &str) -> String {
    let response = app.login(email, PASSWORD).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["mfa_required"], true, "{body}");
    assert!(
        body.get("access_token").is_none() && body.get("refresh_token").is_none(),
        "{body}"
    );
    assert!(body.get("device_token").is_none(), "{body}");
    assert_eq!(body["expires_in"], 300);
    body["mfa_token"].as_str().unwrap().to_owned()
}

/// `POST /v1/auth/mfa`.
pub async fn complete(app: &TestApp, body: Value) -> reqwest::Response {
    app.post_json("/v1/auth/mfa", &body).await
}

/// The `amr` and `acr` claims of an access token.
pub fn level(access_token: &str) -> (Value, Value) {
    let claims = payload_of(access_token);
    (claims["amr"].clone(), claims["acr"].clone())
}
