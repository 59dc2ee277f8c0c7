//! `authd config check`: the settings as the server would use them, for a deploy pipeline to check before it
//! rolls out. An invalid setting never gets here (`main` exits 2 naming it).

use std::io::Write;

use crate::config::{DatabaseUrl, Settings};
use crate::keys::ring;

/// Writes the summary, the effective settings (their `Debug` form hides passwords and secrets) and `warnings`;
/// returns whether the check passed (with `strict`, only when there is no warning).
pub fn run_config_check(
    settings: &Settings,
    warnings: &[String],
    strict: bool,
    out: &mut dyn Write,
) -> std::io::Result<bool> {
    writeln!(
        out,
        "authd {}: the settings are valid",
        env!("CARGO_PKG_VERSION")
    )?;
    // Run from the wrong directory, relative paths point at nothing: say so rather than let the first start
    // create an empty database and a new key ring beside the real ones.
    let absent = " (not there: created at the first start)";
    let sqlite_absent =
        matches!(&settings.database.url, DatabaseUrl::Sqlite(path) if !path.exists());
    let store_note = if sqlite_absent { absent } else { "" };
    writeln!(out, "store: {}{store_note}", settings.store_summary())?;
    let key_dir = &settings.tokens.key_dir;
    let ring_note = if key_dir.join(ring::STATE_FILE).exists() {
        ""
    } else {
        absent
    };
    writeln!(out, "key ring: {}{ring_note}", key_dir.display())?;
    writeln!(out, "redis: {}", settings.redis_summary())?;
    writeln!(out, "mail: {}", settings.mail_summary())?;
    writeln!(out, "providers: {}", settings.providers_summary())?;
    let server = &settings.server;
    let off = |bind: &Option<String>| bind.clone().unwrap_or_else(|| "off".to_owned());
    writeln!(
        out,
        "listeners: public {}, admin {}, metrics {}",
        server.bind,
        off(&server.admin_bind),
        off(&server.metrics_bind)
    )?;
    writeln!(out, "effective settings: {settings:#?}")?;
    for warning in warnings {
        writeln!(out, "warning: {warning}")?;
    }
    Ok(!strict || warnings.is_empty())
}
