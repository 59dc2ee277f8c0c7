//! The second factor's outcomes, as statuses and codes.

use actix_web::http::StatusCode;

/// What a client can be told about a second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MfaError {
    /// Wrong, expired or replayed: the same answer for each, so a guesser learns nothing.
    #[error("the code is not valid")]
    InvalidCode,
    /// The route needs an aal2 session or a fresh code (or recovery code) in the request.
    #[error("this needs a second factor: sign in with one, or send a current code")]
    Required,
    #[error("two-factor authentication is already enabled; disable it first")]
    AlreadyEnabled,
    #[error("two-factor authentication is not enabled")]
    NotEnabled,
    #[error("no two-factor enrolment is waiting for confirmation")]
    NotPending,
}

impl MfaError {
    pub fn code(self) -> &'static str {
        match self {
            Self::InvalidCode => "invalid_code",
            Self::Required => "mfa_required",
            Self::AlreadyEnabled => "mfa_already_enabled",
            Self::NotEnabled => "mfa_not_enabled",
            Self::NotPending => "mfa_not_pending",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            Self::InvalidCode => StatusCode::UNAUTHORIZED,
            Self::Required => StatusCode::FORBIDDEN,
            Self::AlreadyEnabled | Self::NotEnabled | Self::NotPending => StatusCode::CONFLICT,
        }
    }
}
