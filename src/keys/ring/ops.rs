//! What `authd keys ...` and the first start do to the ring, each under the ring lock.

use std::fs;
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::files::{RingLock, create_private_dir};
use super::keygen;
use super::state::{KeyAlg, KeyState, RingEntry, RingFile, STATE_FILE};
use crate::keys::error::KeyError;
use crate::keys::kind::TokenKind;

/// Keys written before the ring existed; imported as the active keys on first start with this version.
/// The largest clock leeway a verifier may be configured with; key retirement waits for it.
pub const MAX_LEEWAY: Duration = Duration::from_secs(60);

pub(super) const LEGACY_FILES: [(TokenKind, &str); 2] = [
    (TokenKind::Access, "access-key.pem"),
    (TokenKind::Refresh, "refresh-key.pem"),
];

/// What `rotate` did.
#[derive(Debug, Clone)]
pub struct Rotation {
    pub activated: RingEntry,
    pub retiring: Option<RingEntry>,
    /// No `next` key existed, so one was generated and activated at once: downstream caches may not know it.
    pub generated_now: bool,
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
        let wait = lifetime(entry.kind) + MAX_LEEWAY;
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
