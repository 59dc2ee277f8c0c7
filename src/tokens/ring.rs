//! The key ring on disk, shared by every instance: `ring.json` (which keys exist, their kind, algorithm and
//! state) next to one PKCS#8 PEM file per key, all in `AUTHD_KEY_DIR`, files mode 0600.
//!
//! Writes are atomic (temporary file, fsync, rename) and serialised between processes by `.ring.lock`, so an
//! instance polling `ring.json` sees either the old ring or the new one, and two operators (or three instances
//! starting on an empty shared directory) cannot lose each other's keys. Key files are written before the
//! `ring.json` that names them and removed after the `ring.json` that no longer does.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::claims::TokenKind;
use super::keygen;
use super::keys::KeyError;

/// The ring's state file.
pub const STATE_FILE: &str = "ring.json";
const LOCK_FILE: &str = ".ring.lock";
/// Keys written before the ring existed; imported as the active keys on first start with this version.
const LEGACY_FILES: [(TokenKind, &str); 2] = [
    (TokenKind::Access, "access-key.pem"),
    (TokenKind::Refresh, "refresh-key.pem"),
];

/// The asymmetric algorithms a ring key can be pinned to. RS256 is deliberately absent (RUSTSEC-2023-0071).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyAlg {
    EdDSA,
    ES256,
}

impl fmt::Display for KeyAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::EdDSA => "EdDSA",
            Self::ES256 => "ES256",
        })
    }
}

impl FromStr for KeyAlg {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "EdDSA" | "eddsa" | "Ed25519" => Ok(Self::EdDSA),
            "ES256" | "es256" => Ok(Self::ES256),
            "RS256" | "rs256" => Err(
                "RS256 is not supported (the rsa crate has an open advisory, \
                 RUSTSEC-2023-0071); use EdDSA or ES256"
                    .into(),
            ),
            other => Err(format!("expected EdDSA or ES256, got {other:?}")),
        }
    }
}

/// Where a key is in its life: published but not signing, signing, or verifying only until its tokens expire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyState {
    Next,
    Active,
    Retiring,
}

impl fmt::Display for KeyState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Next => "next",
            Self::Active => "active",
            Self::Retiring => "retiring",
        })
    }
}

/// One key of the ring as `ring.json` records it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RingEntry {
    pub kid: String,
    pub kind: TokenKind,
    pub alg: KeyAlg,
    pub state: KeyState,
    /// The PEM file, relative to the key directory.
    pub file: String,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activated_at: Option<DateTime<Utc>>,
    /// When it stopped signing; tokens it signed are valid for at most one lifetime after this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retiring_since: Option<DateTime<Utc>>,
}

/// The whole of `ring.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RingFile {
    pub version: u32,
    pub keys: Vec<RingEntry>,
}

/// What `rotate` did.
#[derive(Debug, Clone)]
pub struct Rotation {
    pub activated: RingEntry,
    pub retiring: Option<RingEntry>,
    /// No `next` key existed, so one was generated and activated at once: downstream caches may not know it.
    pub generated_now: bool,
}

impl RingFile {
    /// Reads and parses `ring.json`.
    pub fn read(dir: &Path) -> Result<Self, KeyError> {
        let path = dir.join(STATE_FILE);
        let bytes = fs::read(&path).map_err(|e| KeyError::new(&path, e))?;
        Self::parse(&path, &bytes)
    }

    pub(crate) fn parse(path: &Path, bytes: &[u8]) -> Result<Self, KeyError> {
        let ring: Self = serde_json::from_slice(bytes).map_err(|e| KeyError::new(path, e))?;
        if ring.version != 1 {
            return Err(KeyError::new(
                path,
                format!("unknown version {}", ring.version),
            ));
        }
        Ok(ring)
    }

    fn write(&self, dir: &Path) -> Result<(), KeyError> {
        let text = serde_json::to_vec_pretty(self).expect("the ring serialises");
        write_private(dir, STATE_FILE, &text)
    }

    fn active(&self, kind: TokenKind) -> Option<&RingEntry> {
        self.keys
            .iter()
            .find(|k| k.kind == kind && k.state == KeyState::Active)
    }
}

/// Makes sure `dir` holds a ring with an active refresh key and, unless `need_access` is false (HS256 mode),
/// an active access key. Returns a log line per key generated.
pub fn initialise(
    dir: &Path,
    default_alg: KeyAlg,
    need_access: bool,
) -> Result<Vec<String>, KeyError> {
    create_private_dir(dir).map_err(|e| KeyError::new(dir, e))?;
    let _lock = RingLock::acquire(dir)?;
    let (mut ring, mut changed) = if dir.join(STATE_FILE).exists() {
        (RingFile::read(dir)?, false)
    } else {
        (import_legacy(dir)?, true)
    };
    let mut generated = Vec::new();
    for kind in [TokenKind::Access, TokenKind::Refresh] {
        if (kind == TokenKind::Access && !need_access) || ring.active(kind).is_some() {
            continue;
        }
        let alg = match kind {
            TokenKind::Access => default_alg,
            TokenKind::Refresh => KeyAlg::EdDSA,
        };
        let mut entry = keygen::generate(dir, kind, alg)?;
        entry.state = KeyState::Active;
        entry.activated_at = Some(entry.created_at);
        generated.push(format!(
            "generated the active {} key {} ({alg}) in {}",
            kind.name(),
            entry.kid,
            dir.join(&entry.file).display()
        ));
        ring.keys.push(entry);
        changed = true;
    }
    if changed {
        ring.write(dir)?;
    }
    Ok(generated)
}

/// The keys of the ring.
pub fn list(dir: &Path) -> Result<Vec<RingEntry>, KeyError> {
    Ok(RingFile::read(dir)?.keys)
}

/// Adds a `next` key of `kind`: published in the JWKS (access keys) and accepted, but not signing yet.
pub fn generate(dir: &Path, kind: TokenKind, alg: KeyAlg) -> Result<RingEntry, KeyError> {
    let _lock = RingLock::acquire(dir)?;
    let mut ring = RingFile::read(dir)?;
    let entry = keygen::generate(dir, kind, alg)?;
    ring.keys.push(entry.clone());
    ring.write(dir)?;
    Ok(entry)
}

/// Makes the newest `next` key of `kind` active (generating one first if there is none); the old active key
/// becomes `retiring`: it still verifies, it no longer signs.
pub fn rotate(dir: &Path, kind: TokenKind, alg_if_none: KeyAlg) -> Result<Rotation, KeyError> {
    let _lock = RingLock::acquire(dir)?;
    let mut ring = RingFile::read(dir)?;
    let newest_next = ring
        .keys
        .iter()
        .enumerate()
        .filter(|(_, k)| k.kind == kind && k.state == KeyState::Next)
        .max_by_key(|(_, k)| k.created_at)
        .map(|(i, _)| i);
    let (index, generated_now) = match newest_next {
        Some(i) => (i, false),
        None => {
            ring.keys.push(keygen::generate(dir, kind, alg_if_none)?);
            (ring.keys.len() - 1, true)
        }
    };
    let now = Utc::now();
    let mut retiring = None;
    for key in ring
        .keys
        .iter_mut()
        .filter(|k| k.kind == kind && k.state == KeyState::Active)
    {
        key.state = KeyState::Retiring;
        key.retiring_since = Some(now);
        retiring = Some(key.clone());
    }
    let activated = &mut ring.keys[index];
    activated.state = KeyState::Active;
    activated.activated_at = Some(now);
    let activated = activated.clone();
    ring.write(dir)?;
    Ok(Rotation {
        activated,
        retiring,
        generated_now,
    })
}

/// Removes a `retiring` (or never-used `next`) key and its file. Refuses the active key, and a retiring key that
/// stopped signing less than `lifetime` ago (its tokens may still be valid) unless `force`.
pub fn retire(
    dir: &Path,
    kid: &str,
    lifetime: impl Fn(TokenKind) -> Duration,
    force: bool,
) -> Result<RingEntry, KeyError> {
    let _lock = RingLock::acquire(dir)?;
    let state_path = dir.join(STATE_FILE);
    let mut ring = RingFile::read(dir)?;
    let index = ring
        .keys
        .iter()
        .position(|k| k.kid == kid)
        .ok_or_else(|| KeyError::new(&state_path, format!("no key {kid} in the ring")))?;
    let entry = ring.keys[index].clone();
    if entry.state == KeyState::Active {
        return Err(KeyError::new(
            &state_path,
            format!(
                "{kid} is the active {} key; rotate first, then retire it",
                entry.kind.name()
            ),
        ));
    }
    if entry.state == KeyState::Retiring && !force {
        let since = entry.retiring_since.unwrap_or(entry.created_at);
        let wait = lifetime(entry.kind) + Duration::from_secs(super::LEEWAY_SECONDS);
        let until = since + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX);
        if Utc::now() < until {
            return Err(KeyError::new(
                &state_path,
                format!(
                    "{kid} stopped signing at {since}; {} tokens it signed may be valid until {until}. \
                     Retire it after that, or pass --force to log those users out",
                    entry.kind.name()
                ),
            ));
        }
    }
    ring.keys.remove(index);
    ring.write(dir)?;
    let file = dir.join(&entry.file);
    fs::remove_file(&file).map_err(|e| KeyError::new(&file, e))?;
    Ok(entry)
}

/// A ring without `ring.json`: the pre-ring key files, if present, become the active keys.
fn import_legacy(dir: &Path) -> Result<RingFile, KeyError> {
    let mut ring = RingFile {
        version: 1,
        keys: Vec::new(),
    };
    for (kind, name) in LEGACY_FILES {
        let path = dir.join(name);
        if path.exists() {
            let pem = fs::read(&path).map_err(|e| KeyError::new(&path, e))?;
            let kid = keygen::kid_of_pem(&path, &pem, KeyAlg::EdDSA)?;
            let created_at = fs::metadata(&path)
                .and_then(|m| m.modified())
                .map_or_else(|_| Utc::now(), DateTime::<Utc>::from);
            ring.keys.push(RingEntry {
                kid,
                kind,
                alg: KeyAlg::EdDSA,
                state: KeyState::Active,
                file: name.to_owned(),
                created_at,
                activated_at: Some(created_at),
                retiring_since: None,
            });
        }
    }
    Ok(ring)
}

/// Writes `dir/name` atomically with mode 0600: a temporary file, fsync, rename, then fsync of the directory.
pub(crate) fn write_private(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), KeyError> {
    let path = dir.join(name);
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, &path)?;
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok::<_, std::io::Error>(())
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&temp);
        KeyError::new(&path, e)
    })
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Exclusive access to the ring across processes: `.ring.lock` created with O_EXCL, removed on drop.
struct RingLock(PathBuf);

impl RingLock {
    /// Waits up to 10 s for another writer; a lock older than a minute is left over from a crash and taken over.
    fn acquire(dir: &Path) -> Result<Self, KeyError> {
        let path = dir.join(LOCK_FILE);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(_) => return Ok(Self(path)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let stale = fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .is_some_and(|age| age > Duration::from_secs(60));
                    if stale {
                        let _ = fs::remove_file(&path);
                        continue;
                    }
                    if Instant::now() > deadline {
                        return Err(KeyError::new(
                            &path,
                            "another process is changing the key ring (remove this file if none is)",
                        ));
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => return Err(KeyError::new(&path, e)),
            }
        }
    }
}

impl Drop for RingLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::KeySet;

    #[test]
    fn keys_from_before_the_ring_become_its_active_keys() {
        let dir = tempfile::tempdir().unwrap();
        for (_, name) in LEGACY_FILES {
            write_private(dir.path(), name, keygen::ed25519_pem().as_bytes()).unwrap();
        }
        let generated = initialise(dir.path(), KeyAlg::EdDSA, true).unwrap();
        assert!(generated.is_empty(), "{generated:?}");
        let ring = RingFile::read(dir.path()).unwrap();
        let files: Vec<&str> = ring.keys.iter().map(|k| k.file.as_str()).collect();
        assert_eq!(files, ["access-key.pem", "refresh-key.pem"]);
        KeySet::load(dir.path(), None).unwrap();
    }

    #[test]
    fn instances_starting_together_on_an_empty_directory_share_one_ring() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys");
        let threads: Vec<_> = (0..3)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || {
                    initialise(&path, KeyAlg::EdDSA, true).unwrap();
                    let keys = KeySet::load(&path, None).unwrap();
                    keys.signing(TokenKind::Access).kid.clone()
                })
            })
            .collect();
        let kids: Vec<String> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        assert!(kids.iter().all(|k| *k == kids[0]), "{kids:?}");
        assert_eq!(RingFile::read(&path).unwrap().keys.len(), 2);
        let pems = fs::read_dir(&path)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".pem")
            })
            .count();
        assert_eq!(pems, 2, "no orphaned key files");
    }

    #[test]
    fn a_next_key_can_be_withdrawn_but_the_active_one_cannot_be_retired() {
        let dir = tempfile::tempdir().unwrap();
        initialise(dir.path(), KeyAlg::ES256, true).unwrap();
        let next = generate(dir.path(), TokenKind::Access, KeyAlg::ES256).unwrap();
        let ring = RingFile::read(dir.path()).unwrap();
        let active = ring.active(TokenKind::Access).unwrap().clone();
        assert_eq!(active.alg, KeyAlg::ES256);
        let forever = |_| Duration::from_secs(3600);
        assert!(retire(dir.path(), &active.kid, forever, true).is_err());
        retire(dir.path(), &next.kid, forever, false).unwrap();
        assert!(!dir.path().join(&next.file).exists());
        assert!(retire(dir.path(), "no-such-kid", forever, true).is_err());
        // After its tokens' lifetime (zero here), a retiring key goes without --force.
        let rotation = rotate(dir.path(), TokenKind::Access, KeyAlg::EdDSA).unwrap();
        assert!(rotation.generated_now);
        retire(dir.path(), &active.kid, |_| Duration::ZERO, false)
            .expect_err("the leeway still applies");
        assert_eq!(KeySet::load(dir.path(), None).unwrap().keys().len(), 3);
    }
}
