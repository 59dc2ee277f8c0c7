//! `authd keys list`.

use super::common::Report;
use crate::config::TokenSettings;
use crate::keys::{KeyError, ring};

const TIME: &str = "%Y-%m-%dT%H:%M:%SZ";

/// One line per key: kind, algorithm, state, dates and kid.
pub(super) fn run(settings: &TokenSettings, report: &mut Report<'_>) -> Result<(), KeyError> {
    let dir = &settings.key_dir;
    if !dir.join(ring::STATE_FILE).exists() {
        return report.line(format_args!(
            "no key ring in {} yet; authd creates one on its first start",
            dir.display()
        ));
    }
    report.line(format_args!(
        "{:<8} {:<6} {:<9} {:<25} {:<25} kid",
        "kind", "alg", "state", "created", "since"
    ))?;
    for key in ring::list(dir)? {
        let since = key.retiring_since.or(key.activated_at);
        report.line(format_args!(
            "{:<8} {:<6} {:<9} {:<25} {:<25} {}",
            key.kind.name(),
            key.alg.to_string(),
            key.state.to_string(),
            key.created_at.format(TIME).to_string(),
            since.map_or("-".into(), |t| t.format(TIME).to_string()),
            key.kid
        ))?;
    }
    if settings.hs256_secret.is_some() {
        report.line(
            "(HS256 mode: access tokens use AUTHD_HS256_SECRET; the access keys above are unused)",
        )?;
    }
    Ok(())
}
