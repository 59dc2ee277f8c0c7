//! Signing keys in memory: each one pinned to its algorithm and identified by its RFC 7638 thumbprint. A `KeySet`
//! is an immutable snapshot of the key ring (see `ring/`); reloading builds a new snapshot.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use sha2::{Digest, Sha256};

use super::error::KeyError;
use super::hmac_secret::HmacSecret;
use super::kind::TokenKind;
use super::ring::{KeyAlg, KeyState, RingFile, thumbprint};

/// One key: how to sign, how to verify, and the algorithm it is pinned to.
pub struct SigningKey {
    pub kid: String,
    pub kind: TokenKind,
    pub alg: Algorithm,
    pub state: KeyState,
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
    /// The public half as a JWK (kid, alg, use set); `None` for an HMAC key, which is never published.
    pub public_jwk: Option<Jwk>,
}

/// The keys this server signs and verifies with: every key of the ring (`next`, `active` and `retiring` all
/// verify, only `active` signs), plus the shared HMAC secret in HS256 mode.
pub struct KeySet {
    keys: Vec<SigningKey>,
}

impl KeySet {
    /// Initialises the ring in `dir` if it has none (one active access and one active refresh key, or the
    /// pre-ring `access-key.pem`/`refresh-key.pem` imported), then loads it. With `hs256`, access tokens use
    /// that secret and the ring's access keys are neither needed nor used. Returns the keys and a line per key
    /// generated now, for the log.
    pub fn load_or_generate(
        dir: &Path,
        default_alg: KeyAlg,
        hs256: Option<&HmacSecret>,
    ) -> Result<(Self, Vec<String>), KeyError> {
        let generated = super::ring::initialise(dir, default_alg, hs256.is_none())?;
        Ok((Self::load(dir, hs256)?, generated))
    }

    /// Loads the ring as `ring.json` in `dir` describes it.
    pub fn load(dir: &Path, hs256: Option<&HmacSecret>) -> Result<Self, KeyError> {
        let ring = RingFile::read(dir)?;
        Self::from_ring(dir, &ring, hs256)
    }

    pub(crate) fn from_ring(
        dir: &Path,
        ring: &RingFile,
        hs256: Option<&HmacSecret>,
    ) -> Result<Self, KeyError> {
        let mut keys = Vec::new();
        for entry in &ring.keys {
            if hs256.is_some() && entry.kind == TokenKind::Access {
                continue;
            }
            let path = dir.join(&entry.file);
            let key = SigningKey::from_pem_file(&path, entry.kind, entry.alg, entry.state)?;
            if key.kid != entry.kid {
                return Err(KeyError::new(
                    &path,
                    format!("holds key {} but ring.json says {}", key.kid, entry.kid),
                ));
            }
            keys.push(key);
        }
        if let Some(secret) = hs256 {
            keys.push(SigningKey::hmac(secret));
        }
        for kind in [TokenKind::Access, TokenKind::Refresh] {
            let active = keys
                .iter()
                .filter(|k| k.kind == kind && k.state == KeyState::Active)
                .count();
            if active != 1 {
                return Err(KeyError::new(
                    &dir.join(super::ring::STATE_FILE),
                    format!("expected one active {} key, found {active}", kind.name()),
                ));
            }
        }
        Ok(Self { keys })
    }

    /// The key with this id, whichever kind it signs.
    pub fn by_kid(&self, kid: &str) -> Option<&SigningKey> {
        self.keys.iter().find(|key| key.kid == kid)
    }

    /// The key that signs new tokens of `kind`.
    pub fn signing(&self, kind: TokenKind) -> &SigningKey {
        self.keys
            .iter()
            .find(|k| k.kind == kind && k.state == KeyState::Active)
            .expect("a loaded key set has one active key per kind")
    }

    /// Every key, in ring order (the HMAC key, if any, last).
    pub fn keys(&self) -> &[SigningKey] {
        &self.keys
    }
}

impl SigningKey {
    fn from_pem_file(
        path: &Path,
        kind: TokenKind,
        alg: KeyAlg,
        state: KeyState,
    ) -> Result<Self, KeyError> {
        warn_if_readable_by_others(path);
        let pem = std::fs::read(path).map_err(|e| KeyError::new(path, e))?;
        let (encoding, algorithm) = match alg {
            KeyAlg::EdDSA => (EncodingKey::from_ed_pem(&pem), Algorithm::EdDSA),
            KeyAlg::ES256 => (EncodingKey::from_ec_pem(&pem), Algorithm::ES256),
        };
        let encoding = encoding.map_err(|e| {
            KeyError::new(path, format!("not an {alg} private key in PKCS#8 PEM: {e}"))
        })?;
        let mut jwk = Jwk::from_encoding_key(&encoding, algorithm).map_err(|e| {
            KeyError::new(
                path,
                format!("unsupported {alg} key encoding (use PKCS#8 v1): {e}"),
            )
        })?;
        let kid =
            thumbprint(&jwk).ok_or_else(|| KeyError::new(path, format!("not an {alg} key")))?;
        jwk.common.key_id = Some(kid.clone());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        let decoding = DecodingKey::from_jwk(&jwk).map_err(|e| KeyError::new(path, e))?;
        Ok(Self {
            kid,
            kind,
            alg: algorithm,
            state,
            encoding,
            decoding,
            public_jwk: Some(jwk),
        })
    }

    /// The HS256 access-token key of HMAC mode. Its kid is a fingerprint that does not help guess the secret.
    fn hmac(secret: &HmacSecret) -> Self {
        let digest = Sha256::new()
            .chain_update(b"authd hs256 kid\0")
            .chain_update(secret.expose())
            .finalize();
        Self {
            kid: format!("hs256-{}", &URL_SAFE_NO_PAD.encode(digest)[..16]),
            kind: TokenKind::Access,
            alg: Algorithm::HS256,
            state: KeyState::Active,
            encoding: EncodingKey::from_secret(secret.expose()),
            decoding: DecodingKey::from_secret(secret.expose()),
            public_jwk: None,
        }
    }
}

fn warn_if_readable_by_others(path: &Path) {
    #[cfg(unix)]
    if let Ok(meta) = std::fs::metadata(path) {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "signing key file is readable by other users; chmod 600 it");
        }
    }
}
