//! Signing keys: Ed25519 keys kept as PKCS#8 PEM files, generated on first start, identified by their RFC 7638
//! thumbprint. The access-token key is published in the JWKS; the refresh-token key never is.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use sha2::{Digest, Sha256};

use super::claims::TokenKind;

/// One key: how to sign, how to verify, and the algorithm it is pinned to.
pub struct SigningKey {
    pub kid: String,
    pub kind: TokenKind,
    pub alg: Algorithm,
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
    /// The public half as a JWK (kid, alg, use set).
    pub public_jwk: Jwk,
}

/// The keys this server signs and verifies with.
pub struct KeySet {
    pub access: SigningKey,
    pub refresh: SigningKey,
}

/// A key file that could not be read, written or used.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {problem}")]
pub struct KeyError {
    pub path: PathBuf,
    pub problem: String,
}

impl KeySet {
    /// Loads `access-key.pem` and `refresh-key.pem` from `dir`, creating any that are missing.
    /// Returns the keys and the files that were generated now.
    pub fn load_or_generate(dir: &Path) -> Result<(Self, Vec<PathBuf>), KeyError> {
        let mut generated = Vec::new();
        let mut load = |name: &str, kind| {
            let path = dir.join(name);
            if !path.exists() {
                write_new_key(dir, &path)?;
                generated.push(path.clone());
            }
            SigningKey::from_pem_file(&path, kind)
        };
        let access = load("access-key.pem", TokenKind::Access)?;
        let refresh = load("refresh-key.pem", TokenKind::Refresh)?;
        Ok((Self { access, refresh }, generated))
    }

    /// The key with this id, whichever kind it signs.
    pub fn by_kid(&self, kid: &str) -> Option<&SigningKey> {
        [&self.access, &self.refresh]
            .into_iter()
            .find(|key| key.kid == kid)
    }

    /// The key that signs new tokens of `kind`.
    pub fn signing(&self, kind: TokenKind) -> &SigningKey {
        match kind {
            TokenKind::Access => &self.access,
            TokenKind::Refresh => &self.refresh,
        }
    }
}

impl SigningKey {
    fn from_pem_file(path: &Path, kind: TokenKind) -> Result<Self, KeyError> {
        let fail = |problem: String| KeyError {
            path: path.to_owned(),
            problem,
        };
        warn_if_readable_by_others(path);
        let pem = fs::read(path).map_err(|e| fail(e.to_string()))?;
        let encoding = EncodingKey::from_ed_pem(&pem)
            .map_err(|e| fail(format!("not an Ed25519 private key in PKCS#8 PEM: {e}")))?;
        let mut jwk = Jwk::from_encoding_key(&encoding, Algorithm::EdDSA).map_err(|e| {
            fail(format!(
                "unsupported Ed25519 key encoding (use PKCS#8 v1): {e}"
            ))
        })?;
        let AlgorithmParameters::OctetKeyPair(okp) = &jwk.algorithm else {
            return Err(fail("not an Ed25519 key".into()));
        };
        let kid = ed25519_thumbprint(&okp.x);
        jwk.common.key_id = Some(kid.clone());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        let decoding = DecodingKey::from_jwk(&jwk).map_err(|e| fail(e.to_string()))?;
        Ok(Self {
            kid,
            kind,
            alg: Algorithm::EdDSA,
            encoding,
            decoding,
            public_jwk: jwk,
        })
    }
}

/// RFC 7638 thumbprint of an Ed25519 public key (jsonwebtoken computes it only for EC and RSA keys).
fn ed25519_thumbprint(x: &str) -> String {
    let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

/// Writes a fresh Ed25519 key as PKCS#8 v1 PEM (what `openssl genpkey -algorithm ed25519` writes), mode 0600.
fn write_new_key(dir: &Path, path: &Path) -> Result<(), KeyError> {
    let fail = |problem: String| KeyError {
        path: path.to_owned(),
        problem,
    };
    create_private_dir(dir).map_err(|e| fail(format!("cannot create the key directory: {e}")))?;
    let mut seed = [0u8; 32];
    rand::fill(&mut seed);
    // RFC 8410: SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING seed } }.
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(&seed);
    let body = STANDARD.encode(&der);
    let pem = format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n");
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| fail(e.to_string()))?;
    file.write_all(pem.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| fail(e.to_string()))
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

fn warn_if_readable_by_others(path: &Path) {
    #[cfg(unix)]
    if let Ok(meta) = fs::metadata(path) {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "signing key file is readable by other users; chmod 600 it");
        }
    }
}
