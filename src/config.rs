//! Settings, parsed once from `AUTHD_*` environment variables into typed values and passed in (no globals).
//! A bad value fails start-up with a message that names the variable.

use std::path::PathBuf;
use std::time::Duration;

/// Everything the service needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `host:port` to listen on.
    pub bind: String,
    /// `host:port` of the separate Prometheus `/metrics` listener; `None` (the default) turns metrics off.
    pub metrics_bind: Option<String>,
    /// Number of HTTP worker threads.
    pub workers: usize,
    pub database: DatabaseSettings,
    pub tokens: TokenSettings,
    pub sessions: SessionSettings,
    pub passwords: PasswordSettings,
    /// Browser origins allowed to call the API (exact `scheme://host[:port]`, credentials allowed).
    pub cors_origins: Vec<String>,
    /// Whether the refresh-token cookie is `Secure`; may be off only for an http://localhost issuer.
    pub cookie_secure: bool,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    pub log: LogSettings,
}

/// Where the data lives.
#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    pub url: DatabaseUrl,
    pub pool_size: u32,
}

/// A database location, with the backend decided by the URL scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

/// Token claims, lifetimes and where the signing keys are kept.
#[derive(Debug, Clone)]
pub struct TokenSettings {
    pub issuer: String,
    pub audience: String,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    /// Clock skew tolerated when checking `exp` and `nbf` (RFC 8725 advises a small one).
    pub clock_leeway: Duration,
    /// Directory holding the signing keys; created with fresh keys on first start.
    pub key_dir: PathBuf,
    /// `AUTHD_ACCESS_TOKEN_ALG`: the algorithm of access keys generated without an explicit one (EdDSA or ES256).
    pub access_alg: crate::tokens::KeyAlg,
    /// HS256 mode (`AUTHD_ACCESS_TOKEN_ALG=HS256`): access tokens are signed with this shared secret instead
    /// of the key ring's access keys, and the JWKS is empty.
    pub hs256_secret: Option<crate::tokens::HmacSecret>,
}

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
}

/// Argon2id cost and how many hashes may run at once.
#[derive(Debug, Clone)]
pub struct PasswordSettings {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    pub max_concurrent_hashes: usize,
    /// Hashes that may wait for a free hashing thread; beyond that a request is refused with 503 at once.
    pub max_queued_hashes: usize,
}

/// Log filter (tracing's `EnvFilter` syntax) and output format.
#[derive(Debug, Clone)]
pub struct LogSettings {
    pub filter: String,
    pub json: bool,
}

/// A setting that could not be used; names the variable.
#[derive(Debug, thiserror::Error)]
#[error("{var}: {problem}")]
pub struct ConfigError {
    pub var: &'static str,
    pub problem: String,
}

/// Defaults that match OWASP's argon2id recommendation (m=19456 KiB, t=2, p=1).
impl Default for PasswordSettings {
    fn default() -> Self {
        Self {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
            max_concurrent_hashes: cpu_count(),
            max_queued_hashes: QUEUED_HASHES_PER_THREAD * cpu_count(),
        }
    }
}

/// Default queue length per hashing thread: at about 20 ms a hash, a full queue waits about 0.6 s.
const QUEUED_HASHES_PER_THREAD: usize = 32;

fn cpu_count() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from)
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests can supply their own variables.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let vars = Vars(&lookup);
        let bind = host_port("AUTHD_BIND", vars.string("AUTHD_BIND", "127.0.0.1:8080"))?;
        let metrics_bind = match vars.string("AUTHD_METRICS_BIND", "") {
            unset if unset.is_empty() => None,
            value => Some(host_port("AUTHD_METRICS_BIND", value)?),
        };
        let issuer = vars.string("AUTHD_ISSUER", &format!("http://{bind}"));
        let data_dir = PathBuf::from(vars.string("AUTHD_DATA_DIR", "./data"));
        let default_db = data_dir.join("authd.db").display().to_string();
        let hash_threads = vars.parse("AUTHD_MAX_CONCURRENT_HASHES", cpu_count())?;
        let passwords = PasswordSettings {
            memory_kib: vars.parse("AUTHD_ARGON2_MEMORY_KIB", 19_456)?,
            iterations: vars.parse("AUTHD_ARGON2_ITERATIONS", 2)?,
            parallelism: vars.parse("AUTHD_ARGON2_PARALLELISM", 1)?,
            max_concurrent_hashes: hash_threads,
            max_queued_hashes: vars.parse(
                "AUTHD_MAX_QUEUED_HASHES",
                QUEUED_HASHES_PER_THREAD * hash_threads,
            )?,
        };
        let (access_alg, hs256_secret) = access_token_alg(&vars)?;
        let settings = Settings {
            workers: vars.parse("AUTHD_WORKERS", cpu_count())?,
            database: DatabaseSettings {
                url: DatabaseUrl::parse(&vars.string("AUTHD_DATABASE_URL", &default_db)).map_err(
                    |problem| ConfigError {
                        var: "AUTHD_DATABASE_URL",
                        problem,
                    },
                )?,
                pool_size: vars.parse("AUTHD_DATABASE_POOL_SIZE", 8)?,
            },
            tokens: TokenSettings {
                issuer,
                audience: vars.string("AUTHD_AUDIENCE", "authd"),
                access_ttl: vars.duration("AUTHD_ACCESS_TTL", Duration::from_secs(15 * 60))?,
                refresh_ttl: vars
                    .duration("AUTHD_REFRESH_TTL", Duration::from_secs(30 * 24 * 3600))?,
                clock_leeway: vars.duration("AUTHD_CLOCK_LEEWAY", Duration::from_secs(30))?,
                key_dir: PathBuf::from(
                    vars.string("AUTHD_KEY_DIR", &data_dir.display().to_string()),
                ),
                access_alg,
                hs256_secret,
            },
            sessions: SessionSettings {
                max_age: vars
                    .duration("AUTHD_SESSION_MAX_AGE", Duration::from_secs(30 * 24 * 3600))?,
                idle_timeout: vars
                    .duration("AUTHD_SESSION_IDLE", Duration::from_secs(7 * 24 * 3600))?,
                reuse_interval: vars.duration("AUTHD_REFRESH_REUSE_INTERVAL", Duration::ZERO)?,
            },
            passwords,
            cors_origins: parse_origins(&vars.string("AUTHD_CORS_ORIGINS", "")).map_err(
                |problem| ConfigError {
                    var: "AUTHD_CORS_ORIGINS",
                    problem,
                },
            )?,
            cookie_secure: vars
                .parse("AUTHD_COOKIE_SECURE", true)
                .map_err(|_| ConfigError {
                    var: "AUTHD_COOKIE_SECURE",
                    problem: "expected true or false".into(),
                })?,
            max_body_bytes: vars.parse("AUTHD_MAX_BODY_BYTES", 16 * 1024)?,
            log: LogSettings {
                filter: vars.string("AUTHD_LOG", "info"),
                json: match vars.string("AUTHD_LOG_FORMAT", "text").as_str() {
                    "text" => false,
                    "json" => true,
                    other => {
                        return Err(ConfigError {
                            var: "AUTHD_LOG_FORMAT",
                            problem: format!("expected text or json, got {other:?}"),
                        });
                    }
                },
            },
            bind,
            metrics_bind,
        };
        settings.validate()?;
        Ok(settings)
    }

    /// Checks relations between values that each parsed on their own.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let fail = |var, problem: &str| {
            Err(ConfigError {
                var,
                problem: problem.to_owned(),
            })
        };
        let p = &self.passwords;
        if p.parallelism == 0 || p.iterations == 0 {
            return fail(
                "AUTHD_ARGON2_ITERATIONS",
                "iterations and parallelism must be at least 1",
            );
        }
        if argon2::Params::new(p.memory_kib, p.iterations, p.parallelism, None).is_err() {
            return fail(
                "AUTHD_ARGON2_MEMORY_KIB",
                "must be at least 8 KiB per lane of parallelism",
            );
        }
        // Each hashing thread keeps one argon2 block (memory_kib) for good.
        if p.max_concurrent_hashes == 0 || p.max_concurrent_hashes > 256 {
            return fail("AUTHD_MAX_CONCURRENT_HASHES", "must be between 1 and 256");
        }
        if p.max_queued_hashes > 100_000 {
            return fail("AUTHD_MAX_QUEUED_HASHES", "must be at most 100000");
        }
        if self.workers == 0 {
            return fail("AUTHD_WORKERS", "must be at least 1");
        }
        if self.database.pool_size == 0 {
            return fail("AUTHD_DATABASE_POOL_SIZE", "must be at least 1");
        }
        if self.tokens.issuer.trim().is_empty() {
            return fail("AUTHD_ISSUER", "must not be empty");
        }
        if self.tokens.audience.trim().is_empty() {
            return fail("AUTHD_AUDIENCE", "must not be empty");
        }
        if self.tokens.access_ttl.is_zero()
            || self.tokens.access_ttl > Duration::from_secs(24 * 3600)
        {
            return fail("AUTHD_ACCESS_TTL", "must be between 1 second and 24 hours");
        }
        if self.tokens.clock_leeway > crate::tokens::MAX_LEEWAY {
            return fail("AUTHD_CLOCK_LEEWAY", "must be at most 60 seconds");
        }
        if self.tokens.refresh_ttl < self.tokens.access_ttl {
            return fail(
                "AUTHD_REFRESH_TTL",
                "must not be shorter than AUTHD_ACCESS_TTL",
            );
        }
        if self.sessions.max_age.is_zero() {
            return fail("AUTHD_SESSION_MAX_AGE", "must be at least 1 second");
        }
        if self.sessions.idle_timeout.is_zero() {
            return fail("AUTHD_SESSION_IDLE", "must be at least 1 second");
        }
        if self.sessions.reuse_interval > Duration::from_secs(60) {
            return fail("AUTHD_REFRESH_REUSE_INTERVAL", "must be at most 60 seconds");
        }
        let local_issuer = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
            .iter()
            .any(|prefix| {
                self.tokens
                    .issuer
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
            });
        if !self.cookie_secure && !local_issuer {
            return fail(
                "AUTHD_COOKIE_SECURE",
                "may be false only in development, with an http://127.0.0.1 or http://localhost AUTHD_ISSUER",
            );
        }
        if self.metrics_bind.as_deref() == Some(&self.bind) && !self.bind.ends_with(":0") {
            return fail(
                "AUTHD_METRICS_BIND",
                "must differ from AUTHD_BIND: metrics have their own listener",
            );
        }
        if self.max_body_bytes < 256 {
            return fail("AUTHD_MAX_BODY_BYTES", "must be at least 256");
        }
        Ok(())
    }
}

impl DatabaseUrl {
    /// `postgres://…` or `postgresql://…` selects PostgreSQL; `sqlite://path`, `sqlite:path` or a bare path SQLite.
    pub fn parse(url: &str) -> Result<Self, String> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        if path.is_empty() || path == ":memory:" {
            return Err("expected a postgres:// URL or an SQLite file path (not :memory:)".into());
        }
        if path.contains("://") {
            return Err(format!(
                "unsupported scheme in {path:?}; use postgres:// or sqlite://"
            ));
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }
}

/// Accepts `host:port` (the host may be a name or an IP, `[::1]` for IPv6); the port may be 0 (any free one).
fn host_port(var: &'static str, value: String) -> Result<String, ConfigError> {
    let port = value.rsplit_once(':').map(|(_, port)| port.parse::<u16>());
    match port {
        Some(Ok(_)) => Ok(value),
        _ => Err(ConfigError {
            var,
            problem: format!("expected host:port, got {value:?}"),
        }),
    }
}

/// A comma-separated list of exact origins. No wildcard: cookie mode sends credentials, and a credentialed
/// CORS response must name the one origin it trusts.
fn parse_origins(raw: &str) -> Result<Vec<String>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|origin| {
            let rest = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"))
                .ok_or_else(|| {
                    format!("{origin:?} must start with http:// or https:// (no wildcard)")
                })?;
            let host_ok = !rest.is_empty()
                && rest
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c));
            if host_ok {
                Ok(origin.to_ascii_lowercase())
            } else {
                Err(format!(
                    "{origin:?} is not an origin (scheme://host[:port], no path or wildcard)"
                ))
            }
        })
        .collect()
}

struct Vars<'a>(&'a dyn Fn(&str) -> Option<String>);

impl Vars<'_> {
    fn string(&self, name: &str, default: &str) -> String {
        (self.0)(name)
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| default.to_owned())
    }

    fn parse<T: std::str::FromStr>(
        &self,
        name: &'static str,
        default: T,
    ) -> Result<T, ConfigError> {
        match (self.0)(name).filter(|v| !v.trim().is_empty()) {
            None => Ok(default),
            Some(raw) => raw.trim().parse().map_err(|_| ConfigError {
                var: name,
                problem: format!("expected a whole number, got {raw:?}"),
            }),
        }
    }

    fn duration(&self, name: &'static str, default: Duration) -> Result<Duration, ConfigError> {
        match (self.0)(name).filter(|v| !v.trim().is_empty()) {
            None => Ok(default),
            Some(raw) => parse_duration(raw.trim()).ok_or_else(|| ConfigError {
                var: name,
                problem: format!("expected seconds or a number with s, m, h or d, got {raw:?}"),
            }),
        }
    }
}

/// `AUTHD_ACCESS_TOKEN_ALG` (EdDSA, ES256 or HS256) and, for HS256 only, `AUTHD_HS256_SECRET`.
fn access_token_alg(
    vars: &Vars<'_>,
) -> Result<(crate::tokens::KeyAlg, Option<crate::tokens::HmacSecret>), ConfigError> {
    let secret = (vars.0)("AUTHD_HS256_SECRET").filter(|v| !v.is_empty());
    let alg = vars.string("AUTHD_ACCESS_TOKEN_ALG", "EdDSA");
    if alg.trim() == "HS256" {
        let raw = secret.ok_or_else(|| ConfigError {
            var: "AUTHD_HS256_SECRET",
            problem: "is required when AUTHD_ACCESS_TOKEN_ALG=HS256".into(),
        })?;
        let secret = crate::tokens::HmacSecret::parse(&raw).map_err(|problem| ConfigError {
            var: "AUTHD_HS256_SECRET",
            problem,
        })?;
        return Ok((crate::tokens::KeyAlg::EdDSA, Some(secret)));
    }
    if secret.is_some() {
        return Err(ConfigError {
            var: "AUTHD_HS256_SECRET",
            problem: "is set but AUTHD_ACCESS_TOKEN_ALG is not HS256; unset one of them".into(),
        });
    }
    let alg = alg.trim().parse().map_err(|problem: String| ConfigError {
        var: "AUTHD_ACCESS_TOKEN_ALG",
        problem: problem.replace("EdDSA or ES256", "EdDSA, ES256 or HS256"),
    })?;
    Ok((alg, None))
}

/// `900`, `900s`, `15m`, `1h`, `30d`.
fn parse_duration(raw: &str) -> Option<Duration> {
    let (digits, unit) = match raw.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => raw.split_at(at),
        None => (raw, "s"),
    };
    let multiplier = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    };
    let n: u64 = digits.parse().ok()?;
    n.checked_mul(multiplier).map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        Settings::from_lookup(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn defaults_work_with_no_environment() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert_eq!(
            s.database.url,
            DatabaseUrl::Sqlite(PathBuf::from("./data/authd.db"))
        );
        assert_eq!(s.tokens.access_ttl, Duration::from_secs(900));
        assert_eq!(s.tokens.refresh_ttl, Duration::from_secs(30 * 86_400));
        assert_eq!(
            (
                s.passwords.memory_kib,
                s.passwords.iterations,
                s.passwords.parallelism
            ),
            (19_456, 2, 1)
        );
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
        ] {
            let err = settings(&[(var, value)]).unwrap_err();
            assert_eq!(err.var, var, "{value}");
        }
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
    fn cors_origins_are_exact() {
        let s = settings(&[(
            "AUTHD_CORS_ORIGINS",
            "https://App.example.com, http://127.0.0.1:5173",
        )])
        .unwrap();
        assert_eq!(
            s.cors_origins,
            ["https://app.example.com", "http://127.0.0.1:5173"]
        );
        assert!(settings(&[]).unwrap().cors_origins.is_empty());
    }

    #[test]
    fn insecure_cookies_only_for_a_local_issuer() {
        let local = [
            ("AUTHD_COOKIE_SECURE", "false"),
            ("AUTHD_ISSUER", "http://localhost:8080"),
        ];
        assert!(!settings(&local).unwrap().cookie_secure);
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
        assert!(settings(&[]).unwrap().cookie_secure);
    }

    #[test]
    fn hs256_mode_refuses_weak_or_missing_secrets() {
        for secret in [
            None,
            Some("secret"),
            Some("changeme"),
            Some(&*"ab".repeat(20)),
        ] {
            let mut vars = vec![("AUTHD_ACCESS_TOKEN_ALG", "HS256")];
            vars.extend(secret.map(|s| ("AUTHD_HS256_SECRET", s)));
            let err = settings(&vars).unwrap_err();
            assert_eq!(err.var, "AUTHD_HS256_SECRET", "{secret:?}");
        }
        let strong = "base64:q3J0c1+Vf8k2mXbW9zTnL4hR6yPaE1uDgOiC7sKvBjQ=";
        let s = settings(&[
            ("AUTHD_ACCESS_TOKEN_ALG", "HS256"),
            ("AUTHD_HS256_SECRET", strong),
        ])
        .unwrap();
        assert_eq!(s.tokens.hs256_secret.unwrap().expose().len(), 32);
        assert!(
            !format!(
                "{:?}",
                settings(&[
                    ("AUTHD_ACCESS_TOKEN_ALG", "HS256"),
                    ("AUTHD_HS256_SECRET", strong)
                ])
                .unwrap()
            )
            .contains("q3J0")
        );
        // A secret without HS256 mode is a mistake, and RS256 is refused by name.
        assert_eq!(
            settings(&[("AUTHD_HS256_SECRET", strong)]).unwrap_err().var,
            "AUTHD_HS256_SECRET"
        );
        let rs = settings(&[("AUTHD_ACCESS_TOKEN_ALG", "RS256")]).unwrap_err();
        assert!(rs.problem.contains("RUSTSEC-2023-0071"), "{rs}");
        assert_eq!(
            settings(&[("AUTHD_ACCESS_TOKEN_ALG", "ES256")])
                .unwrap()
                .tokens
                .access_alg,
            crate::tokens::KeyAlg::ES256
        );
    }

    #[test]
    fn durations_take_units() {
        assert_eq!(parse_duration("15m"), Some(Duration::from_secs(900)));
        assert_eq!(parse_duration("30d"), Some(Duration::from_secs(2_592_000)));
        assert_eq!(parse_duration("45"), Some(Duration::from_secs(45)));
        assert_eq!(parse_duration("1w"), None);
        assert_eq!(parse_duration("m"), None);
    }

    #[test]
    fn database_url_picks_the_backend_by_scheme() {
        assert!(matches!(
            DatabaseUrl::parse("postgres://u@h/db"),
            Ok(DatabaseUrl::Postgres(_))
        ));
        assert!(matches!(
            DatabaseUrl::parse("postgresql://u@h/db"),
            Ok(DatabaseUrl::Postgres(_))
        ));
        assert_eq!(
            DatabaseUrl::parse("sqlite://a/b.db"),
            Ok(DatabaseUrl::Sqlite("a/b.db".into()))
        );
        assert!(DatabaseUrl::parse(":memory:").is_err());
    }
}
