//! Talking to a running authd, in-process or a separate binary, over HTTP.

use authd::routes::TokenResponse;
use serde_json::{Value, json};

/// The password every test account is created with.
pub const PASSWORD: &str = "correct horse battery staple";

/// The address of a running server and a client for it.
pub struct Http {
    pub address: String,
    pub client: reqwest::Client,
}

impl Http {
    /// A client for the server at `http://127.0.0.1:<port>`.
    pub fn local(port: u16) -> Self {
        Self {
            address: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str, bearer: Option<&str>) -> reqwest::Response {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    pub async fn signup(&self, email: &str, password: &str) -> reqwest::Response {
        self.post_json(
            "/v1/auth/signup",
            &json!({"email": email, "password": password}),
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.post_json(
            "/v1/auth/login",
            &json!({"email": email, "password": password}),
        )
        .await
    }

    pub async fn refresh(&self, refresh_token: &str) -> reqwest::Response {
        self.post_json("/v1/auth/refresh", &json!({"refresh_token": refresh_token}))
            .await
    }

    pub async fn logout(&self, refresh_token: &str) -> reqwest::Response {
        self.post_json("/v1/auth/logout", &json!({"refresh_token": refresh_token}))
            .await
    }

    /// A POST with a bearer token and an optional JSON body.
    pub async fn post_bearer(
        &self,
        path: &str,
        bearer: &str,
        body: Option<&Value>,
    ) -> reqwest::Response {
        let mut request = self.client.post(self.url(path)).bearer_auth(bearer);
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.unwrap()
    }

    pub async fn delete(&self, path: &str, bearer: &str) -> reqwest::Response {
        self.client
            .delete(self.url(path))
            .bearer_auth(bearer)
            .send()
            .await
            .unwrap()
    }

    /// The session id of a valid access token, as the server reports it.
    pub async fn session_id(&self, access_token: &str) -> String {
        let response = self.get("/v1/auth/verify", Some(access_token)).await;
        assert_eq!(response.status(), 200);
        response.headers()["x-auth-session-id"]
            .to_str()
            .unwrap()
            .to_owned()
    }

    /// Logs in `email` with the standard password and returns the tokens.
    pub async fn logged_in(&self, email: &str) -> TokenResponse {
        let response = self.login(email, PASSWORD).await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// Signs up `email` with the standard password and returns the tokens.
    pub async fn signed_up(&self, email: &str) -> TokenResponse {
        let response = self.signup(email, PASSWORD).await;
        assert_eq!(response.status(), 201);
        response.json().await.unwrap()
    }

    /// A fresh access token for `email` (standard password), from a new login.
    pub async fn fresh_access_token(&self, email: &str) -> String {
        self.logged_in(email).await.access_token
    }
}
