//! The `From` impls that map every lower-level error to an `ApiError`.

use super::ApiError;
use crate::db::StoreError;
use crate::db::users::InsertUserError;
use crate::domain::{EmailError, PasswordError};
use crate::passwords::HashError;
use crate::rate_limits::Limited;

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        StoreError::from(error).into()
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            // The pool timed out, the connection was lost or the database stayed locked: the database is down or
            // saturated, which a retry may get past.
            StoreError::Unavailable => Self::Unavailable,
            other => Self::internal(other),
        }
    }
}

impl From<InsertUserError> for ApiError {
    fn from(error: InsertUserError) -> Self {
        match error {
            InsertUserError::EmailTaken => Self::EmailTaken,
            InsertUserError::Query(e) => e.into(),
        }
    }
}

impl From<EmailError> for ApiError {
    fn from(error: EmailError) -> Self {
        Self::InvalidEmail(error.0)
    }
}

impl From<PasswordError> for ApiError {
    fn from(error: PasswordError) -> Self {
        Self::WeakPassword(error.0)
    }
}

impl From<HashError> for ApiError {
    fn from(error: HashError) -> Self {
        match error {
            HashError::Overloaded(retry_after) => Self::Overloaded(retry_after),
            HashError::Rejected(weak) => weak.into(),
            HashError::Failed(cause) => Self::Internal(cause),
        }
    }
}

impl From<Limited> for ApiError {
    fn from(limited: Limited) -> Self {
        Self::RateLimited(limited)
    }
}

impl From<crate::mfa::MfaRejected> for ApiError {
    fn from(_: crate::mfa::MfaRejected) -> Self {
        Self::InvalidCode("a valid second-factor code or recovery code is required")
    }
}

/// A token that cannot be signed is the server's fault, never the client's.
impl From<crate::tokens::MintError> for ApiError {
    fn from(error: crate::tokens::MintError) -> Self {
        Self::internal(error)
    }
}
