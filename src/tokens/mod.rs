//! Minting and verifying the service's JWTs.

mod claims;
mod keys;
mod mint;
mod verify;

pub use claims::{AccessClaims, RefreshClaims, TokenKind};
pub use keys::{KeyError, KeySet, SigningKey};
pub use mint::MintedToken;

use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::jwk::JwkSet;

use crate::config::{SessionSettings, TokenSettings};

/// The key set plus the claims every token carries; shared by all workers.
#[derive(Clone)]
pub struct Tokens {
    keys: Arc<KeySet>,
    issuer: String,
    audience: String,
    access_ttl: Duration,
    refresh_ttl: Duration,
    idle_timeout: Duration,
    /// Clock skew tolerated on `exp` and `nbf`.
    leeway: Duration,
}

impl Tokens {
    pub fn new(keys: KeySet, settings: &TokenSettings, sessions: &SessionSettings) -> Self {
        Self {
            keys: Arc::new(keys),
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            access_ttl: settings.access_ttl,
            refresh_ttl: settings.refresh_ttl,
            idle_timeout: sessions.idle_timeout,
            leeway: settings.clock_leeway,
        }
    }

    /// The public keys that verify access tokens; the refresh-token key is deliberately absent.
    pub fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: vec![self.keys.access.public_jwk.clone()],
        }
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// How long after its last use a revoked session's access tokens could still verify: the window in
    /// which revocations must be remembered.
    pub fn access_token_window(&self) -> Duration {
        self.access_ttl + self.leeway
    }
}
