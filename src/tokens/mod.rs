//! Minting and verifying the service's JWTs, and the cache of verified access tokens. The keys they are signed
//! with live in `crate::keys`; this module takes plain values (no database rows, no HTTP types).

mod claims;
mod device;
mod mint;
mod rejection;
mod verified;
mod verify;

pub use claims::{AccessClaims, RefreshClaims};
pub use device::DeviceClaims;
pub use mint::{MintError, MintedToken, SessionGeneration};
pub use rejection::TokenRejection;
// Every token is of one kind; callers name it with the claims.
pub use crate::keys::TokenKind;

use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::jwk::JwkSet;

use crate::config::{SessionSettings, TokenSettings};
use crate::keys::{KeySet, KeyStore};

/// The key ring plus the claims every token carries; shared by all workers. The ring is reloaded from the key
/// directory when `ring.json` changes (see `watch_key_ring`), so a rotation needs no restart.
#[derive(Clone)]
pub struct Tokens {
    store: Arc<KeyStore>,
    issuer: String,
    audience: String,
    access_ttl: Duration,
    refresh_ttl: Duration,
    device_ttl: Duration,
    idle_timeout: Duration,
    /// Clock skew tolerated on `exp` and `nbf`.
    leeway: Duration,
    verified: Arc<verified::VerifiedTokens>,
}

impl Tokens {
    /// Serves `keys` (reloaded from `settings.key_dir` by `watch_key_ring`) with the claims and lifetimes of
    /// `settings`; refresh tokens also end at the session idle timeout.
    pub fn new(keys: KeySet, settings: &TokenSettings, sessions: &SessionSettings) -> Self {
        Self {
            store: Arc::new(KeyStore::new(
                keys,
                settings.key_dir.clone(),
                settings.hs256_secret.clone(),
            )),
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            access_ttl: settings.access_ttl,
            refresh_ttl: settings.refresh_ttl,
            device_ttl: settings.device_ttl,
            idle_timeout: sessions.idle_timeout,
            leeway: settings.clock_leeway,
            verified: Arc::new(verified::VerifiedTokens::new(verified::CAPACITY)),
        }
    }

    /// The current snapshot of the ring.
    pub fn keys(&self) -> Arc<KeySet> {
        self.store.current()
    }

    /// Polls the key directory every `every` on a background thread (which ends when the last `Tokens` clone
    /// is dropped), and reloads on SIGHUP when called inside a Tokio runtime on Unix.
    pub fn watch_key_ring(&self, every: Duration) {
        crate::keys::watch(Arc::downgrade(&self.store), every);
    }

    /// The public keys that verify access tokens: every `next`, `active` and `retiring` access key. The
    /// refresh-token keys and an HMAC secret are never published, so in HS256 mode the set is empty.
    pub fn jwks(&self) -> JwkSet {
        let keys = self.keys();
        JwkSet {
            keys: keys
                .keys()
                .iter()
                .filter(|k| k.kind == TokenKind::Access)
                .filter_map(|k| k.public_jwk.clone())
                .collect(),
        }
    }

    /// The algorithms access tokens may currently be signed or verified with, for the discovery document.
    pub fn access_algorithms(&self) -> Vec<String> {
        let mut algs: Vec<String> = self
            .keys()
            .keys()
            .iter()
            .filter(|k| k.kind == TokenKind::Access)
            .map(|k| format!("{:?}", k.alg))
            .collect();
        algs.sort();
        algs.dedup();
        algs
    }

    /// The `iss` every token carries and every verification requires.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The `aud` every token carries and every verification requires.
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// How long after its last use a revoked session's access tokens could still verify: the window in
    /// which revocations must be remembered.
    pub fn access_token_window(&self) -> Duration {
        self.access_ttl + self.leeway
    }
}
