//! The key that seals TOTP secrets at rest: `mfa.key` in the key directory, 32 random bytes, mode 0600, made on
//! first start. Sealing is XChaCha20-Poly1305 with a random 192-bit nonce per secret and the owner's user id as
//! associated data, so a database dump alone yields no secret, and a sealed value copied to another account's
//! row does not open.

use std::fs;
use std::io::Write;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use super::KeyError;

/// The file name in the key directory.
pub const SECRET_BOX_FILE: &str = "mfa.key";
const KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 24;

/// Seals and opens small secrets; never prints its key.
#[derive(Clone)]
pub struct SecretBox(XChaCha20Poly1305);

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox([redacted])")
    }
}

impl SecretBox {
    /// Reads `dir/mfa.key`, creating it first when absent. Creation is link-if-absent, so instances starting
    /// together on one shared directory all end up with the same key.
    pub fn load_or_create(dir: &Path) -> Result<Self, KeyError> {
        let path = dir.join(SECRET_BOX_FILE);
        if !path.exists() {
            create(dir).map_err(|e| KeyError::new(&path, e))?;
        }
        let bytes = fs::read(&path).map_err(|e| KeyError::new(&path, e))?;
        if bytes.len() != KEY_BYTES {
            return Err(KeyError::new(&path, "must hold exactly 32 bytes"));
        }
        let cipher =
            XChaCha20Poly1305::new_from_slice(&bytes).map_err(|e| KeyError::new(&path, e))?;
        Ok(Self(cipher))
    }

    /// A key of its own, never written anywhere (tests).
    pub fn ephemeral() -> Self {
        let mut key = [0u8; KEY_BYTES];
        rand::fill(&mut key);
        Self(XChaCha20Poly1305::new(&key.into()))
    }

    /// `base64(nonce || ciphertext)` of `plain`, bound to `owner`.
    pub fn seal(&self, owner: &str, plain: &[u8]) -> String {
        let mut nonce = [0u8; NONCE_BYTES];
        rand::fill(&mut nonce);
        let payload = Payload {
            msg: plain,
            aad: owner.as_bytes(),
        };
        // Encryption fails only for messages of gigabytes; secrets are 20 bytes.
        let sealed = self
            .0
            .encrypt(&XNonce::from(nonce), payload)
            .expect("a short message always encrypts");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        STANDARD_NO_PAD.encode(out)
    }

    /// The plain bytes, or `None` when `sealed` is not ours, was altered, or belongs to another owner.
    pub fn open(&self, owner: &str, sealed: &str) -> Option<Vec<u8>> {
        let bytes = STANDARD_NO_PAD.decode(sealed).ok()?;
        if bytes.len() < NONCE_BYTES {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().ok()?;
        let payload = Payload {
            msg: ciphertext,
            aad: owner.as_bytes(),
        };
        self.0.decrypt(&XNonce::from(nonce), payload).ok()
    }
}

fn create(dir: &Path) -> std::io::Result<()> {
    let mut key = [0u8; KEY_BYTES];
    rand::fill(&mut key);
    let temp = dir.join(format!(".{SECRET_BOX_FILE}.{}.tmp", std::process::id()));
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&temp).and_then(|mut file| {
        file.write_all(&key)?;
        file.sync_all()
    });
    // A hard link fails when the name exists: whoever links first wins, the others read that key.
    let linked = written.and_then(|()| fs::hard_link(&temp, dir.join(SECRET_BOX_FILE)));
    let _ = fs::remove_file(&temp);
    match linked {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_for_their_owner_and_unaltered() {
        let dir = tempfile::tempdir().unwrap();
        let boxed = SecretBox::load_or_create(dir.path()).unwrap();
        let sealed = boxed.seal("alice", b"12345678901234567890");
        assert_ne!(
            boxed.seal("alice", b"12345678901234567890"),
            sealed,
            "fresh nonce"
        );
        assert_eq!(
            boxed.open("alice", &sealed).unwrap(),
            b"12345678901234567890"
        );
        assert!(boxed.open("bob", &sealed).is_none());
        let mut tampered = sealed.clone().into_bytes();
        tampered[40] = if tampered[40] == b'A' { b'B' } else { b'A' };
        assert!(
            boxed
                .open("alice", &String::from_utf8(tampered).unwrap())
                .is_none()
        );
        assert!(SecretBox::ephemeral().open("alice", &sealed).is_none());
        let again = SecretBox::load_or_create(dir.path()).unwrap();
        assert!(again.open("alice", &sealed).is_some(), "the key is reused");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(SECRET_BOX_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
