//! `authd keys rotate [--kind K]`.

use super::common::{Report, default_alg, lifetime, prepare};
use crate::config::TokenSettings;
use crate::keys::{KeyError, MAX_LEEWAY, TokenKind, ring};

/// Activates the newest `next` key (generating one, with a warning, if there is none) and says when the
/// previous one may be retired.
pub(super) fn run(
    kind: TokenKind,
    settings: &TokenSettings,
    report: &mut Report<'_>,
) -> Result<(), KeyError> {
    prepare(kind, settings, report)?;
    let rotation = ring::rotate(&settings.key_dir, kind, default_alg(kind, settings))?;
    if rotation.generated_now {
        let why = match kind {
            TokenKind::Access => {
                "verifiers that cached the JWKS may refuse its tokens until they refetch it. \
                Next time run `authd keys generate` at least 15 minutes before rotating."
            }
            TokenKind::Refresh => {
                "instances that have not reloaded the ring yet (up to 2 s) refuse its tokens. \
                Next time run `authd keys generate --kind refresh` first."
            }
        };
        report.line(format_args!(
            "warning: there was no next {} key, so one was generated and activated at once; {why}",
            kind.name()
        ))?;
    }
    report.line(format_args!(
        "{} key {} ({}) now signs",
        kind.name(),
        rotation.activated.kid,
        rotation.activated.alg
    ))?;
    if let Some(old) = rotation.retiring {
        report.line(format_args!(
            "{} is retiring: it still verifies; retire it after {} s (`authd keys retire {}`)",
            old.kid,
            lifetime(kind, settings).as_secs() + MAX_LEEWAY.as_secs(),
            old.kid
        ))?;
    }
    Ok(())
}
