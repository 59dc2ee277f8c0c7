//! The one error type of the HTTP surface and its mapping to responses.
//!
//! Policy: handlers and extractors return `ApiError`. Variants are outcomes a client can act on; the only variant
//! that carries a cause is `Internal`, whose cause is logged here and never sent. Model code returns
//! `diesel::QueryResult` (and `Db` a `StoreError`), domain and hashing code their own errors; all are mapped to
//! responses here, by the `From` impls below, and nowhere else.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::rate_limits::Limited;
pub use crate::tokens::TokenRejection;
pub use mfa::MfaError;
use rate_limited::{rate_limit_headers, retry_after_secs};

/// Every error the API can answer with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    InvalidRequest(String),
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("{0}")]
    InvalidEmail(&'static str),
    #[error("{0}")]
    WeakPassword(String),
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error("the email or password is incorrect")]
    InvalidCredentials,
    #[error("the current password is incorrect")]
    WrongCurrentPassword,
    /// Adding or removing a way in needs the password in the request, or (password-less) a recent login.
    #[error(
        "this change needs a fresh proof of identity: send the password, or (without one) sign in again"
    )]
    ReauthenticationRequired,
    #[error("{0}")]
    CsrfRejected(&'static str),
    /// Login needs a verified address (`AUTHD_REQUIRE_VERIFIED_EMAIL`); only after the password matched.
    #[error(
        "the email address is not verified yet; use the link that was mailed, or ask for a new one"
    )]
    EmailNotVerified,
    /// A mailed token that is unknown, used, expired or for another purpose: one answer for all.
    #[error("the link is invalid or has expired; ask for a new one")]
    InvalidTokenLink,
    #[error("{}", .0.describe())]
    InvalidToken(TokenRejection),
    #[error("{}", .0.describe())]
    InvalidGrant(TokenRejection),
    #[error("no such resource")]
    NotFound,
    #[error("this method is not allowed here; allowed: {0}")]
    MethodNotAllowed(&'static str),
    #[error("the service cannot reach its database right now")]
    Unavailable,
    /// `/readyz`: the named checks failed (`database`, `revocation_poll`).
    #[error("not ready: {}", .0.join(", "))]
    NotReady(Vec<&'static str>),
    /// A bounded queue (the password hashing queue) is full; try again after the given time.
    #[error("the service is busy; try again shortly")]
    Overloaded(std::time::Duration),
    /// The client's budget for this route is spent (per client IP).
    #[error("too many requests from this address; try again in {} s", retry_after_secs(.0))]
    RateLimited(Limited),
    /// The admin listener: no key, or one that is unknown or revoked.
    #[error("{0}")]
    AdminKeyRejected(&'static str),
    /// The admin listener: a read-only key asked for a change.
    #[error("this admin key is read-only")]
    InsufficientRights,
    /// A valid access token without the role the request asked for (`/v1/auth/verify?role=`).
    #[error("the access token does not carry the required role")]
    InsufficientScope,
    /// The password (or provider) login succeeded, but an operator disabled the account.
    #[error("this account is disabled")]
    AccountDisabled,
    #[error(
        "the login code is invalid, expired or already used, or the code_verifier does not match it"
    )]
    InvalidLoginCode,
    #[error(
        "this is the account's last way to sign in; set a password or link another provider first"
    )]
    LastSignInMethod,
    #[error("{0}")]
    Mfa(#[from] MfaError),
    #[error("internal error")]
    Internal(String),
}

#[derive(Serialize)]
struct ErrorBody {
    error: &'static str,
    error_description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<TokenRejection>,
    /// `/readyz`'s failed checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    failing: Option<Vec<&'static str>>,
}

impl ApiError {
    /// The stable machine-readable code of the body's `error` field.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidRequest(_) => "invalid_request",
            Self::PayloadTooLarge(_) => "payload_too_large",
            Self::InvalidEmail(_) => "invalid_email",
            Self::WeakPassword(_) => "weak_password",
            Self::EmailTaken => "email_taken",
            Self::InvalidCredentials | Self::WrongCurrentPassword => "invalid_credentials",
            Self::ReauthenticationRequired => "reauthentication_required",
            Self::CsrfRejected(_) => "csrf_rejected",
            Self::EmailNotVerified => "email_not_verified",
            Self::InvalidTokenLink => "invalid_token_link",
            Self::InvalidToken(_) => "invalid_token",
            Self::InvalidGrant(_) => "invalid_grant",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed(_) => "method_not_allowed",
            Self::Unavailable | Self::NotReady(_) => "service_unavailable",
            Self::Overloaded(_) => "unavailable",
            Self::RateLimited(_) => "rate_limited",
            Self::AdminKeyRejected(_) => "invalid_token",
            Self::InsufficientRights => "insufficient_rights",
            Self::AccountDisabled => "account_disabled",
            Self::InvalidLoginCode => "invalid_grant",
            Self::LastSignInMethod => "last_sign_in_method",
            Self::InsufficientScope => "insufficient_scope",
            Self::Mfa(e) => e.code(),
            Self::Internal(_) => "internal_error",
        }
    }

    /// Wraps an unexpected failure; the cause is logged when the response is built.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    fn reason(&self) -> Option<TokenRejection> {
        match self {
            Self::InvalidToken(r) | Self::InvalidGrant(r) => Some(*r),
            _ => None,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::InvalidRequest(_) | Self::InvalidTokenLink | Self::InvalidLoginCode => {
                StatusCode::BAD_REQUEST
            }
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::InvalidEmail(_) | Self::WeakPassword(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::EmailTaken | Self::LastSignInMethod => StatusCode::CONFLICT,
            // The bearer token is fine; what failed is a re-check of the password, so not a 401.
            Self::WrongCurrentPassword
            | Self::ReauthenticationRequired
            | Self::CsrfRejected(_)
            | Self::InsufficientRights
            | Self::InsufficientScope
            | Self::EmailNotVerified
            | Self::AccountDisabled => StatusCode::FORBIDDEN,
            Self::InvalidCredentials
            | Self::InvalidToken(_)
            | Self::InvalidGrant(_)
            | Self::AdminKeyRejected(_) => StatusCode::UNAUTHORIZED,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::Unavailable | Self::NotReady(_) | Self::Overloaded(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Mfa(e) => e.status(),
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(cause) = self {
            tracing::error!(%cause, "request failed");
        }
        // Every refused token becomes a response here, and only here: the one place to count them.
        if let Some(reason) = self.reason() {
            crate::metrics::token_rejected(self.code(), reason.as_str());
        }
        if let Self::RateLimited(limited) = self {
            crate::metrics::rate_limited(limited.policy);
        }
        let mut response = HttpResponse::build(self.status_code());
        // Error bodies of token endpoints must not be cached either (RFC 6749 §5.2).
        response.insert_header((header::CACHE_CONTROL, "no-store"));
        // The body's reason as a header too: a gateway (nginx auth_request) sees only a subrequest's headers.
        if let Some(reason) = self.reason() {
            response.insert_header(("X-Auth-Reason", reason.as_str()));
        }
        match self {
            Self::InvalidToken(TokenRejection::Missing) => {
                response.insert_header((header::WWW_AUTHENTICATE, r#"Bearer realm="authd""#));
            }
            Self::InvalidToken(reason) => {
                let challenge = format!(
                    r#"Bearer realm="authd", error="invalid_token", error_description="{}""#,
                    reason.describe()
                );
                response.insert_header((header::WWW_AUTHENTICATE, challenge));
            }
            Self::InsufficientScope => {
                let challenge = r#"Bearer realm="authd", error="insufficient_scope", error_description="the access token does not carry the required role""#;
                response.insert_header((header::WWW_AUTHENTICATE, challenge));
            }
            Self::AdminKeyRejected(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, r#"Bearer realm="authd-admin""#));
            }
            Self::MethodNotAllowed(allow) => {
                response.insert_header((header::ALLOW, *allow));
            }
            Self::Unavailable | Self::NotReady(_) => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            Self::Overloaded(after) => {
                response.insert_header((header::RETRY_AFTER, after.as_secs().max(1).to_string()));
            }
            Self::RateLimited(limited) => rate_limit_headers(&mut response, limited),
            _ => {}
        }
        response.json(ErrorBody {
            error: self.code(),
            error_description: self.to_string(),
            reason: self.reason(),
            failing: match self {
                Self::NotReady(failing) => Some(failing.clone()),
                _ => None,
            },
        })
    }
}

mod conversions;
mod mfa;
mod rate_limited;
#[cfg(test)]
mod tests;
