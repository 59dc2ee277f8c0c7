//! Key rotation without logging anyone out, driven through the `authd keys` code path while the server runs.

use authd::cli::{KeysCommand, Kind};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde_json::Value;

use crate::helpers::{
    AUDIENCE, Backend, ISSUER, PASSWORD, TestApp, assert_invalid_token, authd, eventually, kid_of,
    spawn_app, spawn_app_with,
};

fn kid_in_state(app: &TestApp, kind: &str, state: &str) -> String {
    app.ring_keys()
        .into_iter()
        .find(|k| k["kind"] == kind && k["state"] == state)
        .unwrap_or_else(|| panic!("no {state} {kind} key"))["kid"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn jwks(app: &TestApp) -> JwkSet {
    app.get("/.well-known/jwks.json", None)
        .await
        .json()
        .await
        .unwrap()
}

async fn a_rotation_logs_nobody_out_and_retiring_a_key_revokes_its_tokens(backend: Backend) {
    let app = spawn_app(backend).await;
    let before = app.signed_up("rotate@example.com").await;
    let old_kid = kid_of(&before.access_token);
    assert_eq!(old_kid, kid_in_state(&app, "access", "active"));

    // generate: the next key is published before it signs anything.
    let said = app
        .keys(KeysCommand::Generate {
            kind: Kind::Access,
            alg: None,
        })
        .unwrap();
    assert!(said.contains("as next"), "{said}");
    let next_kid = kid_in_state(&app, "access", "next");
    eventually("the next key in the JWKS", || async {
        jwks(&app).await.find(&next_kid).is_some()
    })
    .await;
    assert_eq!(
        kid_of(&app.fresh_access_token("rotate@example.com").await),
        old_kid
    );

    // rotate: new tokens use the new key; tokens from before still verify.
    app.keys(KeysCommand::Rotate { kind: Kind::Access })
        .unwrap();
    eventually("the rotated key signing", || async {
        kid_of(&app.fresh_access_token("rotate@example.com").await) == next_kid
    })
    .await;
    assert_eq!(kid_in_state(&app, "access", "retiring"), old_kid);
    assert_eq!(
        app.get("/v1/me", Some(&before.access_token)).await.status(),
        200
    );
    assert_eq!(
        app.get("/v1/auth/verify", Some(&before.access_token))
            .await
            .status(),
        200
    );
    let published = jwks(&app).await;
    assert!(published.find(&old_kid).is_some() && published.find(&next_kid).is_some());

    // retire: refused for the active key and, without --force, while the old key's tokens may be valid.
    let active = app
        .keys(KeysCommand::Retire {
            kid: next_kid.clone(),
            force: true,
        })
        .unwrap_err();
    assert!(active.contains("active"), "{active}");
    let early = app
        .keys(KeysCommand::Retire {
            kid: old_kid.clone(),
            force: false,
        })
        .unwrap_err();
    assert!(early.contains("--force"), "{early}");
    app.keys(KeysCommand::Retire {
        kid: old_kid.clone(),
        force: true,
    })
    .unwrap();
    eventually("the retired key gone", || async {
        app.get("/v1/me", Some(&before.access_token)).await.status() == 401
    })
    .await;
    assert_invalid_token(
        app.get("/v1/me", Some(&before.access_token)).await,
        "unknown_kid",
    )
    .await;
    assert!(jwks(&app).await.find(&old_kid).is_none());
    assert!(!app.ring_keys().iter().any(|k| k["kid"] == old_kid.as_str()));
    let after = app.fresh_access_token("rotate@example.com").await;
    assert_eq!(app.get("/v1/me", Some(&after)).await.status(), 200);
}

async fn rotate_without_a_next_key_generates_one_and_warns(backend: Backend) {
    let app = spawn_app(backend).await;
    let before = app.signed_up("hasty@example.com").await;
    let said = app
        .keys(KeysCommand::Rotate { kind: Kind::Access })
        .unwrap();
    assert!(said.contains("warning"), "{said}");
    let new_kid = kid_in_state(&app, "access", "active");
    assert_ne!(new_kid, kid_of(&before.access_token));
    eventually("the new key signing", || async {
        kid_of(&app.fresh_access_token("hasty@example.com").await) == new_kid
    })
    .await;
    assert_eq!(
        app.get("/v1/me", Some(&before.access_token)).await.status(),
        200
    );
}

async fn the_refresh_key_rotates_the_same_way_and_is_never_published(backend: Backend) {
    let app = spawn_app(backend).await;
    let before = app.signed_up("refresh-rotation@example.com").await;
    let old_kid = kid_of(&before.refresh_token);
    app.keys(KeysCommand::Generate {
        kind: Kind::Refresh,
        alg: None,
    })
    .unwrap();
    app.keys(KeysCommand::Rotate {
        kind: Kind::Refresh,
    })
    .unwrap();
    let new_kid = kid_in_state(&app, "refresh", "active");
    eventually("the new refresh key signing", || async {
        let response = app.login("refresh-rotation@example.com", PASSWORD).await;
        let body: Value = response.json().await.unwrap();
        kid_of(body["refresh_token"].as_str().unwrap()) == new_kid
    })
    .await;
    let published = jwks(&app).await;
    assert!(published.find(&old_kid).is_none() && published.find(&new_kid).is_none());
    assert_eq!(published.keys.len(), 1, "only the access key is published");
    // The refresh token from before the rotation still rotates (its key now only verifies), and the new
    // pair's refresh token is signed by the new key.
    let response = app.refresh(&before.refresh_token).await;
    assert_eq!(response.status(), 200);
    let after: Value = response.json().await.unwrap();
    assert_eq!(kid_of(after["refresh_token"].as_str().unwrap()), new_kid);
    // Retiring it early is refused (refresh lifetime), and it stays unpublished.
    let early = app
        .keys(KeysCommand::Retire {
            kid: old_kid,
            force: false,
        })
        .unwrap_err();
    assert!(early.contains("refresh tokens it signed"), "{early}");
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
    let raw: Value = app
        .get("/.well-known/jwks.json", None)
        .await
        .json()
        .await
        .unwrap();
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
    // A downstream verifier with only the JWKS accepts it.
    let set: JwkSet = serde_json::from_value(raw.clone()).unwrap();
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    let jwk = set.find(header.kid.as_deref().unwrap()).unwrap();
    decode::<Value>(
        &tokens.access_token,
        &DecodingKey::from_jwk(jwk).unwrap(),
        &validation,
    )
    .unwrap();
    // Same claims and kid, header switched to EdDSA: the key's algorithm wins, not the header's.
    let parts: Vec<&str> = tokens.access_token.split('.').collect();
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut forged_header: Value = serde_json::from_slice(&b64.decode(parts[0]).unwrap()).unwrap();
    forged_header["alg"] = "EdDSA".into();
    let forged = format!(
        "{}.{}.{}",
        b64.encode(forged_header.to_string()),
        parts[1],
        parts[2]
    );
    assert_invalid_token(app.get("/v1/me", Some(&forged)).await, "bad_signature").await;
    // Algorithm confusion: HS256 keyed with public material of the P-256 key, under its kid.
    let claims: Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
    let mut point = vec![4u8];
    point.extend(b64.decode(key["x"].as_str().unwrap()).unwrap());
    point.extend(b64.decode(key["y"].as_str().unwrap()).unwrap());
    let jwk_text = key.to_string();
    for secret in [
        point.as_slice(),
        jwk_text.as_bytes(),
        key["x"].as_str().unwrap().as_bytes(),
    ] {
        let mut hs = jsonwebtoken::Header::new(Algorithm::HS256);
        hs.typ = Some("at+jwt".into());
        hs.kid = header.kid.clone();
        let confused = jsonwebtoken::encode(
            &hs,
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(secret),
        )
        .unwrap();
        assert_invalid_token(app.get("/v1/me", Some(&confused)).await, "bad_signature").await;
    }
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

/// The real binary's `keys` subcommands against a running server's directory.
async fn the_authd_keys_binary_rotates_a_running_server(backend: Backend) {
    let app = spawn_app(backend).await;
    let before = app.signed_up("binary@example.com").await;
    let run = |args: &[&str]| {
        let exit = authd(&app.vars).run(args);
        assert_eq!(exit.code, 0, "{args:?}: {}", exit.stderr);
        exit.stdout
    };
    run(&["keys", "generate", "--kind", "access", "--alg", "ES256"]);
    let listed = run(&["keys", "list"]);
    assert!(
        listed.contains("ES256") && listed.contains("next"),
        "{listed}"
    );
    run(&["keys", "rotate"]);
    eventually("the ES256 key signing", || async {
        decode_header(&app.fresh_access_token("binary@example.com").await)
            .unwrap()
            .alg
            == Algorithm::ES256
    })
    .await;
    assert_eq!(
        app.get("/v1/me", Some(&before.access_token)).await.status(),
        200
    );
}

backend_tests!(
    a_rotation_logs_nobody_out_and_retiring_a_key_revokes_its_tokens,
    rotate_without_a_next_key_generates_one_and_warns,
    the_refresh_key_rotates_the_same_way_and_is_never_published,
    an_es256_ring_works_end_to_end_and_stays_pinned,
    the_authd_keys_binary_rotates_a_running_server,
);
