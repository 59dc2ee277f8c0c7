//! The HTTP listener: where it binds, how many workers, how large a body, and the separate metrics listener.

use super::vars::{ConfigError, Vars, cpu_count};

/// The public listener and the optional metrics one.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// `host:port` to listen on.
    pub bind: String,
    /// `host:port` of the separate Prometheus `/metrics` listener; `None` (the default) turns metrics off.
    pub metrics_bind: Option<String>,
    /// Number of HTTP worker threads.
    pub workers: usize,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
}

impl ServerSettings {
    pub(super) fn read(vars: &Vars<'_>) -> Result<Self, ConfigError> {
        let settings = Self {
            bind: host_port("AUTHD_BIND", vars.string("AUTHD_BIND", "127.0.0.1:8080"))?,
            metrics_bind: match vars.raw("AUTHD_METRICS_BIND") {
                None => None,
                Some(value) => Some(host_port("AUTHD_METRICS_BIND", value)?),
            },
            workers: vars.parse("AUTHD_WORKERS", cpu_count())?,
            max_body_bytes: vars.parse("AUTHD_MAX_BODY_BYTES", 16 * 1024)?,
        };
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), ConfigError> {
        if self.workers == 0 {
            return Err(ConfigError::new("AUTHD_WORKERS", "must be at least 1"));
        }
        // Port 0 means "any free port", so two :0 binds are still two listeners.
        if self.metrics_bind.as_deref() == Some(&self.bind) && !self.bind.ends_with(":0") {
            return Err(ConfigError::new(
                "AUTHD_METRICS_BIND",
                "must differ from AUTHD_BIND: metrics have their own listener",
            ));
        }
        if self.max_body_bytes < 256 {
            return Err(ConfigError::new(
                "AUTHD_MAX_BODY_BYTES",
                "must be at least 256",
            ));
        }
        Ok(())
    }
}

/// Accepts `host:port` (the host may be a name or an IP, `[::1]` for IPv6); the port may be 0 (any free one).
/// The host is not resolved here: start-up binds it and reports a failure then.
fn host_port(var: &'static str, value: String) -> Result<String, ConfigError> {
    let port = value.rsplit_once(':').map(|(_, port)| port.parse::<u16>());
    match port {
        Some(Ok(_)) => Ok(value),
        _ => Err(ConfigError::new(
            var,
            format!("expected host:port, got {value:?}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::vars::fake;

    fn settings(pairs: &[(&str, &str)]) -> Result<ServerSettings, ConfigError> {
        ServerSettings::read(&Vars(&fake(pairs)))
    }

    #[test]
    fn metrics_listener_is_off_unless_set() {
        assert_eq!(settings(&[]).unwrap().metrics_bind, None);
        assert_eq!(
            settings(&[("AUTHD_METRICS_BIND", " ")])
                .unwrap()
                .metrics_bind,
            None
        );
        let s = settings(&[("AUTHD_METRICS_BIND", "0.0.0.0:9090")]).unwrap();
        assert_eq!(s.metrics_bind.as_deref(), Some("0.0.0.0:9090"));
        let err = settings(&[("AUTHD_METRICS_BIND", "9090")]).unwrap_err();
        assert_eq!(err.var, "AUTHD_METRICS_BIND");
        assert!(err.to_string().contains("host:port"), "{err}");
    }
}
