//! New private keys as PKCS#8 PEM: Ed25519 from a random seed, P-256 through the `p256` crate.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, ThumbprintHash};
use jsonwebtoken::{Algorithm, EncodingKey};
use p256::pkcs8::{EncodePrivateKey, LineEnding};
use sha2::{Digest, Sha256};

use super::files::write_private;
use super::state::{KeyAlg, KeyState, RingEntry};
use crate::keys::error::KeyError;
use crate::keys::kind::TokenKind;

/// Generates a key, writes it as `<kind>-<kid>.pem` (mode 0600) and returns its ring entry in state `next`.
pub fn generate(dir: &Path, kind: TokenKind, alg: KeyAlg) -> Result<RingEntry, KeyError> {
    let pem = match alg {
        KeyAlg::EdDSA => ed25519_pem(),
        KeyAlg::ES256 => p256_pem().map_err(|e| KeyError::new(dir, e))?,
    };
    let kid = kid_of_pem(dir, pem.as_bytes(), alg)?;
    let file = format!("{}-{kid}.pem", kind.name());
    write_private(dir, &file, pem.as_bytes())?;
    Ok(RingEntry {
        kid,
        kind,
        alg,
        state: KeyState::Next,
        file,
        created_at: Utc::now(),
        activated_at: None,
        retiring_since: None,
    })
}

/// The RFC 7638 thumbprint of the public half of a PEM private key.
pub fn kid_of_pem(path: &Path, pem: &[u8], alg: KeyAlg) -> Result<String, KeyError> {
    let (key, algorithm) = match alg {
        KeyAlg::EdDSA => (EncodingKey::from_ed_pem(pem), Algorithm::EdDSA),
        KeyAlg::ES256 => (EncodingKey::from_ec_pem(pem), Algorithm::ES256),
    };
    let key = key.map_err(|e| KeyError::new(path, format!("not an {alg} private key: {e}")))?;
    let jwk = Jwk::from_encoding_key(&key, algorithm).map_err(|e| KeyError::new(path, e))?;
    thumbprint(&jwk).ok_or_else(|| KeyError::new(path, format!("not an {alg} key")))
}

/// PKCS#8 v1 (what `openssl genpkey -algorithm ed25519` writes) around 32 random bytes.
pub(crate) fn ed25519_pem() -> String {
    let mut seed = [0u8; 32];
    rand::fill(&mut seed);
    // RFC 8410: SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING seed } }.
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(&seed);
    let body = STANDARD.encode(&der);
    format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n")
}

/// A P-256 private key (what `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256` writes).
fn p256_pem() -> Result<String, String> {
    // A uniformly random scalar: 32 random bytes, retried in the (2^-32) case they are not below the order.
    let secret = loop {
        let mut bytes = [0u8; 32];
        rand::fill(&mut bytes);
        if let Ok(secret) = p256::SecretKey::from_slice(&bytes) {
            break secret;
        }
    };
    secret
        .to_pkcs8_pem(LineEnding::LF)
        .map(|pem| pem.to_string())
        .map_err(|e| format!("cannot encode a P-256 key: {e}"))
}

/// The RFC 7638 kid of a public key read from a PEM file (nothing else is accepted there).
pub(crate) fn thumbprint(jwk: &Jwk) -> Option<String> {
    match &jwk.algorithm {
        // jsonwebtoken computes thumbprints only for EC and RSA keys.
        AlgorithmParameters::OctetKeyPair(okp) => {
            let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#, okp.x);
            Some(URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes())))
        }
        AlgorithmParameters::EllipticCurve(_) => jwk.thumbprint(ThumbprintHash::SHA256).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Refresh tokens are re-derivable from the session row only if signing is deterministic: Ed25519 is, and
    /// RustCrypto's ECDSA uses RFC 6979 nonces.
    #[test]
    fn both_algorithms_sign_deterministically() {
        let claims = serde_json::json!({"sub": "s", "exp": 1});
        for (pem, alg) in [
            (ed25519_pem(), Algorithm::EdDSA),
            (p256_pem().unwrap(), Algorithm::ES256),
        ] {
            let key = match alg {
                Algorithm::EdDSA => EncodingKey::from_ed_pem(pem.as_bytes()),
                _ => EncodingKey::from_ec_pem(pem.as_bytes()),
            }
            .unwrap();
            let sign =
                || jsonwebtoken::encode(&jsonwebtoken::Header::new(alg), &claims, &key).unwrap();
            assert_eq!(sign(), sign(), "{alg:?}");
        }
    }

    #[test]
    fn generated_keys_are_private_and_named_by_kid() {
        let dir = tempfile::tempdir().unwrap();
        for alg in [KeyAlg::EdDSA, KeyAlg::ES256] {
            let entry = generate(dir.path(), TokenKind::Access, alg).unwrap();
            assert_eq!(entry.file, format!("access-{}.pem", entry.kid));
            let pem = std::fs::read(dir.path().join(&entry.file)).unwrap();
            assert_eq!(kid_of_pem(dir.path(), &pem, alg).unwrap(), entry.kid);
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(dir.path().join(&entry.file))
                    .unwrap()
                    .permissions()
                    .mode();
                assert_eq!(mode & 0o777, 0o600);
            }
        }
    }
}
