//! Settings, parsed once from `AUTHD_*` environment variables into typed values and passed in (no globals).
//! A bad value fails start-up with a message that names the variable.
//!
//! One file per section: its struct, defaults, parsing and the checks that need only its own values. This
//! file reads each section and checks what spans sections. A new section (rate limits, mail, ...) is a new
//! file with a `read(&Vars) -> Result<Self, ConfigError>` and one field below.

mod audit;
mod browser;
mod database;
pub mod known;
mod logging;
mod mail;
mod mfa;
mod passwords;
mod proxies;
mod rate_limits;
mod redact;
mod redis;
mod server;
mod sessions;
mod social;
mod summary;
mod tokens;
mod vars;
mod warnings;

use std::path::PathBuf;

pub use self::redis::{RedisSettings, RedisUrl};
pub use audit::AuditSettings;
pub use browser::BrowserSettings;
pub use database::{DatabaseSettings, DatabaseUrl};
pub use known::PathSources;
pub use logging::LogSettings;
pub use mail::{EmailSettings, MailSettings, MailTransport};
pub use mfa::MfaSettings;
pub use passwords::PasswordSettings;
pub use proxies::TrustedProxies;
pub use rate_limits::{Rate, RateLimitSettings};
pub use redact::url_without_password;
pub use server::ServerSettings;
pub use sessions::SessionSettings;
pub use social::{ProviderKind, ProviderSettings, SocialSettings};
pub use tokens::TokenSettings;
pub use vars::ConfigError;

use vars::Vars;

/// Everything the service needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The listeners (`server.rs`).
    pub server: ServerSettings,
    /// `database.rs`.
    pub database: DatabaseSettings,
    /// Claims, lifetimes and keys (`tokens.rs`).
    pub tokens: TokenSettings,
    /// `sessions.rs`.
    pub sessions: SessionSettings,
    /// Argon2 costs and the hashing pool (`passwords.rs`).
    pub passwords: PasswordSettings,
    /// CORS and the refresh cookie (`browser.rs`).
    pub browser: BrowserSettings,
    /// `logging.rs`.
    pub log: LogSettings,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`proxies.rs`).
    pub trusted_proxies: TrustedProxies,
    /// Per-client-IP budgets (`rate_limits.rs`).
    pub rate_limits: RateLimitSettings,
    /// The audit trail's retention (`audit.rs`).
    pub audit: AuditSettings,
    /// Two-factor authentication (`mfa.rs`).
    pub mfa: MfaSettings,
    /// How mail is sent and what it says (`mail.rs`).
    pub mail: MailSettings,
    /// Verification and reset links (`mail.rs`).
    pub email: EmailSettings,
    /// Social login (`social.rs`).
    pub social: SocialSettings,
    /// Which variable decided each path, so a start-up failure names the one the operator set.
    pub paths_from: PathSources,
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests can supply their own variables.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let vars = Vars(&lookup);
        let server = ServerSettings::read(&vars)?;
        // The database file and the keys share one directory unless told otherwise.
        let data_dir = PathBuf::from(vars.string("AUTHD_DATA_DIR", "./data"));
        let default_issuer = format!("http://{}", server.bind);
        let tokens = TokenSettings::read(&vars, &default_issuer, &data_dir)?;
        let settings = Settings {
            paths_from: PathSources::read(&vars),
            database: DatabaseSettings::read(&vars, &data_dir)?,
            mail: MailSettings::read(&vars, &tokens.issuer, &data_dir)?,
            email: EmailSettings::read(&vars)?,
            social: SocialSettings::read(&vars, &tokens.issuer)?,
            tokens,
            sessions: SessionSettings::read(&vars)?,
            passwords: PasswordSettings::read(&vars)?,
            browser: BrowserSettings::read(&vars)?,
            log: LogSettings::read(&vars)?,
            trusted_proxies: TrustedProxies::read(&vars)?,
            rate_limits: RateLimitSettings::read(&vars)?,
            audit: AuditSettings::read(&vars)?,
            mfa: MfaSettings::read(&vars)?,
            server,
        };
        settings.validate()?;
        Ok(settings)
    }

    /// Checks relations between sections that each parsed on their own.
    pub fn validate(&self) -> Result<(), ConfigError> {
        // An insecure cookie is only safe where no network sits between browser and server.
        let local_issuer = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
            .iter()
            .any(|prefix| {
                self.tokens
                    .issuer
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
            });
        if !self.browser.cookie_secure && !local_issuer {
            return Err(ConfigError::new(
                "AUTHD_COOKIE_SECURE",
                "may be false only in development, with an http://127.0.0.1 or http://localhost AUTHD_ISSUER",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        Settings::from_lookup(vars::fake(pairs))
    }

    #[test]
    fn defaults_work_with_no_environment() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.server.bind, "127.0.0.1:8080");
        assert_eq!(
            s.database.url,
            DatabaseUrl::Sqlite(PathBuf::from("./data/authd.db"))
        );
        assert_eq!(s.tokens.access_ttl, Duration::from_secs(900));
        assert_eq!(s.tokens.refresh_ttl, Duration::from_secs(30 * 86_400));
        assert_eq!(s.tokens.issuer, "http://127.0.0.1:8080");
        assert_eq!(s.tokens.key_dir, PathBuf::from("./data"));
        assert_eq!(
            (
                s.passwords.memory_kib,
                s.passwords.iterations,
                s.passwords.parallelism
            ),
            (19_456, 2, 1)
        );
        assert!(s.browser.cors_origins.is_empty());
        assert!(s.browser.cookie_secure);
        assert!(s.trusted_proxies.is_empty());
        assert_eq!(s.rate_limits, RateLimitSettings::default());
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (var, value) in [
            ("AUTHD_ACCESS_TTL", "soon"),
            ("AUTHD_ACCESS_TTL", "0"),
            ("AUTHD_BIND", "localhost"),
            ("AUTHD_METRICS_BIND", "localhost"),
            ("AUTHD_METRICS_BIND", "127.0.0.1:99999"),
            ("AUTHD_METRICS_BIND", "127.0.0.1:8080"),
            ("AUTHD_DATABASE_URL", "mysql://x"),
            ("AUTHD_ARGON2_MEMORY_KIB", "1"),
            ("AUTHD_WORKERS", "-1"),
            ("AUTHD_MAX_CONCURRENT_HASHES", "0"),
            ("AUTHD_MAX_QUEUED_HASHES", "1000000"),
            ("AUTHD_LOG_FORMAT", "xml"),
            ("AUTHD_SESSION_IDLE", "0"),
            ("AUTHD_REFRESH_REUSE_INTERVAL", "5m"),
            ("AUTHD_CORS_ORIGINS", "*"),
            ("AUTHD_CLOCK_LEEWAY", "5m"),
            ("AUTHD_COOKIE_SECURE", "maybe"),
            ("AUTHD_CORS_ORIGINS", "https://app.example.com/"),
            ("AUTHD_CORS_ORIGINS", "app.example.com"),
            ("AUTHD_REFRESH_TTL", "401d"),
            ("AUTHD_SESSION_IDLE", "401d"),
            ("AUTHD_SESSION_MAX_AGE", "401d"),
            ("AUTHD_TRUSTED_PROXIES", "10.0.0.0/40"),
            ("AUTHD_RATE_LIMITS", "false"),
            ("AUTHD_RATE_LIMIT_LOGIN_IP", "20"),
            ("AUTHD_RATE_LIMIT_REFRESH_IP", "0/min"),
            ("AUTHD_RATE_LIMIT_LOGIN_IP_ACCOUNT", "10/week"),
            ("AUTHD_REDIS_URL", "localhost:6379"),
            ("AUTHD_AUDIT_RETENTION", "1s"),
            ("AUTHD_SMTP_URL", "http://mail.example.com"),
            ("AUTHD_REQUIRE_VERIFIED_EMAIL", "yes"),
            ("AUTHD_PASSWORD_RESET_TTL", "1h"),
            ("AUTHD_ISSUER", "auth.example.com"),
            ("AUTHD_ISSUER", "ftp://auth.example.com"),
            ("AUTHD_SMTP_URL", "mail.example.com:587"),
        ] {
            let err = settings(&[(var, value)]).unwrap_err();
            assert_eq!(err.var, var, "{value}");
            // Named once, by the error itself: no "AUTHD_X: AUTHD_X: ...".
            assert!(!err.problem.contains(var), "{err}");
        }
    }

    #[test]
    fn insecure_cookies_only_for_a_local_issuer() {
        let local = [
            ("AUTHD_COOKIE_SECURE", "false"),
            ("AUTHD_ISSUER", "http://localhost:8080"),
        ];
        assert!(!settings(&local).unwrap().browser.cookie_secure);
        let public = [
            ("AUTHD_COOKIE_SECURE", "false"),
            ("AUTHD_ISSUER", "https://auth.example.com"),
        ];
        assert_eq!(settings(&public).unwrap_err().var, "AUTHD_COOKIE_SECURE");
        let lookalike = [
            ("AUTHD_COOKIE_SECURE", "false"),
            ("AUTHD_ISSUER", "http://localhost.evil.com"),
        ];
        assert_eq!(settings(&lookalike).unwrap_err().var, "AUTHD_COOKIE_SECURE");
        assert!(settings(&[]).unwrap().browser.cookie_secure);
    }
}
