//! Why a token was refused: the tokens' own error, mapped to HTTP in `crate::error`.

use serde::Serialize;

/// Why a token was refused; serialised as the body's stable `reason` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenRejection {
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
    /// A single-use mfa_token presented again (or burned by too many wrong codes): not a session that ended.
    AlreadyUsed,
}

impl TokenRejection {
    /// The `reason` code, as serialised; also the `reason` label of `authd_token_rejections_total`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::Malformed => "malformed",
            Self::UnknownKid => "unknown_kid",
            Self::BadSignature => "bad_signature",
            Self::WrongType => "wrong_type",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::WrongIssuer => "wrong_issuer",
            Self::WrongAudience => "wrong_audience",
            Self::SessionRevoked => "session_revoked",
            Self::ReuseDetected => "reuse_detected",
            Self::AlreadyUsed => "already_used",
        }
    }

    /// Human text for `error_description`; never includes the token itself.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Missing => "no bearer token was presented",
            Self::Malformed => "the token is not a well-formed JWT",
            Self::UnknownKid => "the token was not signed by a key this server knows",
            Self::BadSignature => "the token signature is invalid",
            Self::WrongType => "the token is of the wrong type for this use",
            Self::Expired => "the token has expired",
            Self::NotYetValid => "the token is not valid yet",
            Self::WrongIssuer => "the token was issued by another issuer",
            Self::WrongAudience => "the token is meant for another audience",
            Self::SessionRevoked => "the session of this token has ended",
            Self::ReuseDetected => "the refresh token was already used; the session is revoked",
            Self::AlreadyUsed => {
                "this mfa_token was already used (or burned by five wrong codes, or ended by a password change or logout-all); sign in again"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejection_codes_match_the_serialised_reason() {
        use TokenRejection::*;
        for reason in [
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
        ] {
            assert_eq!(
                serde_json::to_value(reason).unwrap(),
                reason.as_str(),
                "{reason:?}"
            );
        }
    }
}
