//! HS256 mode: access tokens signed with a shared secret, nothing published, weak secrets refused at start-up.

use authd::routes::TokenResponse;
use jsonwebtoken::{Algorithm, EncodingKey, Header, decode_header, encode};
use serde_json::{Value, json};

use crate::helpers::{
    AUDIENCE, Backend, ISSUER, TestApp, assert_invalid_token, authd, spawn_app_with,
};

const SECRET_B64: &str = "base64:q3J0c1+Vf8k2mXbW9zTnL4hR6yPaE1uDgOiC7sKvBjQ=";

fn secret_bytes() -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(SECRET_B64.trim_start_matches("base64:"))
        .unwrap()
}

/// Nothing to publish (a shared secret), discovery says HS256, and refresh tokens still use the ring.
async fn assert_published_as_hs256(app: &TestApp, tokens: &TokenResponse) {
    let jwks = crate::helpers::jwks(app).await;
    assert_eq!(jwks, json!({"keys": []}));
    let discovery: Value = app
        .get("/.well-known/openid-configuration", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        discovery["authd_access_token_signing_alg_values_supported"],
        json!(["HS256"])
    );
    // The refresh key is still an asymmetric ring key, and the ring holds no access key at all.
    assert_eq!(
        decode_header(&tokens.refresh_token).unwrap().alg,
        Algorithm::EdDSA
    );
    assert!(app.ring_keys().iter().all(|k| k["kind"] == "refresh"));
}

/// Whoever holds the secret can mint; another secret, no kid or the refresh key's kid cannot.
async fn assert_only_the_secret_mints(app: &TestApp, tokens: &TokenResponse) {
    // A downstream service with the shared secret can mint (so it must be kept as secret as the key) ...
    let now = chrono::Utc::now().timestamp();
    let claims = json!({"iss": ISSUER, "sub": tokens.user.id, "aud": AUDIENCE, "iat": now, "exp": now + 300,
                        "jti": "j", "sid": "s"});
    let mut good = Header::new(Algorithm::HS256);
    good.typ = Some("at+jwt".into());
    good.kid = decode_header(&tokens.access_token).unwrap().kid;
    let with_secret = encode(&good, &claims, &EncodingKey::from_secret(&secret_bytes())).unwrap();
    assert_eq!(
        app.get("/v1/auth/verify", Some(&with_secret))
            .await
            .status(),
        200
    );
    // ... but another secret, or no kid, is refused.
    let other = encode(&good, &claims, &EncodingKey::from_secret(&[7u8; 32])).unwrap();
    assert_invalid_token(app.get("/v1/me", Some(&other)).await, "bad_signature").await;
    let mut no_kid = good.clone();
    no_kid.kid = None;
    let unkeyed = encode(&no_kid, &claims, &EncodingKey::from_secret(&secret_bytes())).unwrap();
    assert_invalid_token(app.get("/v1/me", Some(&unkeyed)).await, "unknown_kid").await;
    // The refresh key's kid with an HS256 header and the secret: pinned to EdDSA, refused.
    let mut refresh_kid = good.clone();
    refresh_kid.kid = decode_header(&tokens.refresh_token).unwrap().kid;
    let confused = encode(
        &refresh_kid,
        &claims,
        &EncodingKey::from_secret(&secret_bytes()),
    )
    .unwrap();
    assert_invalid_token(app.get("/v1/me", Some(&confused)).await, "wrong_type").await;
}

/// The ring's commands in this mode, and that none of them prints the secret.
fn assert_ring_commands_keep_the_secret(app: &TestApp) {
    use authd::cli::{KeysCommand, Kind};
    let refused = app
        .keys(KeysCommand::Generate {
            kind: Kind::Access,
            alg: None,
        })
        .unwrap_err();
    assert!(refused.contains("AUTHD_HS256_SECRET"), "{refused}");
    let generated = app
        .keys(KeysCommand::Generate {
            kind: Kind::Refresh,
            alg: None,
        })
        .unwrap();
    let rotated = app
        .keys(KeysCommand::Rotate {
            kind: Kind::Refresh,
        })
        .unwrap();
    let secret = SECRET_B64.trim_start_matches("base64:");
    for text in [refused, generated, rotated] {
        assert!(!text.contains(secret), "{text}");
    }
}

async fn hs256_mode_round_trips_and_publishes_no_key(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &[
            ("AUTHD_ACCESS_TOKEN_ALG", "HS256"),
            ("AUTHD_HS256_SECRET", SECRET_B64),
        ],
    )
    .await;
    let tokens = app.signed_up("hmac@example.com").await;
    let header = decode_header(&tokens.access_token).unwrap();
    assert_eq!(header.alg, Algorithm::HS256);
    assert_eq!(
        app.get("/v1/me", Some(&tokens.access_token)).await.status(),
        200
    );
    assert_eq!(
        app.get("/v1/auth/verify", Some(&tokens.access_token))
            .await
            .status(),
        200
    );
    assert_published_as_hs256(&app, &tokens).await;
    assert_only_the_secret_mints(&app, &tokens).await;
    assert_ring_commands_keep_the_secret(&app);
}

backend_tests!(hs256_mode_round_trips_and_publishes_no_key);

/// The binary refuses to start with a weak secret: a message naming the variable, exit code 2.
#[test]
fn the_binary_refuses_a_weak_hs256_secret() {
    for secret in [
        "changeme",
        "secretsecretsecretsecretsecretsecret",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let exit = authd([
            ("AUTHD_DATA_DIR", dir.path().to_str().unwrap()),
            ("AUTHD_ACCESS_TOKEN_ALG", "HS256"),
            ("AUTHD_HS256_SECRET", secret),
        ])
        .run(&[]);
        assert_eq!(exit.code, 2, "{secret}");
        let stderr = exit.stderr;
        assert!(stderr.contains("AUTHD_HS256_SECRET"), "{stderr}");
        assert!(
            !stderr.contains(secret),
            "the secret must not be echoed: {stderr}"
        );
        assert!(!dir.path().join("authd.db").exists(), "nothing starts");
    }
}
