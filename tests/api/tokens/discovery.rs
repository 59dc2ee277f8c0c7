//! The discovery document and the JWKS's HTTP caching. Neither reads the database, so each runs once.

use serde_json::Value;

use crate::helpers::{Backend, ISSUER, eventually, spawn_app};

#[actix_web::test]
async fn discovery_names_the_issuer_the_jwks_and_authd_endpoints() {
    let app = spawn_app(Backend::Sqlite).await;
    let response = app.get("/.well-known/openid-configuration", None).await;
    assert_eq!(response.status(), 200);
    let cache = response.headers()["cache-control"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cache.starts_with("public, max-age="), "{cache}");
    let doc: Value = response.json().await.unwrap();
    assert_eq!(doc["issuer"], ISSUER);
    assert_eq!(doc["jwks_uri"], format!("{ISSUER}/.well-known/jwks.json"));
    for (field, path) in [
        ("authd_signup_endpoint", "/v1/auth/signup"),
        ("authd_login_endpoint", "/v1/auth/login"),
        ("authd_refresh_endpoint", "/v1/auth/refresh"),
        ("authd_logout_endpoint", "/v1/auth/logout"),
        ("authd_verify_endpoint", "/v1/auth/verify"),
    ] {
        assert_eq!(doc[field], format!("{ISSUER}{path}"), "{field}");
    }
    assert_eq!(
        doc["authd_access_token_signing_alg_values_supported"],
        serde_json::json!(["EdDSA"])
    );
    // Not an OAuth authorization server: no endpoint an OAuth client would try to use.
    assert!(doc.get("token_endpoint").is_none() && doc.get("authorization_endpoint").is_none());
}

#[actix_web::test]
async fn jwks_carries_an_etag_and_answers_if_none_match_with_304() {
    let app = spawn_app(Backend::Sqlite).await;
    let first = app.get("/.well-known/jwks.json", None).await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["cache-control"], "public, max-age=300");
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    let conditional = |tag: String| {
        app.client
            .get(app.url("/.well-known/jwks.json"))
            .header("if-none-match", tag)
            .send()
    };
    for tag in [
        etag.clone(),
        format!("W/{etag}"),
        format!("\"other\", {etag}"),
        "*".to_owned(),
    ] {
        let response = conditional(tag.clone()).await.unwrap();
        assert_eq!(response.status(), 304, "{tag}");
        assert_eq!(response.headers()["etag"].to_str().unwrap(), etag);
        assert!(response.bytes().await.unwrap().is_empty());
    }
    let changed = conditional("\"stale\"".to_owned()).await.unwrap();
    assert_eq!(changed.status(), 200);
    // A ring change (a next key published) changes the tag.
    app.keys(authd::cli::KeysCommand::Generate {
        kind: authd::cli::Kind::Access,
        alg: None,
    })
    .unwrap();
    eventually("a new JWKS tag after `keys generate`", || async {
        let after = app.get("/.well-known/jwks.json", None).await;
        after.headers()["etag"].to_str().unwrap() != etag
    })
    .await;
    let jwks = crate::helpers::jwks(&app).await;
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
}
