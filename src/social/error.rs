//! Why a provider login failed. None of these reach the client as such: the callback turns them into an
//! `error` parameter on the app's redirect URI.

/// A failed exchange with a provider.
#[derive(Debug, thiserror::Error)]
pub enum SocialError {
    /// The provider could not be reached, or timed out.
    #[error("provider unreachable: {0}")]
    Unreachable(String),
    /// The provider answered something authd does not accept (bad metadata, refused code, bad ID token).
    #[error("provider answer refused: {0}")]
    Invalid(String),
}

impl SocialError {
    pub(super) fn unreachable(error: reqwest::Error) -> Self {
        Self::Unreachable(error.without_url().to_string())
    }

    /// The RFC 6749 §4.1.2.1 code the app sees.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unreachable(_) => "temporarily_unavailable",
            Self::Invalid(_) => "access_denied",
        }
    }
}
