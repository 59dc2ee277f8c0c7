//! TOTP from the user's side, with codes from pyotp (a real authenticator library, in Python): shared by the MFA
//! tests and by every other test that needs an account with a second factor.

use std::time::Duration;

use serde_json::{Value, json};

use super::app::TestApp;
use super::http::PASSWORD;
use super::tokens::unix_now;

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

/// TOTP switched on for the caller: enrolment (`body`: the password, or `None` for an account without one),
/// then a confirmation with the code of one step back. Returns the secret, the `now` whose previous step was
/// used (so `now` and `now + 30` are still unused) and the recovery codes.
pub async fn enable_totp(
    app: &TestApp,
    access: &str,
    body: Option<&Value>,
) -> (String, i64, Vec<String>) {
    let response = app.post_bearer("/v1/me/mfa/totp", access, body).await;
    assert_eq!(response.status(), 200);
    let enrolment: Value = response.json().await.unwrap();
    let secret = enrolment["secret"].as_str().unwrap().to_owned();
    let now = steady_now().await;
    let confirm = json!({"code": pyotp_at(&secret, now - 30)});
    let response = app
        .post_bearer("/v1/me/mfa/totp/confirm", access, Some(&confirm))
        .await;
    assert_eq!(response.status(), 200);
    let codes: Value = response.json().await.unwrap();
    let codes = codes["recovery_codes"].as_array().unwrap();
    let codes = codes.iter().map(|c| c.as_str().unwrap().to_owned());
    (secret, now, codes.collect())
}

/// `GET /v1/me/mfa`, as JSON.
pub async fn mfa_status(app: &TestApp, access: &str) -> Value {
    let response = app.get("/v1/me/mfa", Some(access)).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
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

/// The password login of an MFA account completed with `code`: the answer of `POST /v1/auth/mfa`.
pub async fn two_step_login(app: &TestApp, email: &str, code: &str) -> reqwest::Response {
    let body = json!({"mfa_token": mfa_token(app, email).await, "code": code});
    complete(app, body).await
}
