//! A bounded cache of access tokens that passed full verification, so a busy bearer route pays for a signature
//! check once per token rather than once per request.

use std::sync::Arc;

use quick_cache::sync::Cache;
use sha2::{Digest, Sha256};

use super::{AccessClaims, KeySet};

/// Entries kept at most; each is the claims (a few hundred bytes) plus two pointers.
pub(super) const CAPACITY: usize = 10_000;

/// Keyed by a SHA-256 of the whole token (header, claims and signature), so only the exact bytes that were
/// verified ever hit, and no token is held in memory.
pub(super) struct VerifiedTokens {
    entries: Cache<[u8; 32], Entry>,
}

#[derive(Clone)]
struct Entry {
    claims: Arc<AccessClaims>,
    /// The key set the token was verified against. A reload swaps the set, and an entry of another set is a
    /// miss, so a retired or removed key stops verifying at once.
    keys: Arc<KeySet>,
}

impl VerifiedTokens {
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            entries: Cache::new(capacity),
        }
    }

    pub(super) fn digest(token: &str) -> [u8; 32] {
        Sha256::digest(token.as_bytes()).into()
    }

    /// The claims of a token verified against `keys`, if it was. Expiry is the caller's to check.
    pub(super) fn get(&self, digest: &[u8; 32], keys: &Arc<KeySet>) -> Option<Arc<AccessClaims>> {
        self.entries
            .get(digest)
            .filter(|entry| Arc::ptr_eq(&entry.keys, keys))
            .map(|entry| entry.claims)
    }

    pub(super) fn insert(&self, digest: [u8; 32], claims: Arc<AccessClaims>, keys: Arc<KeySet>) {
        self.entries.insert(digest, Entry { claims, keys });
    }
}
