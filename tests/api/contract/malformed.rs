//! Every malformed body gets a JSON 4xx in the contract's shape, never actix's text/plain default. Bodies are
//! judged before any database work, so these run once, not per backend.

use serde_json::json;

use crate::helpers::{Backend, assert_error, spawn_app};

#[actix_web::test]
async fn bad_bodies_get_400_invalid_request() {
    let app = spawn_app(Backend::Sqlite).await;
    for path in ["/v1/auth/signup", "/v1/auth/login"] {
        let raw = |body: &'static str| {
            app.client
                .post(app.url(path))
                .header("content-type", "application/json")
                .body(body)
                .send()
        };
        for body in [
            "",
            "{",
            "not json",
            "[]",
            "null",
            "{\"email\": \"a@b.co\"}",
            "{\"password\": \"x\"}",
        ] {
            assert_error(raw(body).await.unwrap(), 400, "invalid_request").await;
        }
        for body in [
            json!({"email": 5, "password": "x"}),
            json!({"email": "a@b.co", "password": ["x"]}),
        ] {
            assert_error(app.post_json(path, &body).await, 400, "invalid_request").await;
        }
        let no_content_type = app
            .client
            .post(app.url(path))
            .body(r#"{"email":"a@b.co","password":"x"}"#);
        assert_error(
            no_content_type.send().await.unwrap(),
            400,
            "invalid_request",
        )
        .await;
        let form = app
            .client
            .post(app.url(path))
            .header("content-type", "application/x-www-form-urlencoded");
        assert_error(
            form.body("email=a@b.co&password=x").send().await.unwrap(),
            400,
            "invalid_request",
        )
        .await;
        let invalid_utf8 = app
            .client
            .post(app.url(path))
            .header("content-type", "application/json");
        let bytes = b"{\"email\":\"\xff\xfe\",\"password\":\"x\"}".to_vec();
        assert_error(
            invalid_utf8.body(bytes).send().await.unwrap(),
            400,
            "invalid_request",
        )
        .await;
    }
}

#[actix_web::test]
async fn arrays_and_other_non_objects_are_not_bodies() {
    let app = spawn_app(Backend::Sqlite).await;
    let tokens = app.signed_up("shape@example.com").await;
    let credentials = json!(["shape@example.com", crate::helpers::PASSWORD]);
    let refresh = json!([tokens.refresh_token]);
    for (path, body) in [
        (
            "/v1/auth/signup",
            json!(["new@example.com", crate::helpers::PASSWORD]),
        ),
        ("/v1/auth/login", credentials),
        ("/v1/auth/refresh", refresh.clone()),
        ("/v1/auth/logout", json!([tokens.refresh_token, null])),
        ("/v1/auth/refresh", json!("a string")),
        ("/v1/auth/logout", json!(42)),
    ] {
        assert_error(app.post_json(path, &body).await, 400, "invalid_request").await;
    }
    // The session those arrays carried is untouched.
    assert_eq!(app.refresh(&tokens.refresh_token).await.status(), 200);
}

#[actix_web::test]
async fn bodies_over_16_kib_get_413() {
    let app = spawn_app(Backend::Sqlite).await;
    let hundred_kb = "a".repeat(100 * 1024);
    for path in ["/v1/auth/signup", "/v1/auth/login"] {
        let body = json!({"email": format!("{hundred_kb}@example.com"), "password": "x"});
        assert_error(app.post_json(path, &body).await, 413, "payload_too_large").await;
        let body = json!({"email": "big@example.com", "password": hundred_kb});
        assert_error(app.post_json(path, &body).await, 413, "payload_too_large").await;
    }
    // Streamed without a Content-Length, the limit still holds.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..40).map(|_| Ok(vec![b' '; 1024])).collect();
    let stream = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
    let response = app
        .client
        .post(app.url("/v1/auth/signup"))
        .header("content-type", "application/json")
        .body(stream)
        .send()
        .await
        .unwrap();
    assert_error(response, 413, "payload_too_large").await;
}

#[actix_web::test]
async fn strings_just_under_the_limit_are_judged_not_crashed() {
    let app = spawn_app(Backend::Sqlite).await;
    let ten_kb = "b".repeat(10 * 1024);
    let body = json!({"email": format!("{ten_kb}@example.com"), "password": "correct horse battery staple"});
    assert_error(
        app.post_json("/v1/auth/signup", &body).await,
        422,
        "invalid_email",
    )
    .await;
    let body = json!({"email": "ok@example.com", "password": ten_kb});
    assert_error(
        app.post_json("/v1/auth/signup", &body).await,
        422,
        "weak_password",
    )
    .await;
}
