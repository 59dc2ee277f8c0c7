//! The running server's view of the key ring, swapped whole when `ring.json` changes on disk.

use std::path::PathBuf;
use std::sync::mpsc::RecvTimeoutError;
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::Duration;

use super::error::KeyError;
use super::hmac_secret::HmacSecret;
use super::ring::{RingFile, STATE_FILE};
use super::set::KeySet;

/// How often a running server looks at `ring.json`.
pub const RELOAD_INTERVAL: Duration = Duration::from_secs(2);

/// The current `KeySet`, replaced whole by a reload; readers keep the snapshot they took.
pub struct KeyStore {
    dir: PathBuf,
    hs256: Option<HmacSecret>,
    current: RwLock<Arc<KeySet>>,
    /// The `ring.json` bytes `current` was built from; empty until the first reload, so that one always runs.
    loaded_from: Mutex<Vec<u8>>,
    last_error: Mutex<Option<String>>,
}

impl KeyStore {
    /// Starts from `keys`, loaded from `dir`; reloads rebuild from the same directory and secret.
    pub fn new(keys: KeySet, dir: PathBuf, hs256: Option<HmacSecret>) -> Self {
        Self {
            dir,
            hs256,
            current: RwLock::new(Arc::new(keys)),
            loaded_from: Mutex::new(Vec::new()),
            last_error: Mutex::new(None),
        }
    }

    /// The current snapshot.
    pub fn current(&self) -> Arc<KeySet> {
        Arc::clone(&self.current.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Loads the ring again if `ring.json` differs from what the current keys came from.
    pub(super) fn reload(&self) -> Result<bool, KeyError> {
        let path = self.dir.join(STATE_FILE);
        let bytes = std::fs::read(&path).map_err(|e| KeyError::new(&path, e))?;
        let mut loaded_from = self.loaded_from.lock().unwrap_or_else(|e| e.into_inner());
        if *loaded_from == bytes {
            return Ok(false);
        }
        let ring = RingFile::parse(&path, &bytes)?;
        let keys = KeySet::from_ring(&self.dir, &ring, self.hs256.as_ref())?;
        let changed = {
            let old = self.current();
            old.keys().len() != keys.keys().len()
                || old
                    .keys()
                    .iter()
                    .zip(keys.keys())
                    .any(|(a, b)| a.kid != b.kid || a.state != b.state)
        };
        if changed {
            let summary: Vec<String> = keys
                .keys()
                .iter()
                .map(|k| format!("{}:{}:{}", k.kind.name(), k.kid, k.state))
                .collect();
            tracing::info!(keys = ?summary, "key ring reloaded");
        }
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(keys);
        *loaded_from = bytes;
        Ok(changed)
    }

    /// Logs a reload failure once (not every poll), and its recovery.
    fn note(&self, result: Result<bool, KeyError>) {
        let mut last = self.last_error.lock().unwrap_or_else(|e| e.into_inner());
        match result {
            Ok(_) if last.is_some() => {
                tracing::info!("key ring readable again");
                *last = None;
            }
            Ok(_) => {}
            Err(error) => {
                let text = error.to_string();
                if last.as_deref() != Some(text.as_str()) {
                    tracing::warn!(error = %text, "key ring not reloaded; still using the previous keys");
                    *last = Some(text);
                }
            }
        }
    }
}

/// Polls `ring.json` every `every` on a thread that ends with the last strong reference to the store, and
/// reloads on SIGHUP when called inside a Tokio runtime on Unix. Every read of the ring happens on that thread:
/// the signal only wakes it, so no file I/O runs on an async worker.
pub fn watch(store: Weak<KeyStore>, every: Duration) {
    let (wake, woken) = std::sync::mpsc::channel::<()>();
    let spawned = std::thread::Builder::new()
        .name("authd-key-ring".into())
        .spawn(move || {
            loop {
                let hangup = match woken.recv_timeout(every) {
                    Ok(()) => true,
                    Err(RecvTimeoutError::Timeout) => false,
                    // The signal listener is gone (its runtime ended): keep polling.
                    Err(RecvTimeoutError::Disconnected) => {
                        std::thread::sleep(every);
                        false
                    }
                };
                let Some(store) = store.upgrade() else {
                    return;
                };
                if hangup {
                    tracing::info!("SIGHUP: reloading the key ring");
                }
                store.note(store.reload());
            }
        });
    if let Err(error) = spawned {
        tracing::warn!(%error, "cannot start the key ring watcher; rotations need a restart");
        return;
    }
    #[cfg(unix)]
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(async move {
            use tokio::signal::unix::{SignalKind, signal};
            let Ok(mut hangups) = signal(SignalKind::hangup()) else {
                return;
            };
            // A failed send means the watcher thread has ended with the store.
            while hangups.recv().await.is_some() && wake.send(()).is_ok() {}
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::ring::{self, KeyAlg};
    use crate::keys::{KeySet, TokenKind};

    #[test]
    fn a_broken_ring_keeps_the_previous_keys_until_it_is_fixed() {
        let dir = tempfile::tempdir().unwrap();
        ring::initialise(dir.path(), KeyAlg::EdDSA, true).unwrap();
        let store = KeyStore::new(
            KeySet::load(dir.path(), None).unwrap(),
            dir.path().to_owned(),
            None,
        );
        let kid = store.current().signing(TokenKind::Access).kid.clone();
        assert!(!store.reload().unwrap(), "same ring, same keys");

        let state = dir.path().join(STATE_FILE);
        let good = std::fs::read(&state).unwrap();
        std::fs::write(&state, b"{ half a file").unwrap();
        assert!(store.reload().is_err());
        assert_eq!(store.current().signing(TokenKind::Access).kid, kid);

        std::fs::write(&state, &good).unwrap();
        let next = ring::generate(dir.path(), TokenKind::Access, KeyAlg::ES256).unwrap();
        assert!(store.reload().unwrap());
        assert!(store.current().by_kid(&next.kid).is_some());
        assert!(!store.reload().unwrap(), "unchanged since the last reload");
    }
}
