//! The rules of mailed tokens: whether login needs a verified address, and how long each kind of link lives.

use std::time::Duration;

use super::vars::{ConfigError, Vars, in_range};

/// Email verification and password reset.
#[derive(Debug, Clone)]
pub struct EmailSettings {
    /// `AUTHD_REQUIRE_VERIFIED_EMAIL`: login answers `403 email_not_verified` until the address is verified.
    pub require_verified: bool,
    /// `AUTHD_VERIFY_EMAIL_TTL`: lifetime of a verification (or email change) link.
    pub verify_ttl: Duration,
    /// `AUTHD_PASSWORD_RESET_TTL`: lifetime of a reset link, at most 30 minutes.
    pub reset_ttl: Duration,
}

impl EmailSettings {
    pub(super) fn read(vars: &Vars<'_>) -> Result<Self, ConfigError> {
        let settings = Self {
            require_verified: vars.flag("AUTHD_REQUIRE_VERIFIED_EMAIL", false)?,
            verify_ttl: vars.duration("AUTHD_VERIFY_EMAIL_TTL", Duration::from_secs(24 * 3600))?,
            reset_ttl: vars.duration("AUTHD_PASSWORD_RESET_TTL", Duration::from_secs(30 * 60))?,
        };
        let second = Duration::from_secs(1);
        in_range(
            "AUTHD_VERIFY_EMAIL_TTL",
            settings.verify_ttl,
            second,
            Duration::from_secs(7 * 24 * 3600),
            "between 1 second and 7 days",
        )?;
        in_range(
            "AUTHD_PASSWORD_RESET_TTL",
            settings.reset_ttl,
            second,
            Duration::from_secs(30 * 60),
            "between 1 second and 30 minutes",
        )?;
        Ok(settings)
    }
}
