//! A refused token's `reason` is also a header (`X-Auth-Reason`), because a gateway's auth subrequest (nginx
//! `auth_request`) sees the headers of authd's answer but never its body.

use serde_json::json;

use crate::helpers::{Backend, spawn_app};

/// The header of a response, and the `reason` of its JSON body.
async fn header_and_body_reason(response: reqwest::Response) -> (Option<String>, String) {
    let header = response
        .headers()
        .get("x-auth-reason")
        .map(|v| v.to_str().unwrap().to_owned());
    let body: serde_json::Value = response.json().await.unwrap();
    (
        header,
        body["reason"].as_str().unwrap_or_default().to_owned(),
    )
}

async fn a_refused_token_names_its_reason_in_a_header_too(backend: Backend) {
    let app = spawn_app(backend).await;
    let tokens = app.signed_up("reason-header@example.com").await;
    let cases = [
        (None, "missing"),
        (Some("not-a-token"), "malformed"),
        (Some(tokens.refresh_token.as_str()), "wrong_type"),
    ];
    for (bearer, reason) in cases {
        let response = app.get("/v1/auth/verify", bearer).await;
        assert_eq!(response.status(), 401, "{reason}");
        let (header, body_reason) = header_and_body_reason(response).await;
        assert_eq!(header.as_deref(), Some(reason));
        assert_eq!(body_reason, reason);
    }
    // A refresh token refusal (invalid_grant) carries it as well.
    let refused = app
        .post_json(
            "/v1/auth/refresh",
            &json!({"refresh_token": tokens.access_token}),
        )
        .await;
    assert_eq!(refused.status(), 401);
    let (header, body_reason) = header_and_body_reason(refused).await;
    assert_eq!(
        (header.as_deref(), body_reason.as_str()),
        (Some("wrong_type"), "wrong_type")
    );
    // A valid token's answer has none, and neither has an error without a reason.
    let ok = app.get("/v1/auth/verify", Some(&tokens.access_token)).await;
    assert_eq!(ok.status(), 200);
    assert!(ok.headers().get("x-auth-reason").is_none());
    let not_found = app.get("/v1/nothing-here", None).await;
    assert_eq!(not_found.status(), 404);
    assert!(not_found.headers().get("x-auth-reason").is_none());
}

backend_tests!(a_refused_token_names_its_reason_in_a_header_too);
