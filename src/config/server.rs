//! The HTTP listener: where it binds, how many workers, how large a body, how long a client may take, how many
//! connections, how long a shutdown may wait, and the separate metrics listener.

use std::time::Duration;

use super::vars::{ConfigError, Vars, cpu_count, in_range};

/// The public listener and the optional metrics and admin ones.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// `host:port` to listen on.
    pub bind: String,
    /// `host:port` of the separate Prometheus `/metrics` listener; `None` (the default) turns metrics off.
    pub metrics_bind: Option<String>,
    /// `host:port` of the admin API listener; `None` (the default) turns the admin API off.
    pub admin_bind: Option<String>,
    /// Number of HTTP worker threads.
    pub workers: usize,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// How long a client may take to send a request head (slow clients, slowloris): then 408 and closed.
    pub request_timeout: Duration,
    /// How long a handler may take to answer (then `503 unavailable`); a backstop behind the inner bounds.
    pub handler_timeout: Duration,
    /// How long an idle keep-alive connection stays open.
    pub keep_alive: Duration,
    /// Open connections per worker; beyond it new ones wait in the listen backlog.
    pub max_connections: usize,
    /// Connections per worker that may be in their TLS/handshake phase at once (actix's `max_connection_rate`).
    pub max_connection_rate: usize,
    /// How long SIGTERM / Ctrl-C waits for in-flight requests before closing their connections.
    pub shutdown_timeout: Duration,
}

impl ServerSettings {
    pub(super) fn read(vars: &Vars<'_>) -> Result<Self, ConfigError> {
        let settings = Self {
            bind: host_port("AUTHD_BIND", vars.string("AUTHD_BIND", "127.0.0.1:8080"))?,
            metrics_bind: match vars.raw("AUTHD_METRICS_BIND") {
                None => None,
                Some(value) => Some(host_port("AUTHD_METRICS_BIND", value)?),
            },
            admin_bind: match vars.raw("AUTHD_ADMIN_BIND") {
                None => None,
                Some(value) => Some(host_port("AUTHD_ADMIN_BIND", value)?),
            },
            workers: vars.parse("AUTHD_WORKERS", cpu_count())?,
            max_body_bytes: vars.parse("AUTHD_MAX_BODY_BYTES", 16 * 1024)?,
            request_timeout: vars.duration("AUTHD_REQUEST_TIMEOUT", Duration::from_secs(5))?,
            handler_timeout: vars.duration("AUTHD_HANDLER_TIMEOUT", Duration::from_secs(15))?,
            keep_alive: vars.duration("AUTHD_KEEP_ALIVE", Duration::from_secs(5))?,
            max_connections: vars.parse("AUTHD_MAX_CONNECTIONS", 10_000)?,
            max_connection_rate: vars.parse("AUTHD_MAX_CONNECTION_RATE", 256)?,
            shutdown_timeout: vars.duration("AUTHD_SHUTDOWN_TIMEOUT", Duration::from_secs(10))?,
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
        if self.admin_bind.as_deref() == Some(&self.bind) && !self.bind.ends_with(":0") {
            return Err(ConfigError::new(
                "AUTHD_ADMIN_BIND",
                "must differ from AUTHD_BIND: the admin API has its own listener",
            ));
        }
        if self.max_body_bytes < 256 {
            return Err(ConfigError::new(
                "AUTHD_MAX_BODY_BYTES",
                "must be at least 256",
            ));
        }
        self.check_limits()
    }

    /// The client timeouts, connection limits and shutdown wait: each within a range that keeps the server usable.
    fn check_limits(&self) -> Result<(), ConfigError> {
        let (second, minute) = (Duration::from_secs(1), Duration::from_secs(60));
        let what = "between 1s and 60s";
        in_range(
            "AUTHD_REQUEST_TIMEOUT",
            self.request_timeout,
            second,
            minute,
            what,
        )?;
        in_range("AUTHD_KEEP_ALIVE", self.keep_alive, second, minute, what)?;
        let five_minutes = Duration::from_secs(300);
        let what = "between 1s and 300s";
        in_range(
            "AUTHD_HANDLER_TIMEOUT",
            self.handler_timeout,
            second,
            five_minutes,
            what,
        )?;
        in_range(
            "AUTHD_SHUTDOWN_TIMEOUT",
            self.shutdown_timeout,
            second,
            five_minutes,
            what,
        )?;
        if !(2..=1_000_000).contains(&self.max_connections) {
            return Err(ConfigError::new(
                "AUTHD_MAX_CONNECTIONS",
                "must be between 2 and 1000000",
            ));
        }
        if !(1..=100_000).contains(&self.max_connection_rate) {
            return Err(ConfigError::new(
                "AUTHD_MAX_CONNECTION_RATE",
                "must be between 1 and 100000",
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

    #[test]
    fn limits_have_defaults_and_bounds() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.request_timeout, Duration::from_secs(5));
        assert_eq!(s.keep_alive, Duration::from_secs(5));
        assert_eq!(s.shutdown_timeout, Duration::from_secs(10));
        assert_eq!(s.handler_timeout, Duration::from_secs(15));
        assert_eq!((s.max_connections, s.max_connection_rate), (10_000, 256));
        let s = settings(&[
            ("AUTHD_REQUEST_TIMEOUT", "2s"),
            ("AUTHD_MAX_CONNECTIONS", "64"),
        ])
        .unwrap();
        assert_eq!(s.request_timeout, Duration::from_secs(2));
        assert_eq!(s.max_connections, 64);
        for (var, value) in [
            ("AUTHD_REQUEST_TIMEOUT", "0"),
            ("AUTHD_REQUEST_TIMEOUT", "500ms"),
            ("AUTHD_REQUEST_TIMEOUT", "2m"),
            ("AUTHD_REQUEST_TIMEOUT", "soon"),
            ("AUTHD_KEEP_ALIVE", "0"),
            ("AUTHD_SHUTDOWN_TIMEOUT", "0"),
            ("AUTHD_HANDLER_TIMEOUT", "10m"),
            ("AUTHD_SHUTDOWN_TIMEOUT", "1h"),
            ("AUTHD_MAX_CONNECTIONS", "1"),
            ("AUTHD_MAX_CONNECTIONS", "lots"),
            ("AUTHD_MAX_CONNECTION_RATE", "0"),
        ] {
            assert_eq!(settings(&[(var, value)]).unwrap_err().var, var, "{value}");
        }
    }
}
