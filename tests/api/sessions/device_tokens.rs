//! The account-wide ceiling on failed logins, and the device token that keeps it from locking the owner out.
//! The attacker comes through a trusted proxy from a new forwarded address each time, so neither the per-IP
//! budget nor the (IP, account) delay ever slows it: only the account ceiling does.

use serde_json::{Value, json};

use crate::helpers::{
    Backend, PASSWORD, TestApp, assert_error, assert_invalid_grant, assert_invalid_token,
    eddsa_header, event_kinds, kid_of, payload_of, sign_with_server_key, spawn_app_with, unix_now,
};

const OWNER: &str = "owner@example.com";

pub async fn spawn(backend: Backend) -> TestApp {
    spawn_app_with(
        backend,
        &[
            ("AUTHD_TRUSTED_PROXIES", "127.0.0.1/32"),
            ("AUTHD_RATE_LIMIT_LOGIN_IP", "1000/min"),
            ("AUTHD_RATE_LIMIT_LOGIN_ACCOUNT", "5/hour"),
            ("AUTHD_RATE_LIMIT_LOGIN_DEVICE", "3/hour"),
        ],
    )
    .await
}

/// A login from forwarded address `from`, with a device token when given.
pub async fn login(
    app: &TestApp,
    from: &str,
    email: &str,
    password: &str,
    device: Option<&str>,
) -> reqwest::Response {
    let mut body = json!({"email": email, "password": password});
    if let Some(device) = device {
        body["device_token"] = json!(device);
    }
    let request = app.client.post(app.url("/v1/auth/login")).json(&body);
    request
        .header("x-forwarded-for", from)
        .send()
        .await
        .unwrap()
}

/// `count` wrong-password attempts on `email`, each from a fresh forwarded address.
pub async fn attack(app: &TestApp, email: &str, count: usize, first: usize) {
    for n in first..first + count {
        let from = format!("198.51.{}.{}", n / 250, n % 250 + 1);
        let response = login(app, &from, email, "wrong password!", None).await;
        assert_error(response, 401, "invalid_credentials").await;
    }
}

pub async fn device_token_of(response: reqwest::Response) -> String {
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["device_token"]
        .as_str()
        .expect("a device_token")
        .to_owned()
}

pub async fn assert_account_limited(response: reqwest::Response, policy: &str) {
    assert!(response.headers().contains_key("retry-after"));
    let policy_header = response.headers()["ratelimit-policy"].to_str().unwrap();
    assert!(
        policy_header.starts_with(&format!("\"{policy}\"")),
        "{policy_header}"
    );
    assert_error(response, 429, "rate_limited").await;
}

/// Many addresses fill the account's ceiling: the owner without a device token waits like the attacker, the
/// owner with one logs in, and an unknown email is limited the same way (no account enumeration).
async fn an_attack_from_many_addresses_cannot_lock_out_the_owner_s_device(backend: Backend) {
    let app = spawn(backend).await;
    app.signed_up(OWNER).await;
    let device = device_token_of(login(&app, "203.0.113.7", OWNER, PASSWORD, None).await).await;
    attack(&app, OWNER, 5, 0).await;
    // The ceiling now holds the account, even for the right password without a device token...
    let blocked = login(&app, "198.51.100.200", OWNER, PASSWORD, None).await;
    assert_account_limited(blocked, "login-account").await;
    // ... but not for the owner's device, from a new address too.
    let response = login(&app, "192.0.2.44", OWNER, PASSWORD, Some(&device)).await;
    let body: Value = response.json().await.unwrap();
    let renewed = body["device_token"].as_str().unwrap().to_owned();
    // The device token's use is in the owner's audit trail, with the login it let through.
    let access = body["access_token"].as_str().unwrap();
    let kinds = event_kinds(&app, access).await;
    assert_eq!(kinds[..2], ["device_token_used", "login"], "{kinds:?}");
    assert!(payload_of(&renewed)["exp"].as_i64().unwrap() > unix_now());
    // An unknown account is held back after as many failures, with the same answer.
    attack(&app, "nobody@example.com", 5, 100).await;
    let unknown = login(&app, "198.51.100.201", "nobody@example.com", PASSWORD, None).await;
    assert_account_limited(unknown, "login-account").await;
}

/// A device token has a budget of its own: a thief of one cannot guess without limit either. Its failures
/// do not count against the account.
async fn a_device_token_has_its_own_failure_ceiling(backend: Backend) {
    let app = spawn(backend).await;
    app.signed_up(OWNER).await;
    let device = device_token_of(login(&app, "203.0.113.7", OWNER, PASSWORD, None).await).await;
    for n in 0..3 {
        let from = format!("192.0.2.{}", n + 1);
        let response = login(&app, &from, OWNER, "wrong password!", Some(&device)).await;
        assert_error(response, 401, "invalid_credentials").await;
    }
    let blocked = login(&app, "192.0.2.9", OWNER, PASSWORD, Some(&device)).await;
    assert_account_limited(blocked, "login-device").await;
    // The account's own budget was not spent by the device's failures.
    let response = login(&app, "203.0.113.8", OWNER, PASSWORD, None).await;
    assert_eq!(response.status(), 200);
}

backend_tests!(
    an_attack_from_many_addresses_cannot_lock_out_the_owner_s_device,
    a_device_token_has_its_own_failure_ceiling,
);

/// Another account's device token, a forged one, an expired one, a refresh token and garbage are no device
/// token at all: the ceiling still holds, and none of them is an error of its own.
#[actix_web::test]
async fn only_a_valid_device_token_of_that_account_passes_the_ceiling() {
    let app = spawn(Backend::Sqlite).await;
    app.signed_up(OWNER).await;
    app.signed_up("other@example.com").await;
    let response = login(&app, "203.0.113.7", "other@example.com", PASSWORD, None).await;
    let others = device_token_of(response).await;
    let owners = device_token_of(login(&app, "203.0.113.7", OWNER, PASSWORD, None).await).await;
    attack(&app, OWNER, 5, 0).await;
    let mut claims = payload_of(&owners);
    claims["exp"] = json!(unix_now() - 3600);
    let expired = sign_with_server_key(
        &app,
        "refresh",
        eddsa_header(Some("device+jwt"), Some(&kid_of(&owners))),
        &claims,
    );
    let refresh = app.signed_up("third@example.com").await.refresh_token;
    let mut tampered = owners.clone();
    tampered.replace_range(tampered.len() - 4.., "AAAA");
    for bad in [
        others.as_str(),
        &expired,
        &refresh,
        &tampered,
        "garbage",
        "",
    ] {
        let response = login(&app, "192.0.2.1", OWNER, PASSWORD, Some(bad)).await;
        assert_account_limited(response, "login-account").await;
    }
    let response = login(&app, "192.0.2.1", OWNER, PASSWORD, Some(&owners)).await;
    assert_eq!(response.status(), 200);
}

/// A device token authenticates nothing: it is neither a bearer access token nor a refresh grant.
#[actix_web::test]
async fn a_device_token_is_not_an_access_or_refresh_token() {
    let app = spawn(Backend::Sqlite).await;
    app.signed_up(OWNER).await;
    let device = device_token_of(login(&app, "203.0.113.7", OWNER, PASSWORD, None).await).await;
    let header: Value = {
        use base64::Engine;
        let part = device.split('.').next().unwrap();
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    };
    assert_eq!(header["typ"], "device+jwt");
    assert_invalid_token(app.get("/v1/me", Some(&device)).await, "wrong_type").await;
    assert_invalid_token(
        app.get("/v1/auth/verify", Some(&device)).await,
        "wrong_type",
    )
    .await;
    assert_invalid_grant(app.refresh(&device).await, "wrong_type").await;
    // Never published: no JWKS key verifies it.
    let jwks = crate::helpers::jwks(&app).await;
    let kid = header["kid"].as_str().unwrap();
    assert!(
        jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .all(|k| k["kid"] != kid)
    );
}

/// In cookie mode the device token is an HttpOnly cookie sent only to login, absent from the body, and the
/// next login presents it by itself.
#[actix_web::test]
async fn in_cookie_mode_the_device_token_is_an_http_only_login_cookie() {
    let app = spawn(Backend::Sqlite).await;
    app.signed_up(OWNER).await;
    let body = json!({"email": OWNER, "password": PASSWORD, "token_delivery": "cookie"});
    let response = app
        .client
        .post(app.url("/v1/auth/login"))
        .json(&body)
        .header("x-forwarded-for", "203.0.113.7")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("authd_device="))
        .expect("an authd_device cookie");
    for flag in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/v1/auth/login",
        "Max-Age=",
    ] {
        assert!(cookie.contains(flag), "{cookie} lacks {flag}");
    }
    let body: Value = response.json().await.unwrap();
    assert!(body.get("device_token").is_none() && body.get("refresh_token").is_none());
    attack(&app, OWNER, 5, 0).await;
    let value = cookie.split(';').next().unwrap();
    let body = json!({"email": OWNER, "password": PASSWORD});
    let response = app
        .client
        .post(app.url("/v1/auth/login"))
        .json(&body)
        .header("x-forwarded-for", "192.0.2.1")
        .header("cookie", value)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}
