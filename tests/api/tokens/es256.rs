//! An ES256 (P-256) access key: published in the JWKS, verifiable with nothing else, pinned to its algorithm
//! whatever a token's header says, and able to share the ring with an EdDSA key.

use authd::cli::{KeysCommand, Kind};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde_json::Value;

use crate::helpers::{
    AUDIENCE, Backend, ISSUER, TestApp, assert_invalid_token, eventually, spawn_app_with,
};

/// A downstream verifier holding only the JWKS (`raw`) accepts the token.
fn assert_a_jwks_verifier_accepts(raw: &Value, access_token: &str) {
    let set: JwkSet = serde_json::from_value(raw.clone()).unwrap();
    let header = decode_header(access_token).unwrap();
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    let jwk = set.find(header.kid.as_deref().unwrap()).unwrap();
    decode::<Value>(
        access_token,
        &DecodingKey::from_jwk(jwk).unwrap(),
        &validation,
    )
    .unwrap();
}

/// Same claims and kid, header switched to EdDSA: the key's algorithm wins, not the header's.
async fn assert_the_header_alg_does_not_win(app: &TestApp, access_token: &str) {
    let parts: Vec<&str> = access_token.split('.').collect();
    let mut forged_header: Value = serde_json::from_slice(&B64.decode(parts[0]).unwrap()).unwrap();
    forged_header["alg"] = "EdDSA".into();
    let forged = format!(
        "{}.{}.{}",
        B64.encode(forged_header.to_string()),
        parts[1],
        parts[2]
    );
    assert_invalid_token(app.get("/v1/me", Some(&forged)).await, "bad_signature").await;
}

/// Algorithm confusion: HS256 keyed with public material of the P-256 key (`key`, its JWK), under its kid.
async fn assert_no_algorithm_confusion(app: &TestApp, access_token: &str, key: &Value) {
    let parts: Vec<&str> = access_token.split('.').collect();
    let claims: Value = serde_json::from_slice(&B64.decode(parts[1]).unwrap()).unwrap();
    let kid = decode_header(access_token).unwrap().kid;
    let mut point = vec![4u8];
    point.extend(B64.decode(key["x"].as_str().unwrap()).unwrap());
    point.extend(B64.decode(key["y"].as_str().unwrap()).unwrap());
    let jwk_text = key.to_string();
    for secret in [
        point.as_slice(),
        jwk_text.as_bytes(),
        key["x"].as_str().unwrap().as_bytes(),
    ] {
        let mut hs = jsonwebtoken::Header::new(Algorithm::HS256);
        hs.typ = Some("at+jwt".into());
        hs.kid = kid.clone();
        let confused = jsonwebtoken::encode(
            &hs,
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(secret),
        )
        .unwrap();
        assert_invalid_token(app.get("/v1/me", Some(&confused)).await, "bad_signature").await;
    }
}

async fn an_es256_ring_works_end_to_end_and_stays_pinned(backend: Backend) {
    let app = spawn_app_with(backend, &[("AUTHD_ACCESS_TOKEN_ALG", "ES256")]).await;
    let tokens = app.signed_up("p256@example.com").await;
    let header = decode_header(&tokens.access_token).unwrap();
    assert_eq!(header.alg, Algorithm::ES256);
    assert_eq!(
        app.get("/v1/me", Some(&tokens.access_token)).await.status(),
        200
    );
    let raw = crate::helpers::jwks(&app).await;
    let key = &raw["keys"][0];
    assert_eq!(
        (
            key["kty"].as_str(),
            key["crv"].as_str(),
            key["alg"].as_str()
        ),
        (Some("EC"), Some("P-256"), Some("ES256"))
    );
    assert!(key.get("d").is_none());
    assert_a_jwks_verifier_accepts(&raw, &tokens.access_token);
    assert_the_header_alg_does_not_win(&app, &tokens.access_token).await;
    assert_no_algorithm_confusion(&app, &tokens.access_token, key).await;
    // Mixed ring: an EdDSA next key joins, then signs; the ES256 tokens keep working.
    app.keys(KeysCommand::Generate {
        kind: Kind::Access,
        alg: Some(authd::keys::KeyAlg::EdDSA),
    })
    .unwrap();
    app.keys(KeysCommand::Rotate { kind: Kind::Access })
        .unwrap();
    eventually("the EdDSA key signing", || async {
        decode_header(&app.fresh_access_token("p256@example.com").await)
            .unwrap()
            .alg
            == Algorithm::EdDSA
    })
    .await;
    assert_eq!(
        app.get("/v1/me", Some(&tokens.access_token)).await.status(),
        200
    );
}

backend_tests!(an_es256_ring_works_end_to_end_and_stays_pinned);
