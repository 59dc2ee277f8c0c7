//! Log filter and output format.

use super::vars::{ConfigError, Vars};

/// Log filter (tracing's `EnvFilter` syntax) and output format.
#[derive(Debug, Clone)]
pub struct LogSettings {
    /// `AUTHD_LOG`, e.g. `info` or `authd=debug,actix_web=warn`.
    pub filter: String,
    /// One JSON object per line instead of text.
    pub json: bool,
}

impl LogSettings {
    pub(super) fn read(vars: &Vars<'_>) -> Result<Self, ConfigError> {
        let json = match vars.string("AUTHD_LOG_FORMAT", "text").as_str() {
            "text" => false,
            "json" => true,
            other => {
                return Err(ConfigError::new(
                    "AUTHD_LOG_FORMAT",
                    format!("expected text or json, got {other:?}"),
                ));
            }
        };
        Ok(Self {
            filter: vars.string("AUTHD_LOG", "info"),
            json,
        })
    }
}
