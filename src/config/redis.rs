//! Where rate-limit counters are shared between instances: `AUTHD_REDIS_URL` (optional), the key prefix
//! `AUTHD_REDIS_PREFIX` and the bound on each Redis call `AUTHD_REDIS_TIMEOUT`.

use std::fmt;
use std::time::Duration;

use super::vars::{ConfigError, Vars, in_range};

/// A `redis://` or `rediss://` URL. It may hold a password, so it is never printed: `Debug` shows only the host.
#[derive(Clone, PartialEq, Eq)]
pub struct RedisUrl(String);

impl RedisUrl {
    /// The URL itself, for the client only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A URL taken as is, for unit tests elsewhere in the crate.
    #[cfg(test)]
    pub(crate) fn for_tests(raw: &str) -> Self {
        Self(raw.to_owned())
    }
}

impl fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = url::Url::parse(&self.0)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned));
        write!(f, "RedisUrl({})", host.as_deref().unwrap_or("?"))
    }
}

/// Redis for the rate-limit counters, when `AUTHD_REDIS_URL` is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisSettings {
    pub url: RedisUrl,
    /// Every key starts with it (`authd:` by default), so tenants and tests sharing a server never collide.
    pub prefix: String,
    /// The longest a rate-limit check waits for Redis before it falls back to this instance's counters.
    pub timeout: Duration,
}

impl RedisSettings {
    pub(super) fn read(vars: &Vars<'_>) -> Result<Option<Self>, ConfigError> {
        let Some(raw) = vars.raw("AUTHD_REDIS_URL") else {
            return Ok(None);
        };
        let timeout = vars.duration("AUTHD_REDIS_TIMEOUT", Duration::from_millis(100))?;
        in_range(
            "AUTHD_REDIS_TIMEOUT",
            timeout,
            Duration::from_millis(1),
            Duration::from_secs(5),
            "between 1ms and 5s",
        )?;
        Ok(Some(Self {
            url: parse_url(raw.trim())?,
            prefix: vars.string("AUTHD_REDIS_PREFIX", "authd:"),
            timeout,
        }))
    }
}

/// Checks the scheme and that the client accepts it. The value is never echoed: it may carry a password.
fn parse_url(raw: &str) -> Result<RedisUrl, ConfigError> {
    let invalid = || {
        ConfigError::new(
            "AUTHD_REDIS_URL",
            "expected a redis://host[:port][/db] or rediss:// URL (value not shown: it may hold a password)",
        )
    };
    let url = url::Url::parse(raw).map_err(|_| invalid())?;
    if !matches!(url.scheme(), "redis" | "rediss") || url.host_str().is_none_or(str::is_empty) {
        return Err(invalid());
    }
    redis::Client::open(raw).map_err(|_| invalid())?;
    Ok(RedisUrl(raw.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<Option<RedisSettings>, ConfigError> {
        RedisSettings::read(&Vars(&super::super::vars::fake(pairs)))
    }

    #[test]
    fn redis_is_optional_and_its_url_checked() {
        assert_eq!(read(&[]).unwrap(), None);
        let on = read(&[("AUTHD_REDIS_URL", "redis://127.0.0.1:6379/2")])
            .unwrap()
            .unwrap();
        assert_eq!(on.prefix, "authd:");
        assert_eq!(on.timeout, Duration::from_millis(100));
        assert!(read(&[("AUTHD_REDIS_URL", "rediss://cache.internal")]).is_ok());
        for bad in ["127.0.0.1:6379", "http://x", "redis://", "redis://:pw@/0"] {
            let err = read(&[("AUTHD_REDIS_URL", bad)]).unwrap_err();
            assert_eq!(err.var, "AUTHD_REDIS_URL", "{bad}");
        }
        let slow = [
            ("AUTHD_REDIS_URL", "redis://x"),
            ("AUTHD_REDIS_TIMEOUT", "1m"),
        ];
        assert_eq!(read(&slow).unwrap_err().var, "AUTHD_REDIS_TIMEOUT");
    }

    #[test]
    fn the_password_never_shows() {
        let url = "redis://user:s3cret@cache.internal:6380/0";
        let settings = read(&[("AUTHD_REDIS_URL", url)]).unwrap().unwrap();
        let shown = format!("{settings:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("cache.internal"), "{shown}");
        let err = read(&[("AUTHD_REDIS_URL", "redis//user:s3cret@x")]).unwrap_err();
        assert!(!err.to_string().contains("s3cret"));
    }
}
