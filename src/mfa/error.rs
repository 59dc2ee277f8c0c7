//! What the second-factor rules answer, without HTTP: `error/` maps these to statuses and codes.

use crate::db::StoreError;
use crate::passwords::HashError;
use crate::rate_limits::Limited;

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

/// Why a second-factor rule did not pass: a refusal the client can act on, or a lower layer's failure, kept as is
/// so `error/` maps each the way it maps them elsewhere.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Refused(#[from] MfaError),
    /// Both or neither of `code` and `recovery_code` were sent.
    #[error("send either code or recovery_code")]
    EitherCode,
    /// The account's `mfa-account` ceiling is reached.
    #[error("too many code attempts")]
    Limited(Limited),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hash(#[from] HashError),
}

impl From<Limited> for CheckError {
    fn from(limited: Limited) -> Self {
        Self::Limited(limited)
    }
}
