use serde_json::Value;

use crate::helpers::{
    AUDIENCE, Backend, ISSUER, access_claims, assert_error, assert_invalid_token, eddsa_header,
    kid_of, payload_of, sign_with_server_key, spawn_app, spawn_app_with,
};

async fn verify_returns_claims_and_gateway_headers(backend: Backend) {
    let app = spawn_app(backend).await;
    let tokens = app.signed_up("gateway@example.com").await;
    let response = app.get("/v1/auth/verify", Some(&tokens.access_token)).await;
    assert_eq!(response.status(), 200);
    let user_header = response
        .headers()
        .get("x-auth-user-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let session_header = response
        .headers()
        .get("x-auth-session-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let claims: Value = response.json().await.unwrap();
    assert_eq!(claims["sub"], tokens.user.id.as_str());
    assert_eq!(user_header, tokens.user.id);
    assert_eq!(claims["sid"], session_header.as_str());
    assert_eq!(
        (claims["iss"].as_str(), claims["aud"].as_str()),
        (Some(ISSUER), Some(AUDIENCE))
    );
    let (iat, exp) = (
        claims["iat"].as_i64().unwrap(),
        claims["exp"].as_i64().unwrap(),
    );
    assert_eq!(exp - iat, 900);
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
}

async fn verify_refuses_a_refresh_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let tokens = app.signed_up("gateway2@example.com").await;
    assert_invalid_token(
        app.get("/v1/auth/verify", Some(&tokens.refresh_token))
            .await,
        "wrong_type",
    )
    .await;
    assert_invalid_token(app.get("/v1/auth/verify", None).await, "missing").await;
}

/// `typ` is a media type (RFC 7515 §4.1.9): compared case-insensitively, `application/` optional, so RFC 9068's
/// `application/at+jwt` is an access token too. Each token goes twice, the second time through the cache of
/// verified tokens, which must not change the answer.
async fn typ_is_compared_as_a_media_type(backend: Backend) {
    let app = spawn_app(backend).await;
    let tokens = app.signed_up("media-type@example.com").await;
    let sid = payload_of(&tokens.access_token)["sid"]
        .as_str()
        .unwrap()
        .to_owned();
    let kid = kid_of(&tokens.access_token);
    let sign = |typ: &str| {
        let claims = access_claims(&tokens.user.id, &sid);
        sign_with_server_key(&app, "access", eddsa_header(Some(typ), Some(&kid)), &claims)
    };
    for typ in [
        "application/at+jwt",
        "Application/AT+JWT",
        "AT+JWT",
        "at+jwt",
    ] {
        let token = sign(typ);
        for path in ["/v1/auth/verify", "/v1/me", "/v1/auth/verify", "/v1/me"] {
            let status = app.get(path, Some(&token)).await.status();
            assert_eq!(status, 200, "{typ} at {path}");
        }
    }
    for typ in [
        "application/refresh+jwt",
        "refresh+jwt",
        "application/jwt",
        "JWT",
        "text/at+jwt",
        "/at+jwt",
        "application/at+jwt; charset=utf-8",
        "application/ at+jwt",
        "application/application/at+jwt",
    ] {
        let token = sign(typ);
        for path in ["/v1/auth/verify", "/v1/me", "/v1/auth/verify"] {
            assert_invalid_token(app.get(path, Some(&token)).await, "wrong_type").await;
        }
    }
}

/// `role` is the only parameter and may repeat (every role named is required); anything else is a 400, so a
/// misspelt gateway rule fails closed and loudly.
async fn verify_takes_only_role_and_requires_every_one(backend: Backend) {
    let app = spawn_app_with(backend, &[("AUTHD_ADMIN_BIND", "127.0.0.1:0")]).await;
    let key = app.admin_key("ops", false);
    let user = app.signed_up("roles@example.com").await;
    let path = format!("/admin/v1/users/{}/roles", user.user.id);
    let set = app
        .client
        .put(app.admin_url(&path))
        .bearer_auth(&key)
        .json(&serde_json::json!({"roles": ["admin", "billing:read"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let refreshed: Value = app.refresh(&user.refresh_token).await.json().await.unwrap();
    let access = refreshed["access_token"].as_str().unwrap();
    let app = &app;
    let verify = |query: &str| {
        let path = format!("/v1/auth/verify{query}");
        async move { app.get(&path, Some(access)).await }
    };
    for unknown in ["?roles=admin", "?role=admin&scope=x", "?Role=admin", "?x"] {
        let body = assert_error(verify(unknown).await, 400, "invalid_request").await;
        let description = body["error_description"].as_str().unwrap();
        assert!(
            description.contains("only role"),
            "{unknown}: {description}"
        );
    }
    for (query, status) in [
        ("?role=admin&role=billing:read", 200),
        ("?role=admin&role=admin", 200),
        ("?role=admin&role=ops", 403),
        ("?role=ops&role=admin", 403),
        ("?role=admin", 200),
        ("", 200),
    ] {
        assert_eq!(verify(query).await.status(), status, "{query}");
    }
}

backend_tests!(
    verify_takes_only_role_and_requires_every_one,
    verify_returns_claims_and_gateway_headers,
    verify_refuses_a_refresh_token,
    typ_is_compared_as_a_media_type,
);
