use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde_json::Value;

use crate::helpers::{AUDIENCE, Backend, ISSUER, spawn_app};

async fn jwks_verifies_access_tokens_and_hides_the_refresh_key(backend: Backend) {
    let app = spawn_app(backend).await;
    let tokens = app.signed_up("jwks@example.com").await;
    let response = app.get("/.well-known/jwks.json", None).await;
    assert_eq!(response.status(), 200);
    let jwks: JwkSet = response.json().await.unwrap();
    assert_eq!(jwks.keys.len(), 1);
    let raw: Value = serde_json::to_value(&jwks).unwrap();
    let key = &raw["keys"][0];
    assert_eq!(
        (key["kty"].as_str(), key["crv"].as_str()),
        (Some("OKP"), Some("Ed25519"))
    );
    assert_eq!(
        (key["alg"].as_str(), key["use"].as_str()),
        (Some("EdDSA"), Some("sig"))
    );
    assert!(
        key.get("d").is_none(),
        "a private key must never be published"
    );

    // A downstream verifier that knows only the JWKS accepts the access token...
    let kid = decode_header(&tokens.access_token).unwrap().kid.unwrap();
    let jwk = jwks
        .find(&kid)
        .expect("the access token's kid is published");
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    let claims = decode::<Value>(
        &tokens.access_token,
        &DecodingKey::from_jwk(jwk).unwrap(),
        &validation,
    )
    .unwrap();
    assert_eq!(claims.claims["sub"], tokens.user.id);

    // ...and finds no key at all for the refresh token.
    let refresh_kid = decode_header(&tokens.refresh_token).unwrap().kid.unwrap();
    assert_ne!(refresh_kid, kid);
    assert!(jwks.find(&refresh_kid).is_none());
}

backend_tests!(jwks_verifies_access_tokens_and_hides_the_refresh_key);
