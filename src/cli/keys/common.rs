//! What the `keys` subcommands share: the output, the preparation before a key is added, and per-kind defaults.

use std::fmt::Display;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use crate::config::TokenSettings;
use crate::keys::{KeyAlg, KeyError, TokenKind, ring};

/// The operator's output; a failed write is reported against the key directory.
pub(super) struct Report<'a> {
    out: &'a mut dyn Write,
    dir: &'a Path,
}

impl<'a> Report<'a> {
    pub(super) fn new(out: &'a mut dyn Write, dir: &'a Path) -> Self {
        Self { out, dir }
    }

    pub(super) fn line(&mut self, text: impl Display) -> Result<(), KeyError> {
        writeln!(self.out, "{text}").map_err(|e| KeyError::new(self.dir, e))
    }
}

/// Before adding or activating a key: refuses ring access keys in HS256 mode, and creates the ring if there is
/// none yet (so a directory can be prepared before the first start).
pub(super) fn prepare(
    kind: TokenKind,
    settings: &TokenSettings,
    report: &mut Report<'_>,
) -> Result<(), KeyError> {
    let dir = &settings.key_dir;
    if kind == TokenKind::Access && settings.hs256_secret.is_some() {
        return Err(KeyError::new(
            dir,
            "HS256 mode: access tokens are signed with AUTHD_HS256_SECRET, not with ring keys; \
             change the secret to rotate it (access tokens signed with the old one stop verifying)",
        ));
    }
    for line in ring::initialise(dir, settings.access_alg, settings.hs256_secret.is_none())? {
        report.line(line)?;
    }
    Ok(())
}

/// The algorithm of a key generated without `--alg`.
pub(super) fn default_alg(kind: TokenKind, settings: &TokenSettings) -> KeyAlg {
    match kind {
        TokenKind::Access => settings.access_alg,
        TokenKind::Refresh => KeyAlg::EdDSA,
    }
}

/// How long a token of `kind` lives: how long a key must keep verifying after it stops signing.
pub(super) fn lifetime(kind: TokenKind, settings: &TokenSettings) -> Duration {
    match kind {
        TokenKind::Access => settings.access_ttl,
        TokenKind::Refresh => settings.refresh_ttl,
    }
}
