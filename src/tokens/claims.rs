//! What the two kinds of token say.

use serde::{Deserialize, Serialize};

/// Claims of an access token (RFC 9068 names).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    /// The user id.
    pub sub: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    /// The session id, so a revoked session's access tokens can be refused.
    pub sid: String,
    /// The user's roles when the token was minted (RFC 9068 §2.2.3.1 style); absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// How the session was authenticated (RFC 8176: `pwd`, `otp`, and `rcv` for a recovery code).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amr: Vec<String>,
    /// The assurance level those methods reach: `aal1`, or `aal2` with a second factor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    /// Whether the account's address was verified when the token was minted (login or refresh reads the account
    /// row, so it is at most one access-token lifetime stale). Absent in tokens minted before it existed: false.
    #[serde(default)]
    pub email_verified: bool,
    /// When the user signed in to this session (OpenID Connect's `auth_time`, Unix seconds): the session's
    /// start, kept across refreshes. Adding a way in to a password-less account needs a recent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
}

/// Claims of a refresh token. Everything in it derives from the session row, so the same generation always
/// yields the same token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefreshClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub sid: String,
    /// The session's rotation generation this token was issued for.
    pub generation: i64,
}
