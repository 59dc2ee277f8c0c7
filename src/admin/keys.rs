//! Admin API keys: 256 random bits, shown once, stored as their SHA-256 (a fast hash is enough for a secret that
//! cannot be guessed, and it lets a request find its key through an index).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// What every key starts with, so a leaked one is recognisable (secret scanners, logs review).
pub const PREFIX: &str = "authd_admin_";

/// A new key, as the operator gets it once.
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// What is stored of a key, and what a presented key is looked up by.
pub fn hash(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_are_unique_prefixed_and_hashed() {
        let (a, b) = (super::generate(), super::generate());
        assert!(a.starts_with(super::PREFIX) && a.len() == super::PREFIX.len() + 43);
        assert_ne!(a, b);
        assert_eq!(super::hash(&a).len(), 64);
        assert_ne!(super::hash(&a), super::hash(&b));
    }
}
