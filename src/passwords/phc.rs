//! Argon2 hashing and verification into caller-owned memory, reading and writing PHC strings
//! (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`).

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// Salt length: 128 bits, as RFC 9106 recommends.
const SALT_BYTES: usize = 16;

/// Hashes `password` with argon2id and `params`, using `memory` (at least `params.block_count()` blocks).
pub fn hash(params: &Params, password: &[u8], memory: &mut [Block]) -> Result<String, String> {
    let mut salt = [0u8; SALT_BYTES];
    rand::fill(&mut salt);
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(password, &salt, &mut out, memory)
        .map_err(|e| format!("argon2: {e}"))?;
    argon2id_phc(params, &salt, &out)
}

/// A PHC string that no password matches but that costs one full hash with `params` to check: the stand-in
/// verified against when an email is unknown. Made without hashing, so start-up does no argon2 work.
pub fn unmatchable(params: &Params) -> Result<String, String> {
    let mut salt = [0u8; SALT_BYTES];
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    rand::fill(&mut salt);
    rand::fill(&mut out);
    argon2id_phc(params, &salt, &out)
}

fn argon2id_phc(params: &Params, salt: &[u8], out: &[u8]) -> Result<String, String> {
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(|e| e.to_string())?,
        salt: Some(Salt::new(salt).map_err(|e| e.to_string())?),
        hash: Some(Output::new(out).map_err(|e| e.to_string())?),
    };
    Ok(phc.to_string())
}

/// What checking a password against a stored PHC string found.
#[derive(Debug, PartialEq, Eq)]
pub enum Check {
    Matches {
        params: Params,
        argon2id: bool,
    },
    Differs,
    /// The stored string is not an argon2 PHC string we can check.
    Unreadable,
}

/// Recomputes the stored hash's function with its own algorithm, version and parameters, in `memory` when that
/// is large enough (an older, costlier hash gets memory of its own), and compares in constant time.
pub fn verify(stored: &str, password: &[u8], memory: &mut [Block]) -> Check {
    let Ok(phc) = PasswordHash::new(stored) else {
        return Check::Unreadable;
    };
    let (Some(salt), Some(expected)) = (&phc.salt, &phc.hash) else {
        return Check::Unreadable;
    };
    let Ok(algorithm) = Algorithm::try_from(phc.algorithm.as_str()) else {
        return Check::Unreadable;
    };
    let version = match phc.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return Check::Unreadable,
    };
    let Ok(params) = Params::try_from(&phc) else {
        return Check::Unreadable;
    };
    let mut out = vec![0u8; expected.len()];
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let computed = if params.block_count() <= memory.len() {
        argon2.hash_password_into_with_memory(password, salt.as_ref(), &mut out, &mut *memory)
    } else {
        argon2.hash_password_into(password, salt.as_ref(), &mut out)
    };
    match computed.ok().and_then(|()| Output::new(&out).ok()) {
        // `Output`'s equality is constant-time.
        Some(computed) if &computed == expected => Check::Matches {
            params,
            argon2id: algorithm == Algorithm::Argon2id,
        },
        Some(_) => Check::Differs,
        None => Check::Unreadable,
    }
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    use super::*;

    fn small() -> Params {
        Params::new(64, 1, 1, None).unwrap()
    }

    fn memory(params: &Params) -> Vec<Block> {
        vec![Block::new(); params.block_count()]
    }

    #[test]
    fn our_hashes_verify_with_the_argon2_crate_and_its_hashes_with_ours() {
        let params = small();
        let ours = hash(&params, b"pw", &mut memory(&params)).unwrap();
        assert!(ours.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{ours}");
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default().verify_password(b"pw", &parsed).is_ok());

        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, small())
            .hash_password(b"pw")
            .unwrap()
            .to_string();
        let check = verify(&theirs, b"pw", &mut memory(&params));
        assert!(matches!(check, Check::Matches { argon2id: true, .. }));
        assert_eq!(
            verify(&theirs, b"other", &mut memory(&params)),
            Check::Differs
        );
    }

    #[test]
    fn a_costlier_or_older_hash_still_verifies() {
        let costly = Params::new(256, 2, 2, None).unwrap();
        let argon2i = Argon2::new(Algorithm::Argon2i, Version::V0x10, costly)
            .hash_password(b"pw")
            .unwrap()
            .to_string();
        let check = verify(&argon2i, b"pw", &mut memory(&small()));
        assert!(
            matches!(
                check,
                Check::Matches {
                    argon2id: false,
                    ..
                }
            ),
            "{check:?}"
        );
    }

    #[test]
    fn the_stand_in_matches_nothing_and_garbage_is_unreadable() {
        let params = small();
        let stand_in = unmatchable(&params).unwrap();
        assert_eq!(verify(&stand_in, b"", &mut memory(&params)), Check::Differs);
        for garbage in [
            "",
            "plain",
            "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ",
            "$bcrypt$x$y$z",
        ] {
            assert_eq!(
                verify(garbage, b"pw", &mut memory(&params)),
                Check::Unreadable
            );
        }
    }
}
