//! One way to make a secret that a client holds and the database must not: 256 random bits, shown once as
//! unpadded base64url (after an optional prefix that makes a leaked one recognisable), stored as the hex SHA-256
//! of exactly what is shown. A fast hash is enough for a value that cannot be guessed, and it lets a presented
//! secret be found through an index, so no stored digest is ever compared in code (nothing to time).
//! Admin keys, mailed tokens and the social-login flow values are made here; formats on the wire and in the
//! database are fixed by rows already stored, so they must not change.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// Length of the random part as shown: 32 bytes in unpadded base64url.
pub const RANDOM_CHARS: usize = 43;

/// A new secret: what its holder is shown once (mailed, printed, redirected with), and what is stored instead.
pub struct Minted {
    /// Never logged, never stored.
    pub shown: String,
    /// `digest(&shown)`.
    pub stored: String,
}

/// A new secret with no prefix.
pub fn mint() -> Minted {
    from_shown(random())
}

/// A new secret shown as `prefix` followed by the random part; the digest covers the prefix too.
pub fn mint_prefixed(prefix: &str) -> Minted {
    from_shown(format!("{prefix}{}", random()))
}

fn from_shown(shown: String) -> Minted {
    let stored = digest(&shown);
    Minted { shown, stored }
}

/// 256 random bits as unpadded base64url ([`RANDOM_CHARS`] characters), for a value that is kept as it is
/// (a nonce, a PKCE verifier) or hashed by the caller.
pub fn random() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored of a secret, and what a presented one is looked up by: lowercase hex SHA-256 (64 characters).
pub fn digest(presented: &str) -> String {
    Sha256::digest(presented.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The digest of a presented unprefixed secret, or `None` when it cannot be one of ours (no lookup needed).
pub fn digest_if_well_formed(presented: &str) -> Option<String> {
    let well_formed = presented.len() == RANDOM_CHARS
        && presented
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    well_formed.then(|| digest(presented))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_secrets_are_random_shown_once_and_stored_as_their_digest() {
        let (a, b) = (mint(), mint());
        assert_ne!(a.shown, b.shown);
        assert_eq!(a.shown.len(), RANDOM_CHARS);
        assert_eq!(a.stored, digest(&a.shown));
        assert_eq!(digest_if_well_formed(&a.shown), Some(a.stored.clone()));
        let p = mint_prefixed("authd_admin_");
        assert!(p.shown.starts_with("authd_admin_"));
        assert_eq!(p.shown.len(), "authd_admin_".len() + RANDOM_CHARS);
        assert_eq!(p.stored, digest(&p.shown));
        assert_eq!(digest_if_well_formed(&p.shown), None);
    }

    // Rows stored before this module existed must still match: the digest is the lowercase hex SHA-256 of the
    // text shown, prefix included (a FIPS 180-2 vector, then a mailed token and an admin key, digested by
    // `sha256sum` as the replaced code stored them).
    const MAILED_DIGEST: &str = "13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3";
    const ADMIN_KEY: &str = "authd_admin_dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const ADMIN_DIGEST: &str = "e16c66492b8a0c54ee451e4276792c29a7053b5cea8098d665b0aa4ae41e92e0";

    #[test]
    fn digests_keep_the_stored_format() {
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let mailed = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            digest_if_well_formed(mailed).as_deref(),
            Some(MAILED_DIGEST)
        );
        assert_eq!(digest(ADMIN_KEY), ADMIN_DIGEST);
    }

    #[test]
    fn only_the_shape_of_a_random_part_is_well_formed() {
        let good = random();
        for bad in [
            "",
            "short",
            &format!("{}=", &good[..42]),
            &format!("{good}x"),
            &format!("{}+", &good[..42]),
        ] {
            assert_eq!(digest_if_well_formed(bad), None, "{bad}");
        }
    }
}
