//! Reading one `AUTHD_*` variable into a typed value, and the error that names it.

use std::borrow::Cow;
use std::time::Duration;

/// A setting that could not be used; names the variable.
#[derive(Debug, thiserror::Error)]
#[error("{var}: {problem}")]
pub struct ConfigError {
    /// The variable, e.g. `AUTHD_ACCESS_TTL` (owned for the per-provider `AUTHD_OIDC_<NAME>_*` ones).
    pub var: Cow<'static, str>,
    /// What is wrong with its value.
    pub problem: String,
}

impl ConfigError {
    pub(super) fn new(var: impl Into<Cow<'static, str>>, problem: impl Into<String>) -> Self {
        Self {
            var: var.into(),
            problem: problem.into(),
        }
    }
}

/// The longest any session or refresh token may live. Besides being a sane policy, it keeps every lifetime
/// far inside what `i64` seconds and chrono's date range can hold.
pub(super) const MAX_LIFETIME: Duration = Duration::from_secs(400 * 24 * 3600);

/// The machine's CPU count, the default for thread counts (2 when it cannot be read).
pub(super) fn cpu_count() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from)
}

/// The variable source (the process environment, or a test's map). A blank value counts as unset.
pub(super) struct Vars<'a>(pub(super) &'a dyn Fn(&str) -> Option<String>);

impl Vars<'_> {
    /// The raw value, `None` when unset or blank.
    pub(super) fn raw(&self, name: &str) -> Option<String> {
        (self.0)(name).filter(|v| !v.trim().is_empty())
    }

    pub(super) fn string(&self, name: &str, default: &str) -> String {
        self.raw(name).unwrap_or_else(|| default.to_owned())
    }

    pub(super) fn parse<T: std::str::FromStr>(
        &self,
        name: &'static str,
        default: T,
    ) -> Result<T, ConfigError> {
        match self.raw(name) {
            None => Ok(default),
            Some(raw) => raw.trim().parse().map_err(|_| {
                ConfigError::new(name, format!("expected a whole number, got {raw:?}"))
            }),
        }
    }

    pub(super) fn flag(&self, name: &'static str, default: bool) -> Result<bool, ConfigError> {
        self.parse(name, default)
            .map_err(|_| ConfigError::new(name, "expected true or false"))
    }

    pub(super) fn duration(
        &self,
        name: &'static str,
        default: Duration,
    ) -> Result<Duration, ConfigError> {
        match self.raw(name) {
            None => Ok(default),
            Some(raw) => parse_duration(raw.trim()).ok_or_else(|| {
                ConfigError::new(
                    name,
                    format!("expected seconds or a number with s, m, h or d, got {raw:?}"),
                )
            }),
        }
    }
}

/// Refuses a duration outside `min..=max`; `what` reads as the end of "must be ...".
pub(super) fn in_range(
    var: &'static str,
    value: Duration,
    min: Duration,
    max: Duration,
    what: &str,
) -> Result<(), ConfigError> {
    if value < min || value > max {
        return Err(ConfigError::new(var, format!("must be {what}")));
    }
    Ok(())
}

/// `900` (a bare number stays seconds, as it always was), or anything humantime reads: `900s`, `15m`, `1h`,
/// `30d`, `1h 30m`.
pub(super) fn parse_duration(raw: &str) -> Option<Duration> {
    if raw.bytes().all(|b| b.is_ascii_digit()) {
        return raw.parse().ok().map(Duration::from_secs);
    }
    humantime::parse_duration(raw).ok()
}

/// A variable source over fixed pairs, for the sections' unit tests.
#[cfg(test)]
pub(super) fn fake<'a>(pairs: &'a [(&str, &str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_units() {
        assert_eq!(parse_duration("15m"), Some(Duration::from_secs(900)));
        assert_eq!(parse_duration("900s"), Some(Duration::from_secs(900)));
        assert_eq!(parse_duration("1h"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_duration("30d"), Some(Duration::from_secs(2_592_000)));
        assert_eq!(parse_duration("45"), Some(Duration::from_secs(45)));
        assert_eq!(parse_duration("1 fortnight"), None);
        assert_eq!(parse_duration("m"), None);
        assert_eq!(parse_duration("-5s"), None);
        assert_eq!(parse_duration("99999999999999999999"), None);
    }
}
