//! The audit trail: what each change records, read back from `GET /v1/me/events`; its pagination; whose events
//! a caller sees; that no secret is ever stored; that an event commits only with its change; pruning.

use std::time::Duration;

use authd::config::DatabaseUrl;
use authd::db::models::AuthEvent;
use authd::db::schema::auth_events;
use authd::db::{self, AnyConnection, Db, events};
use chrono::Utc;
use diesel::prelude::*;
use serde_json::{Value, json};

use crate::helpers::{
    Backend, PASSWORD, TestApp, assert_error, assert_invalid_grant, assert_invalid_token,
    eventually, spawn_app, spawn_app_with,
};

const WRONG_PASSWORD: &str = "not the password at all, sorry";
const NEW_PASSWORD: &str = "another long and unguessable phrase";

fn connect(app: &TestApp) -> AnyConnection {
    db::connect(&DatabaseUrl::parse(&app.vars["AUTHD_DATABASE_URL"]).unwrap()).unwrap()
}

fn pool(app: &TestApp) -> Db {
    Db::new(db::build_pool(
        &DatabaseUrl::parse(&app.vars["AUTHD_DATABASE_URL"]).unwrap(),
        2,
    ))
}

/// One page of the caller's events (asserting the 200 and its headers).
async fn page(app: &TestApp, access_token: &str, query: &str) -> Value {
    let response = app
        .get(&format!("/v1/me/events{query}"), Some(access_token))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    response.json().await.unwrap()
}

/// The caller's events, newest first (one page of up to 100).
async fn trail(app: &TestApp, access_token: &str) -> Vec<Value> {
    let body = page(app, access_token, "?limit=100").await;
    body["events"].as_array().unwrap().clone()
}

/// `kind/outcome[/detail]` of each event, newest first: what the trail reads like.
fn summary(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            let mut line = format!(
                "{}/{}",
                e["kind"].as_str().unwrap(),
                e["outcome"].as_str().unwrap()
            );
            if let Some(detail) = e["detail"].as_object() {
                let (_, value) = detail.iter().next().unwrap();
                line.push('/');
                line.push_str(value.as_str().unwrap());
            }
            line
        })
        .collect()
}

/// Every stored event, whoever it belongs to.
pub(crate) fn stored(app: &TestApp) -> Vec<AuthEvent> {
    auth_events::table
        .select(AuthEvent::as_select())
        .order(auth_events::id.asc())
        .load(&mut connect(app))
        .unwrap()
}

/// Fails if any secret shows up in `text`: a JWS (every token starts `eyJ`), a password, a PHC hash.
fn assert_no_secrets(text: &str) {
    for secret in ["eyJ", PASSWORD, WRONG_PASSWORD, NEW_PASSWORD, "$argon2"] {
        assert!(!text.contains(secret), "{secret:?} in {text}");
    }
}

async fn a_full_session_leaves_its_trail_newest_first(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app.signed_up("trail@example.com").await;
    let second = app.logged_in("trail@example.com").await;
    let first_sid = app.session_id(&first.access_token).await;
    let second_sid = app.session_id(&second.access_token).await;
    let response = app.refresh(&first.refresh_token).await;
    assert_eq!(response.status(), 200);
    // The first token again: it was rotated away, so this is theft and the whole session goes.
    assert_invalid_grant(app.refresh(&first.refresh_token).await, "reuse_detected").await;

    let events = trail(&app, &second.access_token).await;
    assert_eq!(
        summary(&events),
        [
            "session_revoked/success/reuse",
            "reuse_detected/denied",
            "refresh/success",
            "login/success",
            "signup/success",
        ]
    );
    let sessions: Vec<&str> = events
        .iter()
        .map(|e| e["session_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        sessions,
        [&first_sid, &first_sid, &first_sid, &second_sid, &first_sid]
    );
    for event in &events {
        assert_eq!(event["ip"], "127.0.0.1", "{event}");
        assert!(
            event["created_at"].as_str().unwrap().ends_with('Z'),
            "{event}"
        );
        assert!(
            event.get("user_id").is_none(),
            "the caller knows who they are: {event}"
        );
    }
    let ids: Vec<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(ids, sorted, "newest first is id order");
    assert_no_secrets(&serde_json::to_string(&events).unwrap());
}

async fn every_revocation_and_the_password_change_are_recorded(backend: Backend) {
    let app = spawn_app(backend).await;
    let me = app.signed_up("revoke@example.com").await;
    let deleted = app.logged_in("revoke@example.com").await;
    let logged_out = app.logged_in("revoke@example.com").await;
    let other = app.logged_in("revoke@example.com").await;
    let deleted_sid = app.session_id(&deleted.access_token).await;
    let my_sid = app.session_id(&me.access_token).await;
    let other_sid = app.session_id(&other.access_token).await;
    let path = format!("/v1/sessions/{deleted_sid}");
    assert_eq!(app.delete(&path, &me.access_token).await.status(), 204);
    assert_eq!(app.logout(&logged_out.refresh_token).await.status(), 204);
    // Logging out twice changes nothing, so it records nothing.
    assert_eq!(app.logout(&logged_out.refresh_token).await.status(), 204);
    let body = json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD});
    let changed = app
        .post_bearer("/v1/me/password", &me.access_token, Some(&body))
        .await;
    assert_eq!(changed.status(), 204);
    let events = trail(&app, &me.access_token).await;
    assert_eq!(
        summary(&events[..4]),
        [
            "session_revoked/success/password_change",
            "password_change/success",
            "session_revoked/success/logout",
            "session_revoked/success/session_delete",
        ]
    );
    assert_eq!(events[0]["session_id"], other_sid.as_str());
    assert_eq!(
        events[1]["session_id"],
        my_sid.as_str(),
        "the session that changed it"
    );
    assert_eq!(events[3]["session_id"], deleted_sid.as_str());

    let response = app
        .post_bearer("/v1/auth/logout-all", &me.access_token, None)
        .await;
    assert_eq!(response.status(), 204);
    // The trail outlives the sessions: read it with a new login.
    let fresh = app
        .post_json(
            "/v1/auth/login",
            &json!({"email": "revoke@example.com", "password": NEW_PASSWORD}),
        )
        .await;
    let fresh: authd::routes::TokenResponse = fresh.json().await.unwrap();
    let events = trail(&app, &fresh.access_token).await;
    assert_eq!(
        summary(&events[..2]),
        ["login/success", "session_revoked/success/logout_all"]
    );
    assert_eq!(events[1]["session_id"], my_sid.as_str());
    assert_no_secrets(&serde_json::to_string(&events).unwrap());
}

async fn pages_follow_the_cursor_without_gaps_or_duplicates(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut tokens = app.signed_up("pages@example.com").await;
    for _ in 0..6 {
        let response = app.refresh(&tokens.refresh_token).await;
        tokens = response.json().await.unwrap();
    }
    let all = trail(&app, &tokens.access_token).await;
    assert_eq!(all.len(), 7);
    let mut seen = Vec::new();
    let mut query = "?limit=3".to_owned();
    loop {
        let body = page(&app, &tokens.access_token, &query).await;
        let events = body["events"].as_array().unwrap();
        assert!(events.len() <= 3);
        seen.extend(events.iter().map(|e| e["id"].as_str().unwrap().to_owned()));
        match body["next_cursor"].as_str() {
            Some(cursor) => query = format!("?limit=3&cursor={cursor}"),
            None => break,
        }
    }
    let expected: Vec<String> = all
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(seen, expected);
    let default = page(&app, &tokens.access_token, "").await;
    assert_eq!(default["events"].as_array().unwrap().len(), 7);
    assert!(default["next_cursor"].is_null());

    let bad = [
        "?cursor=nope",
        "?cursor=00000000-0000-4000-8000-00000000000",
        "?cursor=%27%20OR%201%3D1%20--",
        "?limit=0",
        "?limit=101",
        "?limit=ten",
        "?limit=-5",
    ];
    for query in bad {
        let response = app
            .get(&format!("/v1/me/events{query}"), Some(&tokens.access_token))
            .await;
        assert_error(response, 400, "invalid_request").await;
    }
    // A well-formed id this server never gave pages from where it sorts: before every v7 id, nothing is left.
    let foreign = page(
        &app,
        &tokens.access_token,
        "?cursor=00000000-0000-4000-8000-000000000000",
    )
    .await;
    assert!(foreign["events"].as_array().unwrap().is_empty());
}

async fn a_caller_sees_only_their_own_events(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.signed_up("alice@example.com").await;
    let bob = app.signed_up("bob@example.com").await;
    assert_eq!(app.refresh(&alice.refresh_token).await.status(), 200);
    assert_eq!(
        app.login("nobody@example.com", PASSWORD).await.status(),
        401
    );
    let alice_events = trail(&app, &alice.access_token).await;
    assert_eq!(
        summary(&alice_events),
        ["refresh/success", "signup/success"]
    );
    eventually("the unknown email's failure is written", || async {
        stored(&app).iter().any(|e| e.user_id.is_none())
    })
    .await;
    let bob_events = trail(&app, &bob.access_token).await;
    assert_eq!(summary(&bob_events), ["signup/success"]);
    // Alice's newest id as Bob's cursor only pages through Bob's events.
    let cursor = alice_events[0]["id"].as_str().unwrap();
    let after_alice = page(&app, &bob.access_token, &format!("?cursor={cursor}")).await;
    let ids: Vec<&str> = after_alice["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [bob_events[0]["id"].as_str().unwrap()]);
    // The unknown email's failure is stored for an operator, with no user and without the email.
    let unknown: Vec<AuthEvent> = stored(&app)
        .into_iter()
        .filter(|e| e.user_id.is_none())
        .collect();
    assert_eq!(unknown.len(), 1);
    assert_eq!(
        (unknown[0].kind.as_str(), unknown[0].outcome.as_str()),
        ("login", "failure")
    );
    assert!(!format!("{unknown:?}").contains("nobody"));
}

async fn a_failed_login_of_your_account_appears_in_your_trail(backend: Backend) {
    let app = spawn_app(backend).await;
    let me = app.signed_up("failed@example.com").await;
    let response = app
        .client
        .post(app.url("/v1/auth/login"))
        .header("user-agent", "Guesser/1.0")
        .json(&json!({"email": "Failed@Example.com", "password": WRONG_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let mut events = vec![];
    eventually("the failure reaches the trail", || {
        let app = &app;
        let token = me.access_token.clone();
        async move { trail(app, &token).await.len() == 2 }
    })
    .await;
    events.extend(trail(&app, &me.access_token).await);
    assert_eq!(summary(&events), ["login/failure", "signup/success"]);
    assert!(events[0]["session_id"].is_null());
    assert_eq!(events[0]["user_agent"], "Guesser/1.0");
    let everything = format!("{:?}", stored(&app));
    assert_no_secrets(&everything);
}

async fn an_event_commits_only_with_its_change(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signed_up("once@example.com").await;
    // A second signup of the email fails on the UNIQUE index after nothing else: no event of it survives.
    assert_eq!(app.signup("once@example.com", PASSWORD).await.status(), 409);
    let signups = stored(&app)
        .into_iter()
        .filter(|e| e.kind == "signup")
        .count();
    assert_eq!(signups, 1);
    // An event written first, then a change that fails: the transaction takes the event with it.
    let device = authd::db::models::DeviceInfo::default();
    let event = authd::audit::event(
        events::EventKind::Signup,
        events::Outcome::Success,
        &device,
        Utc::now().naive_utc(),
    );
    let id = event.id.clone();
    let result = pool(&app)
        .run_in_transaction(move |conn| {
            events::insert(conn, std::slice::from_ref(&event))?;
            diesel::sql_query("INSERT INTO no_such_table VALUES (1)").execute(conn)
        })
        .await;
    assert!(result.is_err());
    assert!(stored(&app).iter().all(|e| e.id != id));
}

async fn events_past_the_retention_are_pruned(backend: Backend) {
    let app = spawn_app(backend).await;
    let tokens = app.signed_up("old@example.com").await;
    for _ in 0..2 {
        assert_eq!(app.login("old@example.com", PASSWORD).await.status(), 200);
    }
    let ids: Vec<String> = stored(&app).into_iter().map(|e| e.id).collect();
    assert_eq!(ids.len(), 3);
    let long_ago = Utc::now().naive_utc() - chrono::Duration::days(91);
    diesel::update(auth_events::table.filter(auth_events::id.ne(&ids[2])))
        .set(auth_events::created_at.eq(long_ago))
        .execute(&mut connect(&app))
        .unwrap();
    let retention = Duration::from_secs(90 * 86_400);
    let db = pool(&app);
    assert_eq!(
        authd::pruning::prune_events_once(&db, retention)
            .await
            .unwrap(),
        2
    );
    let left: Vec<String> = stored(&app).into_iter().map(|e| e.id).collect();
    assert_eq!(left, [ids[2].clone()]);
    assert_eq!(
        authd::pruning::prune_events_once(&db, retention)
            .await
            .unwrap(),
        0
    );
    assert_eq!(trail(&app, &tokens.access_token).await.len(), 1);
}

backend_tests!(
    a_full_session_leaves_its_trail_newest_first,
    every_revocation_and_the_password_change_are_recorded,
    pages_follow_the_cursor_without_gaps_or_duplicates,
    a_caller_sees_only_their_own_events,
    a_failed_login_of_your_account_appears_in_your_trail,
    an_event_commits_only_with_its_change,
    events_past_the_retention_are_pruned,
);

#[actix_web::test]
async fn events_need_a_bearer_token() {
    let app = spawn_app(Backend::Sqlite).await;
    assert_invalid_token(app.get("/v1/me/events", None).await, "missing").await;
    assert_invalid_token(app.get("/v1/me/events", Some("nope")).await, "malformed").await;
}

#[actix_web::test]
async fn a_flood_of_rate_limited_requests_is_one_event_a_minute() {
    let app = spawn_app_with(Backend::Sqlite, &[("AUTHD_RATE_LIMIT_LOGIN_IP", "2/min")]).await;
    let statuses =
        futures::future::join_all((0..8).map(|_| app.login("flood@example.com", PASSWORD))).await;
    let limited = statuses.iter().filter(|r| r.status() == 429).count();
    assert_eq!(limited, 6);
    eventually("the hit is written", || async {
        stored(&app).iter().any(|e| e.kind == "rate_limited")
    })
    .await;
    // Two failed logins are written too; give the writer a moment to write anything more it would.
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    let hits: Vec<AuthEvent> = stored(&app)
        .into_iter()
        .filter(|e| e.kind == "rate_limited")
        .collect();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].outcome, "denied");
    assert_eq!(hits[0].user_id, None);
    assert_eq!(hits[0].ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(hits[0].detail.as_deref(), Some(r#"{"policy":"login-ip"}"#));
}

#[test]
fn the_spec_lists_every_event_kind_and_outcome() {
    let spec = crate::contract::openapi::spec();
    let schemas = &spec["components"]["schemas"];
    let listed = |name: &str| -> Vec<String> {
        let values = schemas[name]["enum"]
            .as_vec()
            .unwrap_or_else(|| panic!("{name}"));
        values
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    let kinds: Vec<String> = events::EventKind::ALL
        .iter()
        .map(|k| k.as_str().to_owned())
        .collect();
    assert_eq!(listed("EventKind"), kinds);
    let outcomes: Vec<String> = events::Outcome::ALL
        .iter()
        .map(|o| o.as_str().to_owned())
        .collect();
    assert_eq!(listed("EventOutcome"), outcomes);
}
