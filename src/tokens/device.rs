//! Device tokens: what a client gets from a successful login so that, later, its own logins are not held back by
//! the account-wide ceiling on failed logins that an attacker can fill (OWASP's "device cookies"). A device
//! token proves only "this client once logged in to this account"; it authenticates nothing by itself.
//!
//! It is signed with the refresh-token key (never published), under its own `typ`, so it passes neither as an
//! access token (another key kind) nor as a refresh token (another `typ`).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::claims::token_claims;
use super::mint::seconds;
use super::{MintError, MintedToken, TokenKind, TokenRejection, Tokens};

/// The `typ` header of a device token.
pub const DEVICE_TYP: &str = "device+jwt";

token_claims! {
    /// Claims of a device token: `sub` is the account the client logged in to, `jti` the device's id (the key of
    /// its own failed-login budget).
    pub struct DeviceClaims {
        /// The account's credential epoch when it was minted: after a credential change (a new password,
        /// logout-all) the token no longer counts, so budgets collected while an attacker knew the old password
        /// die with it.
        pub epoch: i64,
    }
}

impl Tokens {
    /// A fresh device token for `user_id` under its credential `epoch`, valid for the configured device
    /// lifetime from `now`.
    pub fn mint_device(
        &self,
        user_id: &str,
        epoch: i64,
        now: i64,
    ) -> Result<MintedToken, MintError> {
        let ttl = seconds(self.device_ttl);
        let claims = DeviceClaims {
            iss: self.issuer.clone(),
            sub: user_id.to_owned(),
            aud: self.audience.clone(),
            iat: now,
            exp: now.saturating_add(ttl),
            jti: Uuid::new_v4().to_string(),
            epoch,
        };
        Ok(MintedToken {
            token: self.sign_typed(TokenKind::Refresh, DEVICE_TYP, &claims)?,
            expires_in: ttl,
        })
    }

    /// Verifies a device token's signature, type, issuer, audience and expiry (whose account it is, the caller
    /// compares).
    pub fn verify_device(&self, token: &str) -> Result<DeviceClaims, TokenRejection> {
        self.verify_typed(token, TokenKind::Refresh, DEVICE_TYP, true)
    }
}
