//! The admin API on its own listener: keys, rights, and what an operator does to accounts.

use authd::cli::AdminKeysCommand;
use serde_json::{Value, json};

use crate::helpers::{
    Backend, PASSWORD, TestApp, assert_error, assert_invalid_grant, assert_invalid_token,
    payload_of, spawn_app, spawn_app_with,
};

async fn spawn(backend: Backend) -> TestApp {
    spawn_app_with(backend, &[("AUTHD_ADMIN_BIND", "127.0.0.1:0")]).await
}

/// An admin request with `key` (when given) and an optional JSON body.
async fn admin(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app.client.request(method, app.admin_url(path));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

async fn get(app: &TestApp, path: &str, key: &str) -> Value {
    let response = admin(app, reqwest::Method::GET, path, Some(key), None).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.unwrap()
}

async fn post(app: &TestApp, path: &str, key: &str) -> reqwest::Response {
    admin(app, reqwest::Method::POST, path, Some(key), None).await
}

async fn assert_key_refused(response: reqwest::Response) {
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        challenge.starts_with(r#"Bearer realm="authd-admin""#),
        "{challenge}"
    );
    assert_error(response, 401, "invalid_token").await;
}

/// No key, a user's access token, a made-up key and a revoked key are 401; a read-only key reads but every
/// write is 403 `insufficient_rights` and changes nothing.
async fn admin_routes_need_a_live_key_with_the_right_rights(backend: Backend) {
    let app = spawn(backend).await;
    let user = app.signed_up("user@example.com").await;
    let (writer, reader) = (app.admin_key("ops", false), app.admin_key("auditor", true));
    let users = "/admin/v1/users";
    assert_key_refused(admin(&app, reqwest::Method::GET, users, None, None).await).await;
    for bad in [
        user.access_token.as_str(),
        "authd_admin_made-up",
        &writer[..writer.len() - 2],
    ] {
        assert_key_refused(admin(&app, reqwest::Method::GET, users, Some(bad), None).await).await;
    }
    let id = &user.user.id;
    assert_eq!(
        get(&app, &format!("{users}/{id}"), &reader).await["user"]["id"],
        *id
    );
    for (method, path, body) in [
        (reqwest::Method::POST, format!("{users}/{id}/disable"), None),
        (reqwest::Method::POST, format!("{users}/{id}/logout"), None),
        (
            reqwest::Method::PUT,
            format!("{users}/{id}/roles"),
            Some(json!({"roles": ["admin"]})),
        ),
        (reqwest::Method::DELETE, format!("{users}/{id}"), None),
    ] {
        let response = admin(&app, method, &path, Some(&reader), body).await;
        assert_error(response, 403, "insufficient_rights").await;
    }
    assert_eq!(
        app.get("/v1/me", Some(&user.access_token)).await.status(),
        200
    );
    app.admin_keys(AdminKeysCommand::Revoke { name: "ops".into() })
        .unwrap();
    assert_key_refused(admin(&app, reqwest::Method::GET, users, Some(&writer), None).await).await;
    let listed = app.admin_keys(AdminKeysCommand::List).unwrap();
    assert!(listed.contains("ops") && listed.contains("auditor") && !listed.contains(&reader));
}

/// Disabling revokes every session at once and refuses login, but only after the password matched.
async fn a_disabled_account_is_logged_out_and_cannot_log_in(backend: Backend) {
    let app = spawn(backend).await;
    let key = app.admin_key("ops", false);
    let user = app.signed_up("user@example.com").await;
    let path = format!("/admin/v1/users/{}", user.user.id);
    let response = post(&app, &format!("{path}/disable"), &key).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        (
            body["user"]["disabled"].clone(),
            body["sessions_revoked"].clone()
        ),
        (json!(true), json!(1))
    );
    assert_invalid_token(
        app.get("/v1/me", Some(&user.access_token)).await,
        "session_revoked",
    )
    .await;
    assert_invalid_grant(app.refresh(&user.refresh_token).await, "session_revoked").await;
    assert_error(
        app.login("user@example.com", PASSWORD).await,
        403,
        "account_disabled",
    )
    .await;
    let wrong = app
        .login("user@example.com", "not the password at all")
        .await;
    assert_error(wrong, 401, "invalid_credentials").await;
    assert_eq!(
        post(&app, &format!("{path}/enable"), &key).await.status(),
        200
    );
    assert_eq!(app.login("user@example.com", PASSWORD).await.status(), 200);
    // Both changes are in the account's trail, naming the key; the revocation says why.
    let shown = get(&app, &path, &key).await;
    let events = shown["events"].as_array().unwrap();
    let admin: Vec<&Value> = events
        .iter()
        .filter(|e| e["kind"] == "admin_action")
        .collect();
    assert_eq!(
        admin[0]["detail"],
        json!({"action": "enable", "admin_key": "ops"})
    );
    assert_eq!(
        admin[1]["detail"],
        json!({"action": "disable", "admin_key": "ops"})
    );
    let revoked = events
        .iter()
        .find(|e| e["kind"] == "session_revoked")
        .unwrap();
    assert_eq!(revoked["detail"]["reason"], "account_disabled");
}

/// A forced logout ends every session; the account can log in again.
async fn a_forced_logout_ends_every_session(backend: Backend) {
    let app = spawn(backend).await;
    let key = app.admin_key("ops", false);
    let first = app.signed_up("user@example.com").await;
    let second = app.logged_in("user@example.com").await;
    let response = post(
        &app,
        &format!("/admin/v1/users/{}/logout", first.user.id),
        &key,
    )
    .await;
    assert_eq!(
        response.json::<Value>().await.unwrap()["sessions_revoked"],
        2
    );
    for tokens in [&first, &second] {
        assert_invalid_token(
            app.get("/v1/me", Some(&tokens.access_token)).await,
            "session_revoked",
        )
        .await;
    }
    assert_eq!(app.login("user@example.com", PASSWORD).await.status(), 200);
    let missing = post(
        &app,
        "/admin/v1/users/0190c0de-0000-7000-8000-000000000000/logout",
        &key,
    )
    .await;
    assert_error(missing, 404, "not_found").await;
}

/// Every account's email, read two per page by following `next_cursor`.
async fn every_email_page_by_page(app: &TestApp, key: &str) -> Vec<Value> {
    let (mut seen, mut cursor) = (vec![], String::new());
    loop {
        let page = get(app, &format!("/admin/v1/users?limit=2{cursor}"), key).await;
        seen.extend(
            page["users"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["email"].clone()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    seen
}

/// Bad paging parameters are 400, an unknown account 404.
async fn assert_bad_queries_are_refused(app: &TestApp, key: &str) {
    for bad in ["?limit=0", "?limit=201", "?cursor=nope", "?limit=x"] {
        let response = admin(
            app,
            reqwest::Method::GET,
            &format!("/admin/v1/users{bad}"),
            Some(key),
            None,
        )
        .await;
        assert_error(response, 400, "invalid_request").await;
    }
    let missing = "/admin/v1/users/0190c0de-0000-7000-8000-000000000000";
    assert_error(
        admin(app, reqwest::Method::GET, missing, Some(key), None).await,
        404,
        "not_found",
    )
    .await;
}

/// Search by part of the email (wildcards are literal), pages through a cursor, and shows live sessions.
async fn accounts_are_searched_and_paged(backend: Backend) {
    let app = spawn(backend).await;
    let key = app.admin_key("ops", false);
    for name in ["ann", "bob", "cat", "dan", "e_f"] {
        app.signed_up(&format!("{name}@example.com")).await;
    }
    let seen = every_email_page_by_page(&app, &key).await;
    let emails: Vec<&str> = seen.iter().map(|e| e.as_str().unwrap()).collect();
    assert_eq!(
        emails,
        ["ann", "bob", "cat", "dan", "e_f"].map(|n| format!("{n}@example.com"))
    );
    let found = get(&app, "/admin/v1/users?q=_", &key).await;
    assert_eq!(found["users"].as_array().unwrap().len(), 1, "{found}");
    let found = get(&app, "/admin/v1/users?q=BOB", &key).await;
    let bob = found["users"][0].clone();
    assert_eq!(bob["email"], "bob@example.com");
    let shown = get(
        &app,
        &format!("/admin/v1/users/{}", bob["id"].as_str().unwrap()),
        &key,
    )
    .await;
    assert_eq!(shown["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(
        shown["mfa"],
        json!({"enabled": false, "pending": false, "recovery_codes_left": 0})
    );
    assert!(shown.to_string().find("argon2").is_none());
    assert_bad_queries_are_refused(&app, &key).await;
}

/// Deleting wipes the account at once: its tokens die, its login fails like an unknown email, its address is
/// free again, and a second delete is 404.
async fn a_deleted_account_is_gone(backend: Backend) {
    let app = spawn(backend).await;
    let key = app.admin_key("ops", false);
    let user = app.signed_up("user@example.com").await;
    let path = format!("/admin/v1/users/{}", user.user.id);
    let response = admin(&app, reqwest::Method::DELETE, &path, Some(&key), None).await;
    assert_eq!(response.status(), 204);
    // The trail keeps the events, by id only: no address or user agent is left.
    let trail: Vec<_> = crate::admin::audit::stored(&app)
        .into_iter()
        .filter(|e| e.user_id.as_deref() == Some(user.user.id.as_str()))
        .collect();
    assert!(trail.iter().any(|e| e.kind == "admin_action"), "{trail:?}");
    assert!(
        trail
            .iter()
            .all(|e| e.ip.is_none() && e.user_agent.is_none()),
        "{trail:?}"
    );
    assert_invalid_token(
        app.get("/v1/me", Some(&user.access_token)).await,
        "session_revoked",
    )
    .await;
    assert_error(
        app.login("user@example.com", PASSWORD).await,
        401,
        "invalid_credentials",
    )
    .await;
    assert_error(
        admin(&app, reqwest::Method::GET, &path, Some(&key), None).await,
        404,
        "not_found",
    )
    .await;
    let again = admin(&app, reqwest::Method::DELETE, &path, Some(&key), None).await;
    assert_error(again, 404, "not_found").await;
    let listed = get(&app, "/admin/v1/users", &key).await;
    assert!(listed["users"].as_array().unwrap().is_empty());
    assert_eq!(app.signup("user@example.com", PASSWORD).await.status(), 201);
}

/// Roles reach access tokens at the next refresh and the gateway header; bad lists are 400.
async fn roles_reach_the_token_at_the_next_refresh(backend: Backend) {
    let app = spawn(backend).await;
    let key = app.admin_key("ops", false);
    let user = app.signed_up("user@example.com").await;
    let verify = app.get("/v1/auth/verify", Some(&user.access_token)).await;
    assert_eq!(verify.headers()["x-auth-roles"], "");
    let path = format!("/admin/v1/users/{}/roles", user.user.id);
    let roles = json!({"roles": ["admin", "billing:read", "admin"]});
    let response = admin(&app, reqwest::Method::PUT, &path, Some(&key), Some(roles)).await;
    assert_eq!(
        response.json::<Value>().await.unwrap()["user"]["roles"],
        json!(["admin", "billing:read"])
    );
    assert!(payload_of(&user.access_token).get("roles").is_none());
    let refreshed: Value = app.refresh(&user.refresh_token).await.json().await.unwrap();
    let access = refreshed["access_token"].as_str().unwrap();
    assert_eq!(
        payload_of(access)["roles"],
        json!(["admin", "billing:read"])
    );
    let verify = app.get("/v1/auth/verify", Some(access)).await;
    assert_eq!(verify.headers()["x-auth-roles"], "admin,billing:read");
    // A gateway's per-route rule: the role must be one of the token's, exactly.
    let with_role = app
        .get("/v1/auth/verify?role=billing:read", Some(access))
        .await;
    assert_eq!(with_role.status(), 200);
    for missing in ["?role=billing", "?role=ADMIN", "?role="] {
        let response = app
            .get(&format!("/v1/auth/verify{missing}"), Some(access))
            .await;
        let challenge = response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            challenge.contains(r#"error="insufficient_scope""#),
            "{challenge}"
        );
        assert_error(response, 403, "insufficient_scope").await;
    }
    let old = app
        .get("/v1/auth/verify?role=admin", Some(&user.access_token))
        .await;
    assert_error(old, 403, "insufficient_scope").await;
    let too_many: Vec<String> = (0..17).map(|n| format!("r{n}")).collect();
    for bad in [
        json!({"roles": ["has space"]}),
        json!({"roles": too_many}),
        json!({"roles": "admin"}),
        json!({}),
    ] {
        let response = admin(&app, reqwest::Method::PUT, &path, Some(&key), Some(bad)).await;
        assert_error(response, 400, "invalid_request").await;
    }
}

backend_tests!(
    admin_routes_need_a_live_key_with_the_right_rights,
    a_disabled_account_is_logged_out_and_cannot_log_in,
    a_forced_logout_ends_every_session,
    accounts_are_searched_and_paged,
    a_deleted_account_is_gone,
    roles_reach_the_token_at_the_next_refresh,
);

/// The public listener has no admin routes, even for a valid key; without AUTHD_ADMIN_BIND there is no admin
/// listener at all.
#[actix_web::test]
async fn the_public_listener_never_serves_the_admin_api() {
    let app = spawn(Backend::Sqlite).await;
    let key = app.admin_key("ops", false);
    let response = app.get("/admin/v1/users", Some(&key)).await;
    assert_error(response, 404, "not_found").await;
    assert!(spawn_app(Backend::Sqlite).await.admin_address.is_none());
    let wrong_method = admin(
        &app,
        reqwest::Method::PATCH,
        "/admin/v1/users",
        Some(&key),
        None,
    )
    .await;
    assert_error(wrong_method, 405, "method_not_allowed").await;
    let taken = app.admin_keys(AdminKeysCommand::Create {
        name: "ops".into(),
        read_only: false,
    });
    assert!(taken.unwrap_err().contains("already exists"));
    let unknown = app.admin_keys(AdminKeysCommand::Revoke {
        name: "nobody".into(),
    });
    assert!(unknown.is_err());
}

/// `openapi-admin.yaml` documents exactly the routes the admin listener serves.
#[test]
fn the_admin_spec_documents_every_admin_route() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi-admin.yaml"))
        .unwrap();
    let spec = yaml_rust2::YamlLoader::load_from_str(&text)
        .unwrap()
        .remove(0);
    let documented = crate::contract::openapi::documented_operations(&spec);
    let served: std::collections::BTreeSet<(String, String)> = authd::admin::ADMIN_ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(documented, served);
}
