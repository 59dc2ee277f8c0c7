//! Admin API keys: a secret made by `crate::secrets` (shown once, stored as its digest, found through an index),
//! shown with a prefix so a leaked one is recognisable.

use crate::secrets;

/// What every key starts with, so a leaked one is recognisable (secret scanners, logs review).
pub const PREFIX: &str = "authd_admin_";

/// A new key, as the operator gets it once.
pub fn generate() -> String {
    secrets::mint_prefixed(PREFIX).shown
}

/// What is stored of a key, and what a presented key is looked up by.
pub fn hash(key: &str) -> String {
    secrets::digest(key)
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
