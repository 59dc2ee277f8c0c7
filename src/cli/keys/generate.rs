//! `authd keys generate [--kind K] [--alg A]`.

use super::common::{Report, default_alg, prepare};
use crate::config::TokenSettings;
use crate::keys::{KeyAlg, KeyError, TokenKind, ring};

/// Adds a `next` key and says when it is safe to rotate to it.
pub(super) fn run(
    kind: TokenKind,
    alg: Option<KeyAlg>,
    settings: &TokenSettings,
    report: &mut Report<'_>,
) -> Result<(), KeyError> {
    prepare(kind, settings, report)?;
    let alg = alg.unwrap_or_else(|| default_alg(kind, settings));
    let key = ring::generate(&settings.key_dir, kind, alg)?;
    report.line(format_args!(
        "generated {} key {} ({alg}) as next",
        kind.name(),
        key.kid
    ))?;
    report.line(match kind {
        TokenKind::Access => {
            "it is in the JWKS now; run `authd keys rotate` once verifiers' caches have it (wait at least 15 minutes)"
        }
        TokenKind::Refresh => {
            "run `authd keys rotate --kind refresh` when every instance has reloaded (a few seconds)"
        }
    })
}
