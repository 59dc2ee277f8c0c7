use crate::helpers::{Backend, assert_error, spawn_app};

async fn healthz_and_readyz_answer_200(backend: Backend) {
    let app = spawn_app(backend).await;
    for path in ["/healthz", "/readyz"] {
        let response = app.get(path, None).await;
        assert_eq!(response.status(), 200, "{path}");
        assert!(response.headers().contains_key("x-request-id"));
    }
}

// Routing answers before any database work, so this runs once.
#[actix_web::test]
async fn unknown_routes_and_methods_get_json_errors() {
    let app = spawn_app(Backend::Sqlite).await;
    assert_error(app.get("/v1/nothing-here", None).await, 404, "not_found").await;
    let response = app
        .client
        .delete(app.url("/v1/auth/signup"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers().get("allow").unwrap(), "POST");
    assert_error(response, 405, "method_not_allowed").await;
    // A protected route still says 405 for a wrong method, before asking for credentials.
    assert_error(
        app.client.post(app.url("/v1/me")).send().await.unwrap(),
        405,
        "method_not_allowed",
    )
    .await;
}

backend_tests!(healthz_and_readyz_answer_200);
