//! The second factor's outcomes, as statuses and codes.

use actix_web::http::StatusCode;

use super::ApiError;
use crate::mfa::CheckError;
pub use crate::mfa::MfaError;

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

impl From<CheckError> for ApiError {
    fn from(error: CheckError) -> Self {
        match error {
            CheckError::Refused(refusal) => Self::Mfa(refusal),
            CheckError::EitherCode => Self::InvalidRequest(error.to_string()),
            CheckError::Limited(limited) => limited.into(),
            CheckError::Store(cause) => cause.into(),
            CheckError::Hash(cause) => cause.into(),
        }
    }
}
