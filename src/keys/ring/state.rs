//! `ring.json`: which keys exist, their kind, algorithm and state.

use std::fmt;
use std::fs;
use std::path::Path;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::files::write_private;
use crate::keys::error::KeyError;
use crate::keys::kind::TokenKind;

/// The ring's state file.
pub const STATE_FILE: &str = "ring.json";

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

    pub(super) fn write(&self, dir: &Path) -> Result<(), KeyError> {
        let text = serde_json::to_vec_pretty(self).expect("the ring serialises");
        write_private(dir, STATE_FILE, &text)
    }

    pub(super) fn active(&self, kind: TokenKind) -> Option<&RingEntry> {
        self.keys
            .iter()
            .find(|k| k.kind == kind && k.state == KeyState::Active)
    }
}
