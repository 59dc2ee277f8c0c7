//! Key rotation without logging anyone out, driven through the `authd keys` code path while the server runs.

use authd::cli::{KeysCommand, Kind};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, decode_header};
use serde_json::Value;

use crate::helpers::{
    Backend, PASSWORD, TestApp, assert_invalid_token, authd, eventually, kid_of, spawn_app,
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
    serde_json::from_value(crate::helpers::jwks(app).await).unwrap()
}

/// `keys generate`: the next key is published before it signs anything. Returns its kid.
async fn generate_a_next_key(app: &TestApp, old_kid: &str) -> String {
    let said = app
        .keys(KeysCommand::Generate {
            kind: Kind::Access,
            alg: None,
        })
        .unwrap();
    assert!(said.contains("as next"), "{said}");
    let next_kid = kid_in_state(app, "access", "next");
    eventually("the next key in the JWKS", || async {
        jwks(app).await.find(&next_kid).is_some()
    })
    .await;
    assert_eq!(
        kid_of(&app.fresh_access_token("rotate@example.com").await),
        old_kid
    );
    next_kid
}

/// `keys rotate`: new tokens use the next key; `before`, signed with the old one, still verifies.
async fn rotate_to_it(app: &TestApp, before: &str, old_kid: &str, next_kid: &str) {
    app.keys(KeysCommand::Rotate { kind: Kind::Access })
        .unwrap();
    eventually("the rotated key signing", || async {
        kid_of(&app.fresh_access_token("rotate@example.com").await) == next_kid
    })
    .await;
    assert_eq!(kid_in_state(app, "access", "retiring"), old_kid);
    assert_eq!(app.get("/v1/me", Some(before)).await.status(), 200);
    assert_eq!(app.get("/v1/auth/verify", Some(before)).await.status(), 200);
    let published = jwks(app).await;
    assert!(published.find(old_kid).is_some() && published.find(next_kid).is_some());
}

/// `keys retire`: refused for the active key and, without --force, while the old key's tokens may be valid;
/// forced, the old key's tokens stop working and the key leaves the JWKS and the ring.
async fn retire_the_old_key(app: &TestApp, before: &str, old_kid: &str, next_kid: &str) {
    let active = app
        .keys(KeysCommand::Retire {
            kid: next_kid.to_owned(),
            force: true,
        })
        .unwrap_err();
    assert!(active.contains("active"), "{active}");
    let early = app
        .keys(KeysCommand::Retire {
            kid: old_kid.to_owned(),
            force: false,
        })
        .unwrap_err();
    assert!(early.contains("--force"), "{early}");
    app.keys(KeysCommand::Retire {
        kid: old_kid.to_owned(),
        force: true,
    })
    .unwrap();
    eventually("the retired key gone", || async {
        app.get("/v1/me", Some(before)).await.status() == 401
    })
    .await;
    assert_invalid_token(app.get("/v1/me", Some(before)).await, "unknown_kid").await;
    assert!(jwks(app).await.find(old_kid).is_none());
    assert!(!app.ring_keys().iter().any(|k| k["kid"] == old_kid));
}

async fn a_rotation_logs_nobody_out_and_retiring_a_key_revokes_its_tokens(backend: Backend) {
    let app = spawn_app(backend).await;
    let before = app.signed_up("rotate@example.com").await;
    let old_kid = kid_of(&before.access_token);
    assert_eq!(old_kid, kid_in_state(&app, "access", "active"));

    let next_kid = generate_a_next_key(&app, &old_kid).await;
    rotate_to_it(&app, &before.access_token, &old_kid, &next_kid).await;
    retire_the_old_key(&app, &before.access_token, &old_kid, &next_kid).await;
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
    the_authd_keys_binary_rotates_a_running_server,
);
