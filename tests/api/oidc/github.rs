//! GitHub's flow against a small stand-in of its three endpoints, shaped from its documentation ("Authorizing
//! OAuth apps", "REST API endpoints for users" and "for emails"): `/login/oauth/authorize` (approves at once),
//! `/login/oauth/access_token` (checks the client and the PKCE verifier), `/user` and `/user/emails`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use sha2::{Digest, Sha256};

const CLIENT_ID: &str = "gh-client";
const CLIENT_SECRET: &str = "gh-secret";
const ACCESS_TOKEN: &str = "gho_standin";

/// Codes handed out, with the PKCE challenge each was issued for.
type Codes = Arc<Mutex<HashMap<String, String>>>;

/// Starts the stand-in; its base URL (both the auth and the API URL).
pub fn start() -> String {
    let codes: Codes = Arc::default();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(codes.clone()))
            .route("/login/oauth/authorize", web::get().to(authorize))
            .route("/login/oauth/access_token", web::post().to(access_token))
            .route("/user", web::get().to(user))
            .route("/user/emails", web::get().to(emails))
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let address = format!("http://{}", server.addrs()[0]);
    actix_web::rt::spawn(server.run());
    address
}

/// authd's settings for it.
pub fn settings(base: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AUTHD_GITHUB_CLIENT_ID", CLIENT_ID.into()),
        ("AUTHD_GITHUB_CLIENT_SECRET", CLIENT_SECRET.into()),
        ("AUTHD_GITHUB_AUTH_URL", base.into()),
        ("AUTHD_GITHUB_API_URL", base.into()),
        ("AUTHD_REDIRECT_URIS", super::APP_REDIRECT.into()),
        ("AUTHD_RATE_LIMITS", "off".into()),
    ]
}

async fn authorize(
    query: web::Query<HashMap<String, String>>,
    codes: web::Data<Codes>,
) -> HttpResponse {
    assert_eq!(query["client_id"], CLIENT_ID);
    let code = uuid::Uuid::new_v4().to_string();
    codes
        .lock()
        .unwrap()
        .insert(code.clone(), query["code_challenge"].clone());
    let to = format!(
        "{}?code={code}&state={}",
        query["redirect_uri"], query["state"]
    );
    HttpResponse::Found()
        .insert_header(("Location", to))
        .finish()
}

async fn access_token(
    form: web::Form<HashMap<String, String>>,
    codes: web::Data<Codes>,
) -> HttpResponse {
    let client_ok = form.get("client_id").map(String::as_str) == Some(CLIENT_ID)
        && form.get("client_secret").map(String::as_str) == Some(CLIENT_SECRET);
    let challenge = codes.lock().unwrap().remove(&form["code"]);
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    let pkce_ok = challenge == Some(URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())));
    if !client_ok || !pkce_ok {
        // GitHub answers a bad code with 200 and an error body.
        return HttpResponse::Ok().json(json!({"error": "bad_verification_code"}));
    }
    HttpResponse::Ok()
        .json(json!({"access_token": ACCESS_TOKEN, "token_type": "bearer", "scope": "user:email"}))
}

fn authorized(req: &HttpRequest) -> bool {
    let header = req
        .headers()
        .get("authorization")
        .and_then(|h| h.to_str().ok());
    header == Some(&format!("Bearer {ACCESS_TOKEN}"))
}

async fn user(req: HttpRequest) -> HttpResponse {
    if !authorized(&req) {
        return HttpResponse::Unauthorized().json(json!({"message": "Bad credentials"}));
    }
    HttpResponse::Ok().json(json!({"login": "octocat", "id": 583231, "email": null}))
}

async fn emails(req: HttpRequest) -> HttpResponse {
    if !authorized(&req) {
        return HttpResponse::Unauthorized().json(json!({"message": "Bad credentials"}));
    }
    HttpResponse::Ok().json(json!([
        {"email": "octo-old@example.com", "primary": false, "verified": true, "visibility": null},
        {"email": "octocat@example.com", "primary": true, "verified": true, "visibility": "public"}
    ]))
}
