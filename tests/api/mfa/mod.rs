//! TOTP two-factor authentication end to end, with codes from pyotp (a real authenticator library, in Python):
//! enrolment, the two-step login, replay and drift, recovery codes, step-up, secrets at rest, rate limits.

mod limits;
mod login;
mod manage;
mod races;
mod reauth;
mod reset;

use serde_json::{Value, json};

// Where the MFA tests (and others) have always found them.
use crate::helpers::{PASSWORD, TestApp, enable_totp, payload_of};
pub use crate::helpers::{complete, mfa_token, pyotp_at, steady_now};

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
    let password = json!({"password": PASSWORD});
    let (secret, now, recovery_codes) = enable_totp(app, &access_token, Some(&password)).await;
    Enrolled {
        email: email.to_owned(),
        secret,
        recovery_codes,
        access_token,
        now,
    }
}

/// The `amr` and `acr` claims of an access token.
pub fn level(access_token: &str) -> (Value, Value) {
    let claims = payload_of(access_token);
    (claims["amr"].clone(), claims["acr"].clone())
}
