//! `openapi.yaml` is the machine-readable contract: it must document exactly the routes the server serves, every
//! documented operation must answer on a live server, and its error codes must be the ones the code produces.

use std::collections::BTreeSet;

use authd::error::{ApiError, MfaError, TokenRejection};
use authd::rate_limits::Limited;
use authd::routes::ROUTES;
use serde_json::{Value, json};
use yaml_rust2::{Yaml, YamlLoader};

use crate::helpers::{Backend, TestApp, spawn_app};

/// The HTTP methods an OpenAPI path item can hold as operations (everything else in it is metadata).
const OPERATION_KEYS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every `error` code of `ApiError::code()` in src/error/. A new code must be added here and to the spec's
/// `Error` schema.
const ERROR_CODES: &[&str] = &[
    "insufficient_rights",
    "account_disabled",
    "insufficient_scope",
    "invalid_request",
    "payload_too_large",
    "invalid_email",
    "weak_password",
    "email_taken",
    "invalid_credentials",
    "reauthentication_required",
    "csrf_rejected",
    "email_not_verified",
    "invalid_token_link",
    "invalid_token",
    "invalid_grant",
    "not_found",
    "method_not_allowed",
    "service_unavailable",
    "unavailable",
    "rate_limited",
    "invalid_code",
    "mfa_required",
    "mfa_already_enabled",
    "mfa_not_enabled",
    "mfa_not_pending",
    "last_sign_in_method",
    "internal_error",
];

pub(crate) fn spec() -> Yaml {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml"))
        .expect("openapi.yaml is readable");
    let mut documents = YamlLoader::load_from_str(&text).expect("openapi.yaml is valid YAML");
    assert_eq!(documents.len(), 1, "openapi.yaml holds one YAML document");
    documents.remove(0)
}

/// Follows a local `$ref` (`#/components/...`); any other node is returned as is.
pub(crate) fn resolve<'a>(spec: &'a Yaml, node: &'a Yaml) -> &'a Yaml {
    let Some(reference) = node["$ref"].as_str() else {
        return node;
    };
    let pointer = reference
        .strip_prefix("#/")
        .unwrap_or_else(|| panic!("only local $refs are used, not {reference}"));
    let target = pointer.split('/').fold(spec, |node, key| &node[key]);
    assert!(!target.is_badvalue(), "$ref {reference} points at nothing");
    resolve(spec, target)
}

/// A mapping key as text; status codes may be written with or without quotes.
fn key_text(key: &Yaml) -> String {
    match key {
        Yaml::String(s) => s.clone(),
        Yaml::Integer(i) => i.to_string(),
        other => panic!("unexpected key {other:?}"),
    }
}

/// Every (METHOD, path) under `paths`.
pub(crate) fn documented_operations(spec: &Yaml) -> BTreeSet<(String, String)> {
    let paths = spec["paths"].as_hash().expect("the spec has paths");
    let mut operations = BTreeSet::new();
    for (path, item) in paths {
        let path = path.as_str().expect("paths are strings");
        let item = item
            .as_hash()
            .unwrap_or_else(|| panic!("{path} is a path item"));
        for key in item.keys() {
            let key = key
                .as_str()
                .unwrap_or_else(|| panic!("{path} has a non-string key"));
            if OPERATION_KEYS.contains(&key) {
                operations.insert((key.to_ascii_uppercase(), path.to_owned()));
            }
        }
    }
    operations
}

/// The response statuses the spec documents for one operation.
pub(crate) fn documented_statuses(spec: &Yaml, method: &str, path: &str) -> BTreeSet<String> {
    let responses = spec["paths"][path][method.to_ascii_lowercase().as_str()]["responses"]
        .as_hash()
        .unwrap_or_else(|| panic!("{method} {path} documents its responses"));
    responses.keys().map(key_text).collect()
}

/// The values of a string `enum` in a schema (after `$ref`s).
fn string_enum(spec: &Yaml, schema: &Yaml) -> BTreeSet<String> {
    resolve(spec, schema)["enum"]
        .as_vec()
        .expect("the schema has an enum")
        .iter()
        .map(|v| v.as_str().expect("enum values are strings").to_owned())
        .collect()
}

fn strings(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn every_documented_operation_is_routed_and_every_route_documented() {
    let documented = documented_operations(&spec());
    let routed: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(method, path)| ((*method).to_owned(), (*path).to_owned()))
        .collect();
    assert_eq!(routed.len(), ROUTES.len(), "ROUTES lists a route twice");
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        undocumented.is_empty() && unrouted.is_empty(),
        "openapi.yaml and authd::routes::ROUTES disagree\n  served but not documented: {undocumented:?}\n  \
         documented but not served: {unrouted:?}"
    );
}

/// The response's `Content-Type`, if any.
fn content_type(response: &reqwest::Response) -> Option<String> {
    let value = response.headers().get("content-type")?;
    Some(value.to_str().unwrap().to_owned())
}

/// A documented operation is routed (no 404 or 405), answers a documented status, and answers JSON with a
/// request id. POSTs send `{}`.
async fn assert_answers_as_documented(app: &TestApp, spec: &Yaml, method: &str, path: &str) {
    let mut request = app.client.request(
        reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
        app.url(path),
    );
    if method == "POST" {
        request = request.json(&json!({}));
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    assert!(
        status != 404 && status != 405,
        "{method} {path} is documented but answers {status}"
    );
    assert!(
        documented_statuses(spec, method, path).contains(&status.to_string()),
        "{method} {path} answered {status}, which its responses do not document"
    );
    assert!(
        response.headers().contains_key("x-request-id"),
        "{method} {path} has no X-Request-Id"
    );
    let content_type = content_type(&response);
    assert_eq!(
        content_type.as_deref(),
        Some("application/json"),
        "{method} {path}"
    );
}

/// A method the spec does not list for `path` is a JSON 405 whose `Allow` names exactly the listed methods,
/// and each listed operation documents that 405.
async fn assert_other_methods_are_405(
    app: &TestApp,
    spec: &Yaml,
    allowed: &BTreeSet<String>,
    path: &str,
) {
    let wrong = ["PUT", "DELETE", "PATCH", "POST", "GET"]
        .into_iter()
        .find(|m| !allowed.contains(*m))
        .expect("some method is not documented for the path");
    let response = app
        .client
        .request(
            reqwest::Method::from_bytes(wrong.as_bytes()).unwrap(),
            app.url(path),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405, "{wrong} {path}");
    let allow = response
        .headers()
        .get("allow")
        .map(|v| v.to_str().unwrap().to_owned());
    let allow: BTreeSet<String> = allow
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(|m| m.trim().to_owned())
        // HEAD comes with every GET (RFC 9110 §9.3.2) and is not listed in the spec.
        .filter(|m| !m.is_empty() && m != "HEAD")
        .collect();
    assert_eq!(
        &allow, allowed,
        "Allow of {wrong} {path} against the spec's methods for the path"
    );
    for method in allowed {
        assert!(
            documented_statuses(spec, method, path).contains("405"),
            "{method} {path} does not document its 405"
        );
    }
    let content_type = content_type(&response);
    assert_eq!(
        content_type.as_deref(),
        Some("application/json"),
        "{wrong} {path}"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["error"], "method_not_allowed",
        "{wrong} {path}: {body}"
    );
}

#[actix_web::test]
async fn documented_operations_answer_on_a_live_server() {
    let spec = spec();
    let operations = documented_operations(&spec);
    assert!(!operations.is_empty());
    let app = spawn_app(Backend::Sqlite).await;
    for (method, path) in &operations {
        assert_answers_as_documented(&app, &spec, method, path).await;
    }
    let paths: BTreeSet<&String> = operations.iter().map(|(_, path)| path).collect();
    for path in paths {
        let allowed: BTreeSet<String> = operations
            .iter()
            .filter(|(_, p)| p == path)
            .map(|(method, _)| method.clone())
            .collect();
        assert_other_methods_are_405(&app, &spec, &allowed, path).await;
    }
}

/// No wildcard: a new `ApiError` variant does not compile until `every_api_error` lists it.
fn listed(error: &ApiError) {
    match error {
        ApiError::InvalidRequest(_)
        | ApiError::PayloadTooLarge(_)
        | ApiError::InvalidEmail(_)
        | ApiError::WeakPassword(_)
        | ApiError::EmailTaken
        | ApiError::InvalidCredentials
        | ApiError::WrongCurrentPassword
        | ApiError::ReauthenticationRequired
        | ApiError::CsrfRejected(_)
        | ApiError::EmailNotVerified
        | ApiError::InvalidTokenLink
        | ApiError::InvalidToken(_)
        | ApiError::InvalidGrant(_)
        | ApiError::NotFound
        | ApiError::MethodNotAllowed(_)
        | ApiError::Unavailable
        | ApiError::NotReady(_)
        | ApiError::Overloaded(_)
        | ApiError::RateLimited(_)
        | ApiError::AdminKeyRejected(_)
        | ApiError::InsufficientRights
        | ApiError::AccountDisabled
        | ApiError::InvalidLoginCode
        | ApiError::LastSignInMethod
        | ApiError::InsufficientScope
        | ApiError::Mfa(_)
        | ApiError::Internal(_) => {}
    }
}

/// One value of every `ApiError` variant. The match has no wildcard, so a new variant does not compile until
/// it is added here (and its code to `ERROR_CODES` and the spec).
fn every_api_error() -> Vec<ApiError> {
    let all = vec![
        ApiError::InvalidRequest(String::new()),
        ApiError::PayloadTooLarge(0),
        ApiError::InvalidEmail(""),
        ApiError::WeakPassword(String::new()),
        ApiError::EmailTaken,
        ApiError::InvalidCredentials,
        ApiError::WrongCurrentPassword,
        ApiError::ReauthenticationRequired,
        ApiError::CsrfRejected(""),
        ApiError::EmailNotVerified,
        ApiError::InvalidTokenLink,
        ApiError::InvalidToken(TokenRejection::Missing),
        ApiError::InvalidGrant(TokenRejection::Missing),
        ApiError::NotFound,
        ApiError::MethodNotAllowed(""),
        ApiError::Unavailable,
        ApiError::NotReady(vec!["database"]),
        ApiError::Overloaded(std::time::Duration::ZERO),
        ApiError::RateLimited(Limited {
            policy: "",
            quota: 1,
            window: std::time::Duration::ZERO,
            retry_after: std::time::Duration::ZERO,
        }),
        ApiError::AdminKeyRejected(""),
        ApiError::InsufficientRights,
        ApiError::AccountDisabled,
        ApiError::InvalidLoginCode,
        ApiError::LastSignInMethod,
        ApiError::InsufficientScope,
        ApiError::Mfa(MfaError::InvalidCode),
        ApiError::Mfa(MfaError::Required),
        ApiError::Mfa(MfaError::AlreadyEnabled),
        ApiError::Mfa(MfaError::NotEnabled),
        ApiError::Mfa(MfaError::NotPending),
        ApiError::Internal(String::new()),
    ];
    all.iter().for_each(listed);
    all
}

/// Every `TokenRejection`, guarded the same way.
fn every_token_rejection() -> Vec<TokenRejection> {
    use TokenRejection::*;
    let all = vec![
        Missing,
        Malformed,
        UnknownKid,
        BadSignature,
        WrongType,
        Expired,
        NotYetValid,
        WrongIssuer,
        WrongAudience,
        SessionRevoked,
        ReuseDetected,
        AlreadyUsed,
    ];
    for reason in &all {
        match reason {
            Missing | Malformed | UnknownKid | BadSignature | WrongType | Expired | NotYetValid
            | WrongIssuer | WrongAudience | SessionRevoked | ReuseDetected | AlreadyUsed => {}
        }
    }
    all
}

#[test]
fn every_error_code_in_the_spec_exists() {
    let spec = spec();
    let error = &resolve(&spec, &spec["components"]["schemas"]["Error"])["properties"]["error"];
    let documented = string_enum(&spec, error);
    let expected = strings(ERROR_CODES);
    assert_eq!(
        expected.len(),
        ERROR_CODES.len(),
        "ERROR_CODES lists a code twice"
    );
    let produced: BTreeSet<String> = every_api_error()
        .iter()
        .map(|e| e.code().to_owned())
        .collect();
    assert_eq!(
        produced, expected,
        "ApiError::code() and ERROR_CODES disagree"
    );
    assert_eq!(
        documented, expected,
        "the Error schema's `error` enum and ApiError::code() disagree"
    );
}

#[test]
fn every_token_rejection_reason_is_in_the_spec() {
    let spec = spec();
    let reason = &resolve(&spec, &spec["components"]["schemas"]["Error"])["properties"]["reason"];
    let documented = string_enum(&spec, reason);
    let produced: BTreeSet<String> = every_token_rejection()
        .into_iter()
        .map(|r| {
            serde_json::to_value(r)
                .unwrap()
                .as_str()
                .expect("a reason serialises as a string")
                .to_owned()
        })
        .collect();
    assert_eq!(
        documented, produced,
        "the Error schema's `reason` enum and TokenRejection disagree"
    );
}
