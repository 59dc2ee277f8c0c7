//! CORS for an allowed origin only. Answered before any database work, so these run once, not per backend.

use crate::helpers::{Backend, TestApp, assert_error, spawn_app, spawn_app_with};

const SPA: &str = "http://spa.test:5173";

async fn app() -> TestApp {
    spawn_app_with(Backend::Sqlite, &[("AUTHD_CORS_ORIGINS", SPA)]).await
}

/// No `Access-Control-*` header at all.
fn no_cors_headers(response: &reqwest::Response) -> bool {
    response
        .headers()
        .keys()
        .all(|k| !k.as_str().starts_with("access-control-"))
}

#[actix_web::test]
async fn preflights_are_approved_for_allowed_origins_only() {
    let app = app().await;
    let preflight = |origin: &str, headers: &str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/v1/me"))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", headers)
            .send()
    };
    let allowed = preflight(SPA, "authorization, content-type").await.unwrap();
    assert_eq!(allowed.status(), 200);
    let headers = allowed.headers();
    assert_eq!(headers["access-control-allow-origin"], SPA);
    assert_eq!(headers["access-control-allow-credentials"], "true");
    let allow_headers = headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        allow_headers.contains("authorization") && allow_headers.contains("content-type"),
        "{allow_headers}"
    );
    assert!(headers.contains_key("access-control-max-age"));

    let refused = preflight("http://evil.test", "authorization")
        .await
        .unwrap();
    assert!(no_cors_headers(&refused));
    assert_error(refused, 400, "invalid_request").await;
}

#[actix_web::test]
async fn only_an_allowed_origin_may_read_the_response_headers() {
    let app = app().await;
    let from = |origin: &'static str| {
        app.client
            .get(app.url("/v1/me"))
            .header("origin", origin)
            .send()
    };
    let response = from(SPA).await.unwrap();
    assert_eq!(response.status(), 401);
    let exposed = response.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        exposed.contains("www-authenticate") && exposed.contains("retry-after"),
        "{exposed}"
    );
    let response = from("http://evil.test").await.unwrap();
    assert!(no_cors_headers(&response));
}

/// Without AUTHD_CORS_ORIGINS a preflight gets the contract's JSON refusal saying why, on any path, not the 405 of
/// a route that takes POST; a plain OPTIONS stays a 405.
#[actix_web::test]
async fn a_preflight_to_a_server_without_cors_says_cors_is_off() {
    let app = spawn_app(Backend::Sqlite).await;
    for path in ["/v1/auth/login", "/v1/me", "/no/such/path"] {
        let preflight = app
            .client
            .request(reqwest::Method::OPTIONS, app.url(path))
            .header("origin", SPA)
            .header("access-control-request-method", "POST")
            .send()
            .await
            .unwrap();
        assert!(no_cors_headers(&preflight));
        let body = assert_error(preflight, 400, "invalid_request").await;
        let description = body["error_description"].as_str().unwrap();
        assert!(
            description.contains("AUTHD_CORS_ORIGINS"),
            "{path}: {description}"
        );
    }
    let plain = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/v1/auth/login"))
        .send()
        .await
        .unwrap();
    assert_error(plain, 405, "method_not_allowed").await;
}
