//! `authd config check`: the settings as the server would use them, for a deploy pipeline to check before it
//! rolls out. An invalid setting never gets here (`main` exits 2 naming it).

use std::io::Write;

use crate::config::Settings;

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
    writeln!(out, "store: {}", settings.store_summary())?;
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
