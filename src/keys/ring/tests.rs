//! The ring's rules, on temporary directories.

use std::fs;
use std::time::Duration;

use super::files::write_private;
use super::keygen;
use super::ops::{LEGACY_FILES, generate, initialise, retire, rotate};
use super::state::{KeyAlg, RingFile};
use crate::keys::{KeySet, TokenKind};

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
