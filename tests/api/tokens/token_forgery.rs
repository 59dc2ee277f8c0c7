//! The attacks a bearer middleware must refuse: every one is 401 invalid_token with a specific reason.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use crate::helpers::{
    Backend, TestApp, access_claims, assert_invalid_token, eddsa_header, foreign_ed25519_key,
    kid_of, payload_of, raw_token, sign_with_server_key, spawn_app, unix_now,
};

struct Fixture {
    app: TestApp,
    access_token: String,
    kid: String,
    good: Value,
}

async fn fixture(backend: Backend) -> Fixture {
    let app = spawn_app(backend).await;
    let tokens = app.signed_up("victim@example.com").await;
    let kid = kid_of(&tokens.access_token);
    let sid = payload_of(&tokens.access_token)["sid"]
        .as_str()
        .unwrap()
        .to_owned();
    let good = access_claims(&tokens.user.id, &sid);
    Fixture {
        app,
        access_token: tokens.access_token,
        kid,
        good,
    }
}

impl Fixture {
    async fn assert_refused(&self, token: &str, reason: &str) {
        for path in ["/v1/me", "/v1/auth/verify"] {
            assert_invalid_token(self.app.get(path, Some(token)).await, reason).await;
        }
    }

    async fn assert_accepted(&self, token: &str) {
        assert_eq!(self.app.get("/v1/me", Some(token)).await.status(), 200);
    }
}

async fn a_token_signed_by_the_server_key_with_correct_claims_is_accepted(backend: Backend) {
    let f = fixture(backend).await;
    f.assert_accepted(&f.access_token).await;
    let forged_by_us = sign_with_server_key(
        &f.app,
        "access",
        eddsa_header(Some("at+jwt"), Some(&f.kid)),
        &f.good,
    );
    f.assert_accepted(&forged_by_us).await;
}

async fn alg_none_is_refused(backend: Backend) {
    let f = fixture(backend).await;
    for alg in ["none", "None", "NONE"] {
        let unsigned = raw_token(
            &json!({"alg": alg, "typ": "at+jwt", "kid": f.kid}),
            &f.good,
            b"",
        );
        f.assert_refused(&unsigned, "malformed").await;
        let real_signature = f.access_token.rsplit('.').next().unwrap();
        let with_copied_signature = format!("{unsigned}{real_signature}");
        f.assert_refused(&with_copied_signature, "malformed").await;
    }
}

async fn hs256_signed_with_the_public_key_is_refused(backend: Backend) {
    let f = fixture(backend).await;
    let jwks = crate::helpers::jwks(&f.app).await;
    let jwk = &jwks["keys"][0];
    let x = B64.decode(jwk["x"].as_str().unwrap()).unwrap();
    let jwk_text = serde_json::to_vec(jwk).unwrap();
    for secret in [
        x.as_slice(),
        jwk_text.as_slice(),
        jwk["x"].as_str().unwrap().as_bytes(),
    ] {
        for alg in [Algorithm::HS256, Algorithm::HS512] {
            let mut header = Header::new(alg);
            header.typ = Some("at+jwt".into());
            header.kid = Some(f.kid.clone());
            let forged = encode(&header, &f.good, &EncodingKey::from_secret(secret)).unwrap();
            f.assert_refused(&forged, "bad_signature").await;
        }
    }
}

async fn unknown_or_missing_kid_is_refused(backend: Backend) {
    let f = fixture(backend).await;
    let pem = f.app.private_key_pem("access");
    let key = EncodingKey::from_ed_pem(&pem).unwrap();
    let unknown = encode(
        &eddsa_header(Some("at+jwt"), Some("someone-elses-key")),
        &f.good,
        &key,
    )
    .unwrap();
    f.assert_refused(&unknown, "unknown_kid").await;
    let no_kid = encode(&eddsa_header(Some("at+jwt"), None), &f.good, &key).unwrap();
    f.assert_refused(&no_kid, "unknown_kid").await;
}

async fn a_foreign_key_claiming_our_kid_is_refused(backend: Backend) {
    let f = fixture(backend).await;
    let forged = encode(
        &eddsa_header(Some("at+jwt"), Some(&f.kid)),
        &f.good,
        &foreign_ed25519_key(),
    )
    .unwrap();
    f.assert_refused(&forged, "bad_signature").await;
}

async fn a_tampered_payload_is_refused(backend: Backend) {
    let f = fixture(backend).await;
    let parts: Vec<&str> = f.access_token.split('.').collect();
    let mut claims: Value = serde_json::from_slice(&B64.decode(parts[1]).unwrap()).unwrap();
    claims["sub"] = json!(uuid::Uuid::now_v7().to_string());
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        B64.encode(serde_json::to_vec(&claims).unwrap()),
        parts[2]
    );
    f.assert_refused(&tampered, "bad_signature").await;
    let mut signature = B64.decode(parts[2]).unwrap();
    signature[0] ^= 1;
    let flipped = format!("{}.{}.{}", parts[0], parts[1], B64.encode(signature));
    f.assert_refused(&flipped, "bad_signature").await;
}

async fn time_claims_are_enforced_with_a_small_leeway(backend: Backend) {
    let f = fixture(backend).await;
    let sign = |claims: &Value| {
        sign_with_server_key(
            &f.app,
            "access",
            eddsa_header(Some("at+jwt"), Some(&f.kid)),
            claims,
        )
    };
    let mut expired = f.good.clone();
    expired["exp"] = json!(unix_now() - 120);
    f.assert_refused(&sign(&expired), "expired").await;
    let mut just_expired = f.good.clone();
    just_expired["exp"] = json!(unix_now() - 5);
    f.assert_accepted(&sign(&just_expired)).await;
    let mut future = f.good.clone();
    future["nbf"] = json!(unix_now() + 120);
    f.assert_refused(&sign(&future), "not_yet_valid").await;
}

async fn wrong_issuer_audience_or_type_is_refused(backend: Backend) {
    let f = fixture(backend).await;
    let sign = |typ: Option<&str>, claims: &Value| {
        sign_with_server_key(&f.app, "access", eddsa_header(typ, Some(&f.kid)), claims)
    };
    let mut other_issuer = f.good.clone();
    other_issuer["iss"] = json!("https://evil.example");
    f.assert_refused(&sign(Some("at+jwt"), &other_issuer), "wrong_issuer")
        .await;
    let mut other_audience = f.good.clone();
    other_audience["aud"] = json!("another-service");
    f.assert_refused(&sign(Some("at+jwt"), &other_audience), "wrong_audience")
        .await;
    for typ in [None, Some("JWT"), Some("refresh+jwt"), Some("AT+JWT ")] {
        f.assert_refused(&sign(typ, &f.good), "wrong_type").await;
    }
}

async fn a_refresh_token_is_not_a_bearer_credential(backend: Backend) {
    let f = fixture(backend).await;
    let tokens = f
        .app
        .login("victim@example.com", crate::helpers::PASSWORD)
        .await;
    let refresh_token = tokens.json::<Value>().await.unwrap()["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    f.assert_refused(&refresh_token, "wrong_type").await;
    // Even dressed up as an access token, the refresh key's signature does not make a bearer token.
    let refresh_kid = kid_of(&refresh_token);
    let dressed = sign_with_server_key(
        &f.app,
        "refresh",
        eddsa_header(Some("at+jwt"), Some(&refresh_kid)),
        &f.good,
    );
    f.assert_refused(&dressed, "wrong_type").await;
}

async fn missing_claims_crit_headers_and_garbage_are_malformed(backend: Backend) {
    let f = fixture(backend).await;
    let sign =
        |header: Header, claims: &Value| sign_with_server_key(&f.app, "access", header, claims);
    for claim in ["exp", "sub", "iss", "aud", "sid"] {
        let mut partial = f.good.clone();
        partial.as_object_mut().unwrap().remove(claim);
        f.assert_refused(
            &sign(eddsa_header(Some("at+jwt"), Some(&f.kid)), &partial),
            "malformed",
        )
        .await;
    }
    let mut critical = eddsa_header(Some("at+jwt"), Some(&f.kid));
    critical.crit = Some(vec!["exp".into()]);
    f.assert_refused(&sign(critical, &f.good), "malformed")
        .await;
    let long = "a".repeat(5000);
    for garbage in ["abc", "a.b.c", "..", "a.b", "e30.e30.", &long] {
        f.assert_refused(garbage, "malformed").await;
    }
}

backend_tests!(
    a_token_signed_by_the_server_key_with_correct_claims_is_accepted,
    alg_none_is_refused,
    hs256_signed_with_the_public_key_is_refused,
    unknown_or_missing_kid_is_refused,
    a_foreign_key_claiming_our_kid_is_refused,
    a_tampered_payload_is_refused,
    time_claims_are_enforced_with_a_small_leeway,
    wrong_issuer_audience_or_type_is_refused,
    a_refresh_token_is_not_a_bearer_credential,
    missing_claims_crit_headers_and_garbage_are_malformed,
);
