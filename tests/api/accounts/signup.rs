use std::collections::BTreeMap;

use jsonwebtoken::decode_header;
use serde_json::{Value, json};

use crate::helpers::{Backend, PASSWORD, assert_error, spawn_app, status_counts};

async fn signup_returns_201_with_a_token_response(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.signup("  New.User@Example.COM ", PASSWORD).await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers().get("cache-control").unwrap(), "no-store");
    assert_eq!(response.headers().get("pragma").unwrap(), "no-cache");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    // The idle timeout (7 days) ends an unused refresh token before its 30-day lifetime.
    assert_eq!(body["refresh_expires_in"], 7 * 24 * 3600);
    assert_eq!(body["user"]["email"], "new.user@example.com");
    let id = body["user"]["id"].as_str().unwrap();
    assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 7);
    assert!(
        chrono::DateTime::parse_from_rfc3339(body["user"]["created_at"].as_str().unwrap()).is_ok()
    );
    assert!(body.get("password_hash").is_none() && body["user"].get("password_hash").is_none());
    let access = decode_header(body["access_token"].as_str().unwrap()).unwrap();
    assert_eq!(access.typ.as_deref(), Some("at+jwt"));
    assert!(access.kid.is_some());
    let refresh = decode_header(body["refresh_token"].as_str().unwrap()).unwrap();
    assert_eq!(refresh.typ.as_deref(), Some("refresh+jwt"));
}

async fn duplicate_email_is_409_whatever_its_case(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signed_up("dup@example.com").await;
    assert_error(
        app.signup("DUP@example.com", PASSWORD).await,
        409,
        "email_taken",
    )
    .await;
}

async fn twenty_concurrent_signups_of_one_email_create_one_account(backend: Backend) {
    let app = spawn_app(backend).await;
    let attempts = (0..20).map(|_| app.signup("race@example.com", PASSWORD));
    let counts = status_counts(attempts).await;
    assert_eq!(counts, BTreeMap::from([(201, 1), (409, 19)]));
    assert_eq!(app.login("race@example.com", PASSWORD).await.status(), 200);
}

async fn invalid_emails_are_422(backend: Backend) {
    let app = spawn_app(backend).await;
    for email in [
        "",
        "not-an-email",
        "a@b",
        "a b@example.com",
        "nul\u{0}@example.com",
        "@example.com",
    ] {
        assert_error(app.signup(email, PASSWORD).await, 422, "invalid_email").await;
    }
}

async fn weak_passwords_are_422_with_the_reason(backend: Backend) {
    let app = spawn_app(backend).await;
    let too_long = "Zq7!".repeat(65);
    for (password, reason) in [
        ("short1!", "at least 8"),
        ("password", "too easy"),
        ("12345678910", "too easy"),
        ("weak@example.com", "too easy"),
        (too_long.as_str(), "at most 256"),
        ("horse\u{0}battery staple orbit", "control"),
    ] {
        let body = assert_error(
            app.signup("weak@example.com", password).await,
            422,
            "weak_password",
        )
        .await;
        let description = body["error_description"].as_str().unwrap();
        assert!(description.contains(reason), "{password:?}: {description}");
    }
    // Nothing was created along the way.
    assert_eq!(app.signup("weak@example.com", PASSWORD).await.status(), 201);
}

async fn a_password_of_256_bytes_is_accepted(backend: Backend) {
    let app = spawn_app(backend).await;
    let password: String = (0..256)
        .map(|i| (b'!' + (i * 7 % 90) as u8) as char)
        .collect();
    assert_eq!(
        app.signup("long@example.com", &password).await.status(),
        201
    );
    assert_eq!(app.login("long@example.com", &password).await.status(), 200);
}

async fn unknown_fields_are_ignored(backend: Backend) {
    let app = spawn_app(backend).await;
    let body = json!({"email": "extra@example.com", "password": PASSWORD, "admin": true});
    assert_eq!(app.post_json("/v1/auth/signup", &body).await.status(), 201);
}

/// Look-alike spellings of one address: Unicode NFC against NFD, a Unicode domain against its Punycode.
async fn look_alike_forms_of_one_address_are_one_account(backend: Backend) {
    let app = spawn_app(backend).await;
    for (first, second, stored) in [
        (
            "jos\u{e9}@example.com",
            "jose\u{301}@example.com",
            "jos\u{e9}@example.com",
        ),
        (
            "u\u{308}@b\u{fc}cher.example",
            "\u{fc}@xn--bcher-kva.example",
            "\u{fc}@xn--bcher-kva.example",
        ),
    ] {
        let account = app.signed_up(first).await;
        assert_eq!(account.user.email, stored);
        assert_error(app.signup(second, PASSWORD).await, 409, "email_taken").await;
        for form in [first, second] {
            assert_eq!(
                app.logged_in(form).await.user.id,
                account.user.id,
                "{form:?}"
            );
        }
    }
    // Compatibility forms are not folded into the ASCII mailbox (NFC keeps them): refused, not a second account.
    app.signed_up("ada@example.com").await;
    let full_width = "\u{ff41}\u{ff44}\u{ff41}@example.com";
    assert_error(app.signup(full_width, PASSWORD).await, 422, "invalid_email").await;
    // A domain that fails IDNA (here the bidi rule) is not an address.
    assert_error(
        app.signup("a@a\u{5d0}.example", PASSWORD).await,
        422,
        "invalid_email",
    )
    .await;
}

backend_tests!(
    signup_returns_201_with_a_token_response,
    look_alike_forms_of_one_address_are_one_account,
    duplicate_email_is_409_whatever_its_case,
    twenty_concurrent_signups_of_one_email_create_one_account,
    invalid_emails_are_422,
    weak_passwords_are_422_with_the_reason,
    a_password_of_256_bytes_is_accepted,
    unknown_fields_are_ignored,
);
