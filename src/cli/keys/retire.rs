//! `authd keys retire KID [--force]`.

use super::common::{Report, lifetime};
use crate::config::TokenSettings;
use crate::keys::{KeyError, ring};

/// Removes a key that no longer signs; without `force`, only once every token it signed has expired.
pub(super) fn run(
    kid: &str,
    force: bool,
    settings: &TokenSettings,
    report: &mut Report<'_>,
) -> Result<(), KeyError> {
    let key = ring::retire(
        &settings.key_dir,
        kid,
        |kind| lifetime(kind, settings),
        force,
    )?;
    report.line(format_args!(
        "removed {} key {} and its file",
        key.kind.name(),
        key.kid
    ))
}
