//! The audit trail's retention.

use std::time::Duration;

use super::vars::{ConfigError, MAX_LIFETIME, Vars, in_range};

/// How long audit events are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditSettings {
    /// Events older than this are pruned (`AUTHD_AUDIT_RETENTION`, default 90 days).
    pub retention: Duration,
}

impl AuditSettings {
    pub(super) fn read(vars: &Vars<'_>) -> Result<Self, ConfigError> {
        let var = "AUTHD_AUDIT_RETENTION";
        let retention = vars.duration(var, Duration::from_secs(90 * 24 * 3600))?;
        // Under an hour the trail would be gone before anyone looked at an incident; over 400 days it is past
        // every session's life and past what the date arithmetic is checked for.
        let hour = Duration::from_secs(3600);
        in_range(
            var,
            retention,
            hour,
            MAX_LIFETIME,
            "between 1 hour and 400 days",
        )?;
        Ok(Self { retention })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::vars::fake;

    fn settings(pairs: &[(&str, &str)]) -> Result<AuditSettings, ConfigError> {
        AuditSettings::read(&Vars(&fake(pairs)))
    }

    #[test]
    fn retention_defaults_to_90_days_and_is_bounded() {
        assert_eq!(settings(&[]).unwrap().retention.as_secs(), 90 * 86_400);
        let week = settings(&[("AUTHD_AUDIT_RETENTION", "7d")]).unwrap();
        assert_eq!(week.retention.as_secs(), 7 * 86_400);
        for bad in ["0", "59m", "401d", "forever", "99999999999999d"] {
            let err = settings(&[("AUTHD_AUDIT_RETENTION", bad)]).unwrap_err();
            assert_eq!(err.var, "AUTHD_AUDIT_RETENTION", "{bad}");
        }
    }
}
