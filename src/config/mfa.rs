//! Two-factor authentication: the issuer name authenticator apps show, and how long a login may wait for its
//! second factor.

use std::time::Duration;

use super::vars::{ConfigError, Vars, in_range};

/// TOTP and the mfa_token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaSettings {
    /// `AUTHD_MFA_ISSUER`: the name the app lists the account under (the otpauth URI's issuer).
    pub issuer: String,
    /// `AUTHD_MFA_TOKEN_TTL`: how long the mfa_token of a password login lives (1 to 15 minutes).
    pub token_ttl: Duration,
}

impl Default for MfaSettings {
    fn default() -> Self {
        Self {
            issuer: "authd".to_owned(),
            token_ttl: Duration::from_secs(5 * 60),
        }
    }
}

impl MfaSettings {
    pub(super) fn read(vars: &Vars<'_>) -> Result<Self, ConfigError> {
        let defaults = Self::default();
        let settings = Self {
            issuer: vars.string("AUTHD_MFA_ISSUER", &defaults.issuer),
            token_ttl: vars.duration("AUTHD_MFA_TOKEN_TTL", defaults.token_ttl)?,
        };
        let issuer = settings.issuer.trim();
        // The issuer goes before the first colon of the label; a colon in it would split it there.
        if issuer.is_empty() || issuer.contains(':') || issuer.len() > 64 {
            return Err(ConfigError::new(
                "AUTHD_MFA_ISSUER",
                "must be 1 to 64 characters without ':'",
            ));
        }
        let minute = Duration::from_secs(60);
        in_range(
            "AUTHD_MFA_TOKEN_TTL",
            settings.token_ttl,
            minute,
            15 * minute,
            "between 1 and 15 minutes",
        )?;
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<MfaSettings, ConfigError> {
        MfaSettings::read(&Vars(&super::super::vars::fake(pairs)))
    }

    #[test]
    fn defaults_and_bounds() {
        assert_eq!(read(&[]).unwrap(), MfaSettings::default());
        assert_eq!(
            read(&[("AUTHD_MFA_ISSUER", "Acme")]).unwrap().issuer,
            "Acme"
        );
        assert!(read(&[("AUTHD_MFA_ISSUER", "a:b")]).is_err());
        assert!(read(&[("AUTHD_MFA_TOKEN_TTL", "30s")]).is_err());
        assert!(read(&[("AUTHD_MFA_TOKEN_TTL", "1h")]).is_err());
    }
}
