use serde_json::Value;

use crate::helpers::{AUDIENCE, Backend, ISSUER, assert_invalid_token, spawn_app};

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

backend_tests!(
    verify_returns_claims_and_gateway_headers,
    verify_refuses_a_refresh_token
);
