//! The ID token checks, against tokens signed here with fixed test keys (never used outside tests).

use jsonwebtoken::{EncodingKey, Header};
use serde_json::{Value, json};

use super::*;

const PROVIDER_KEY: &str = include_str!("../../tests/oidc/keys/provider-rs256.pem");
const OTHER_KEY: &str = include_str!("../../tests/oidc/keys/other-rs256.pem");
const EXPECTED: Expected<'static> = Expected {
    issuer: "https://idp.example.com",
    client_id: "authd",
    nonce: "n-0S6_WzA2Mj",
};

fn key(pem: &str) -> EncodingKey {
    EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap()
}

fn provider_jwk() -> Jwk {
    Jwk::from_encoding_key(&key(PROVIDER_KEY), Algorithm::RS256).unwrap()
}

fn claims() -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({"iss": EXPECTED.issuer, "sub": "248289761001", "aud": "authd", "nonce": EXPECTED.nonce,
           "iat": now, "exp": now + 300, "email": "jane@example.com", "email_verified": true})
}

fn sign(pem: &str, alg: Algorithm, claims: &Value) -> String {
    jsonwebtoken::encode(&Header::new(alg), claims, &key(pem)).unwrap()
}

fn with(field: &str, value: Value) -> Value {
    let mut c = claims();
    c[field] = value;
    c
}

#[test]
fn a_good_token_passes() {
    let token = sign(PROVIDER_KEY, Algorithm::RS256, &claims());
    let c = verify(&token, &provider_jwk(), &EXPECTED).unwrap();
    assert_eq!((c.sub.as_str(), c.email_verified), ("248289761001", true));
}

#[test]
fn every_broken_check_is_refused() {
    let past = chrono::Utc::now().timestamp() - 3600;
    let cases = [
        (
            "signed by another key",
            sign(OTHER_KEY, Algorithm::RS256, &claims()),
        ),
        (
            "another audience",
            sign(PROVIDER_KEY, Algorithm::RS256, &with("aud", json!("other"))),
        ),
        (
            "another issuer",
            sign(
                PROVIDER_KEY,
                Algorithm::RS256,
                &with("iss", json!("https://evil")),
            ),
        ),
        (
            "another nonce",
            sign(PROVIDER_KEY, Algorithm::RS256, &with("nonce", json!("x"))),
        ),
        (
            "no nonce",
            sign(PROVIDER_KEY, Algorithm::RS256, &with("nonce", Value::Null)),
        ),
        (
            "expired",
            sign(PROVIDER_KEY, Algorithm::RS256, &with("exp", json!(past))),
        ),
        (
            "other azp",
            sign(PROVIDER_KEY, Algorithm::RS256, &with("azp", json!("spa"))),
        ),
        (
            "header says PS256",
            sign(PROVIDER_KEY, Algorithm::PS256, &claims()),
        ),
        ("not a JWT", "a.b.c".to_owned()),
    ];
    for (case, token) in cases {
        assert!(
            verify(&token, &provider_jwk(), &EXPECTED).is_err(),
            "{case}"
        );
    }
}
