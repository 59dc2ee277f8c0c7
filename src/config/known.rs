//! Every `AUTHD_*` variable authd reads, in one place: start-up warns about any other (a typo would otherwise
//! be silently ignored), and a unit test holds this list to the names the settings files read.

use super::vars::Vars;

/// Every fixed setting name.
pub const SETTINGS: &[&str] = &[
    "AUTHD_ACCESS_TOKEN_ALG",
    "AUTHD_ACCESS_TTL",
    "AUTHD_ADMIN_BIND",
    "AUTHD_APP_NAME",
    "AUTHD_APP_URL",
    "AUTHD_ARGON2_ITERATIONS",
    "AUTHD_ARGON2_MEMORY_KIB",
    "AUTHD_ARGON2_PARALLELISM",
    "AUTHD_AUDIENCE",
    "AUTHD_AUDIT_RETENTION",
    "AUTHD_BIND",
    "AUTHD_CLOCK_LEEWAY",
    "AUTHD_COOKIE_SECURE",
    "AUTHD_CORS_ORIGINS",
    "AUTHD_DATABASE_POOL_SIZE",
    "AUTHD_DATABASE_URL",
    "AUTHD_DATA_DIR",
    "AUTHD_DEVICE_TOKENS_PER_ACCOUNT",
    "AUTHD_DEVICE_TOKEN_TTL",
    "AUTHD_GITHUB_API_URL",
    "AUTHD_GITHUB_AUTH_URL",
    "AUTHD_GITHUB_CLIENT_ID",
    "AUTHD_GITHUB_CLIENT_SECRET",
    "AUTHD_HANDLER_TIMEOUT",
    "AUTHD_HS256_SECRET",
    "AUTHD_ISSUER",
    "AUTHD_KEEP_ALIVE",
    "AUTHD_KEY_DIR",
    "AUTHD_LOG",
    "AUTHD_LOG_FORMAT",
    "AUTHD_MAIL_COOLDOWN",
    "AUTHD_MAIL_FROM",
    "AUTHD_MAIL_OUTBOX",
    "AUTHD_MAIL_SEND_TIMEOUT",
    "AUTHD_MAIL_TEMPLATES",
    "AUTHD_MAX_BODY_BYTES",
    "AUTHD_MAX_CONCURRENT_HASHES",
    "AUTHD_MAX_CONNECTIONS",
    "AUTHD_MAX_CONNECTION_RATE",
    "AUTHD_MAX_QUEUED_HASHES",
    "AUTHD_METRICS_BIND",
    "AUTHD_MFA_ISSUER",
    "AUTHD_MFA_TOKEN_TTL",
    "AUTHD_OIDC_PROVIDERS",
    "AUTHD_PASSWORD_RESET_TTL",
    "AUTHD_PUBLIC_URL",
    "AUTHD_RATE_LIMITS",
    "AUTHD_RATE_LIMIT_EMAIL_TOKEN_IP",
    "AUTHD_RATE_LIMIT_LOGIN_ACCOUNT",
    "AUTHD_RATE_LIMIT_LOGIN_DEVICE",
    "AUTHD_RATE_LIMIT_LOGIN_IP",
    "AUTHD_RATE_LIMIT_LOGIN_IP_ACCOUNT",
    "AUTHD_RATE_LIMIT_LOGOUT_IP",
    "AUTHD_RATE_LIMIT_MAIL_IP",
    "AUTHD_RATE_LIMIT_MFA_ACCOUNT",
    "AUTHD_RATE_LIMIT_MFA_IP",
    "AUTHD_RATE_LIMIT_MFA_MANAGE_IP",
    "AUTHD_RATE_LIMIT_OAUTH_IP",
    "AUTHD_RATE_LIMIT_PASSWORD_IP",
    "AUTHD_RATE_LIMIT_REFRESH_IP",
    "AUTHD_RATE_LIMIT_SIGNUP_IP",
    "AUTHD_REAUTH_MAX_AGE",
    "AUTHD_REDIRECT_URIS",
    "AUTHD_REDIS_PREFIX",
    "AUTHD_REDIS_TIMEOUT",
    "AUTHD_REDIS_URL",
    "AUTHD_REFRESH_REUSE_INTERVAL",
    "AUTHD_REFRESH_TTL",
    "AUTHD_REQUEST_TIMEOUT",
    "AUTHD_REQUIRE_VERIFIED_EMAIL",
    "AUTHD_SESSION_IDLE",
    "AUTHD_SESSION_MAX_AGE",
    "AUTHD_SHUTDOWN_TIMEOUT",
    "AUTHD_SMTP_URL",
    "AUTHD_TRUSTED_PROXIES",
    "AUTHD_VERIFY_EMAIL_TTL",
    "AUTHD_WORKERS",
];

/// A social-login provider `name` listed in `AUTHD_OIDC_PROVIDERS` reads `AUTHD_OIDC_<NAME>_<suffix>`.
pub const PROVIDER_SUFFIXES: &[&str] = &["ISSUER", "CLIENT_ID", "CLIENT_SECRET", "SCOPES"];

/// Variables of the test suites (`AUTHD_TEST_POSTGRES_URL`, ...): set in developers' shells, never read by the
/// service, and not a typo.
pub const TEST_PREFIX: &str = "AUTHD_TEST_";

/// `AUTHD_OIDC_<NAME>_`: the prefix of a provider's variables.
pub fn provider_prefix(name: &str) -> String {
    format!(
        "AUTHD_OIDC_{}_",
        name.to_ascii_uppercase().replace('-', "_")
    )
}

/// The provider name (as written in the variable, upper case) of an `AUTHD_OIDC_<NAME>_<suffix>` variable.
pub fn provider_of(var: &str) -> Option<&str> {
    let rest = var.strip_prefix("AUTHD_OIDC_")?;
    PROVIDER_SUFFIXES.iter().find_map(|suffix| {
        rest.strip_suffix(suffix)?
            .strip_suffix('_')
            .filter(|name| !name.is_empty())
    })
}

/// For each path that defaults to a place under `AUTHD_DATA_DIR`: its own variable when set, else that one.
#[derive(Debug, Clone)]
pub struct PathSources {
    pub key_dir: &'static str,
    pub database: &'static str,
    pub mail_outbox: &'static str,
}

impl PathSources {
    pub(super) fn read(vars: &Vars<'_>) -> Self {
        let from = |var| vars.raw(var).map_or("AUTHD_DATA_DIR", |_| var);
        Self {
            key_dir: from("AUTHD_KEY_DIR"),
            database: from("AUTHD_DATABASE_URL"),
            mail_outbox: from("AUTHD_MAIL_OUTBOX"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `"AUTHD_..."` literal in the settings files, outside their test modules (which misspell names on
    /// purpose).
    #[test]
    fn every_variable_the_settings_read_is_known() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/config");
        let mut seen = std::collections::HashSet::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.ends_with("known.rs") {
                continue;
            }
            let text = std::fs::read_to_string(path).unwrap();
            let code = text.split("#[cfg(test)]\nmod tests").next().unwrap();
            for literal in code.split("\"AUTHD_").skip(1) {
                let end = literal
                    .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
                    .unwrap_or(literal.len());
                if end == 0 || !literal[end..].starts_with('"') || literal[..end].ends_with('_') {
                    continue; // a prefix, such as `"AUTHD_"` or `"AUTHD_OIDC_{}_"`
                }
                let name = format!("AUTHD_{}", &literal[..end]);
                assert!(
                    SETTINGS.contains(&name.as_str()) || provider_of(&name).is_some(),
                    "{name} is read under src/config/ but missing from known::SETTINGS"
                );
                seen.insert(name);
            }
        }
        // And the other way: no listed name that nothing reads.
        for name in SETTINGS {
            assert!(
                seen.contains(*name),
                "{name} is listed but nothing reads it"
            );
        }
    }

    #[test]
    fn provider_variables_name_their_provider() {
        assert_eq!(provider_of("AUTHD_OIDC_GOOGLE_ISSUER"), Some("GOOGLE"));
        assert_eq!(
            provider_of("AUTHD_OIDC_MY_IDP_CLIENT_SECRET"),
            Some("MY_IDP")
        );
        assert_eq!(provider_of("AUTHD_OIDC_PROVIDERS"), None);
        assert_eq!(provider_of("AUTHD_OIDC__ISSUER"), None);
    }
}
