//! Two authd processes on one database: nothing about sessions or revocation may live in only one of them.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::helpers::{Backend, PASSWORD, assert_invalid_grant, spawn_app};

/// A separate `authd` process, killed when dropped.
struct Instance {
    child: Child,
    address: String,
    client: reqwest::Client,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Instance {
    /// Starts the real binary with the test server's settings on a port of its own.
    async fn start(vars: &HashMap<String, String>) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_authd"))
            .envs(vars)
            .env("AUTHD_BIND", format!("127.0.0.1:{port}"))
            .env("AUTHD_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("the authd binary starts");
        let instance = Self {
            child,
            address: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while instance
            .client
            .get(format!("{}/healthz", instance.address))
            .send()
            .await
            .is_err()
        {
            assert!(
                Instant::now() < deadline,
                "instance on port {port} did not come up"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        instance
    }

    async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.address))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    async fn login(&self, email: &str) -> Value {
        let response = self
            .post(
                "/v1/auth/login",
                serde_json::json!({"email": email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    async fn refresh(&self, token: &Value) -> reqwest::Response {
        self.post(
            "/v1/auth/refresh",
            serde_json::json!({"refresh_token": token}),
        )
        .await
    }

    async fn me_status(&self, access_token: &Value) -> u16 {
        let request = self
            .client
            .get(format!("{}/v1/me", self.address))
            .bearer_auth(access_token.as_str().unwrap());
        request.send().await.unwrap().status().as_u16()
    }

    /// Waits until this instance refuses the access token, and returns how long that took.
    async fn time_until_refused(&self, access_token: &Value) -> Duration {
        let started = Instant::now();
        while self.me_status(access_token).await == 200 {
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "still accepted after 5 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        started.elapsed()
    }
}

async fn rotation_reuse_and_revocation_cross_instances(backend: Backend) {
    // The in-process server creates the database, runs migrations and writes the keys both instances share.
    let app = spawn_app(backend).await;
    app.signed_up("multi@example.com").await;
    let a = Instance::start(&app.vars).await;
    let b = Instance::start(&app.vars).await;

    // Log in on A, refresh on B, replay the old token on A: the session is revoked on both.
    let first = a.login("multi@example.com").await;
    let response = b.refresh(&first["refresh_token"]).await;
    assert_eq!(response.status(), 200);
    let second: Value = response.json().await.unwrap();
    assert_invalid_grant(a.refresh(&first["refresh_token"]).await, "reuse_detected").await;
    for instance in [&a, &b] {
        assert_invalid_grant(
            instance.refresh(&second["refresh_token"]).await,
            "session_revoked",
        )
        .await;
    }
    let waited = b.time_until_refused(&second["access_token"]).await;
    assert!(
        waited < Duration::from_secs(2),
        "B took {waited:?} to refuse a session revoked on A"
    );

    // Revoke on B; A refuses that session's access token within 2 s, without a database round trip per request.
    let third = a.login("multi@example.com").await;
    assert_eq!(a.me_status(&third["access_token"]).await, 200);
    let logout = b
        .post(
            "/v1/auth/logout",
            serde_json::json!({"refresh_token": third["refresh_token"]}),
        )
        .await;
    assert_eq!(logout.status(), 204);
    let waited = a.time_until_refused(&third["access_token"]).await;
    assert!(
        waited < Duration::from_secs(2),
        "A took {waited:?} to refuse a session revoked on B"
    );
    assert_eq!(a.me_status(&third["access_token"]).await, 401);
}

backend_tests!(rotation_reuse_and_revocation_cross_instances);
