//! How long sessions live and how strictly refresh tokens rotate.

use std::time::Duration;

use super::vars::{ConfigError, MAX_LIFETIME, Vars, in_range};

/// How long sessions live and how strictly refresh tokens rotate.
#[derive(Debug, Clone)]
pub struct SessionSettings {
    /// Absolute lifetime from login; rotation does not extend it.
    pub max_age: Duration,
    /// A session with no refresh for this long ends.
    pub idle_timeout: Duration,
    /// How long after a rotation a replay of the previous refresh token gets the same pair again instead of
    /// revoking the session (0 = strict).
    pub reuse_interval: Duration,
    /// How recent a password-less account's login must be to add or remove a way in (`AUTHD_REAUTH_MAX_AGE`).
    pub reauth_max_age: Duration,
}

impl SessionSettings {
    pub(super) fn read(vars: &Vars<'_>) -> Result<Self, ConfigError> {
        let day = 24 * 3600;
        let settings = Self {
            max_age: vars.duration("AUTHD_SESSION_MAX_AGE", Duration::from_secs(30 * day))?,
            idle_timeout: vars.duration("AUTHD_SESSION_IDLE", Duration::from_secs(7 * day))?,
            reuse_interval: vars.duration("AUTHD_REFRESH_REUSE_INTERVAL", Duration::ZERO)?,
            reauth_max_age: vars.duration("AUTHD_REAUTH_MAX_AGE", Duration::from_secs(300))?,
        };
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), ConfigError> {
        let (second, lifetime) = (Duration::from_secs(1), "between 1 second and 400 days");
        in_range(
            "AUTHD_SESSION_MAX_AGE",
            self.max_age,
            second,
            MAX_LIFETIME,
            lifetime,
        )?;
        in_range(
            "AUTHD_SESSION_IDLE",
            self.idle_timeout,
            second,
            MAX_LIFETIME,
            lifetime,
        )?;
        in_range(
            "AUTHD_REFRESH_REUSE_INTERVAL",
            self.reuse_interval,
            Duration::ZERO,
            Duration::from_secs(60),
            "at most 60 seconds",
        )?;
        in_range(
            "AUTHD_REAUTH_MAX_AGE",
            self.reauth_max_age,
            second,
            Duration::from_secs(24 * 3600),
            "between 1 second and 1 day",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::vars::fake;

    fn settings(pairs: &[(&str, &str)]) -> Result<SessionSettings, ConfigError> {
        SessionSettings::read(&Vars(&fake(pairs)))
    }

    #[test]
    fn sessions_live_at_most_400_days() {
        let ok = settings(&[
            ("AUTHD_SESSION_MAX_AGE", "400d"),
            ("AUTHD_SESSION_IDLE", "400d"),
        ]);
        assert_eq!(ok.unwrap().max_age, MAX_LIFETIME);
        for var in ["AUTHD_SESSION_MAX_AGE", "AUTHD_SESSION_IDLE"] {
            for too_long in ["401d", "34560001", "99999999999999d"] {
                let err = settings(&[(var, too_long)]).unwrap_err();
                assert_eq!(err.var, var, "{too_long}");
            }
        }
    }
}
