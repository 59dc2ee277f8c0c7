//! The `mfa_token` of a login that still needs its second factor. It proves only "this password was right a
//! moment ago"; the challenge row it names (`jti`) makes it single use and counts its wrong codes.
//!
//! It is signed with the refresh-token key (never published) under its own `typ`, so it passes neither as an
//! access token (another key kind) nor as a refresh or device token (another `typ`), and they not as it.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::claims::token_claims;
use super::{MintError, MintedToken, TokenKind, TokenRejection, Tokens};

/// The `typ` header of an mfa_token.
pub const MFA_TYP: &str = "mfa+jwt";

token_claims! {
    /// Claims of an mfa_token: `sub` is the account whose password was right, `jti` the challenge's id.
    pub struct MfaClaims {
        /// The first factor that was proven (`pwd`, or `fed` after a provider login); absent means `pwd`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub first: Option<String>,
    }
}

impl Tokens {
    /// A fresh mfa_token for `user_id` after the first factor `first`, valid for `ttl_secs` from `now`, and its `jti`.
    pub fn mint_mfa(
        &self,
        user_id: &str,
        first: &str,
        now: i64,
        ttl_secs: i64,
    ) -> Result<(MintedToken, String), MintError> {
        let claims = MfaClaims {
            iss: self.issuer.clone(),
            sub: user_id.to_owned(),
            aud: self.audience.clone(),
            iat: now,
            exp: now.saturating_add(ttl_secs),
            jti: Uuid::new_v4().to_string(),
            first: Some(first.to_owned()),
        };
        let token = self.sign_typed(TokenKind::Refresh, MFA_TYP, &claims)?;
        let minted = MintedToken {
            token,
            expires_in: ttl_secs,
        };
        Ok((minted, claims.jti))
    }

    /// Verifies an mfa_token's signature, type, issuer, audience and expiry (the challenge row decides the rest).
    pub fn verify_mfa(&self, token: &str) -> Result<MfaClaims, TokenRejection> {
        self.verify_typed(token, TokenKind::Refresh, MFA_TYP, true)
    }
}
