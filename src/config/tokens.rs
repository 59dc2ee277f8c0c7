//! Token claims and lifetimes, the key directory, and which algorithm signs access tokens.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::vars::{ConfigError, MAX_LIFETIME, Vars, in_range};
use crate::keys::{HmacSecret, KeyAlg, MAX_LEEWAY};

/// Token claims, lifetimes and where the signing keys are kept.
#[derive(Debug, Clone)]
pub struct TokenSettings {
    /// The `iss` claim: the public URL of this service.
    pub issuer: String,
    /// The `aud` claim.
    pub audience: String,
    /// Access-token lifetime (1 s to 24 h).
    pub access_ttl: Duration,
    /// Refresh-token lifetime (at least `access_ttl`, at most 400 days).
    pub refresh_ttl: Duration,
    /// Device-token lifetime (1 day to 400 days): how long a client that logged in once keeps its own login
    /// budget when its account is under attack.
    pub device_ttl: Duration,
    /// Clock skew tolerated when checking `exp` and `nbf` (RFC 8725 advises a small one).
    pub clock_leeway: Duration,
    /// Directory holding the signing keys; created with fresh keys on first start.
    pub key_dir: PathBuf,
    /// `AUTHD_ACCESS_TOKEN_ALG`: the algorithm of access keys generated without an explicit one (EdDSA or ES256).
    pub access_alg: KeyAlg,
    /// HS256 mode (`AUTHD_ACCESS_TOKEN_ALG=HS256`): access tokens are signed with this shared secret instead
    /// of the key ring's access keys, and the JWKS is empty.
    pub hs256_secret: Option<HmacSecret>,
}

impl TokenSettings {
    /// `default_issuer` is the listener's own URL; keys default to `data_dir`.
    pub(super) fn read(
        vars: &Vars<'_>,
        default_issuer: &str,
        data_dir: &Path,
    ) -> Result<Self, ConfigError> {
        let (access_alg, hs256_secret) = access_token_alg(vars)?;
        let settings = Self {
            issuer: vars.string("AUTHD_ISSUER", default_issuer),
            audience: vars.string("AUTHD_AUDIENCE", "authd"),
            access_ttl: vars.duration("AUTHD_ACCESS_TTL", Duration::from_secs(15 * 60))?,
            refresh_ttl: vars.duration("AUTHD_REFRESH_TTL", Duration::from_secs(30 * 24 * 3600))?,
            device_ttl: vars.duration(
                "AUTHD_DEVICE_TOKEN_TTL",
                Duration::from_secs(180 * 24 * 3600),
            )?,
            clock_leeway: vars.duration("AUTHD_CLOCK_LEEWAY", Duration::from_secs(30))?,
            key_dir: PathBuf::from(vars.string("AUTHD_KEY_DIR", &data_dir.display().to_string())),
            access_alg,
            hs256_secret,
        };
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), ConfigError> {
        check_issuer(&self.issuer)?;
        if self.audience.trim().is_empty() {
            return Err(ConfigError::new("AUTHD_AUDIENCE", "must not be empty"));
        }
        let second = Duration::from_secs(1);
        let day = Duration::from_secs(24 * 3600);
        in_range(
            "AUTHD_ACCESS_TTL",
            self.access_ttl,
            second,
            day,
            "between 1 second and 24 hours",
        )?;
        in_range(
            "AUTHD_CLOCK_LEEWAY",
            self.clock_leeway,
            Duration::ZERO,
            MAX_LEEWAY,
            "at most 60 seconds",
        )?;
        in_range(
            "AUTHD_REFRESH_TTL",
            self.refresh_ttl,
            Duration::ZERO,
            MAX_LIFETIME,
            "at most 400 days",
        )?;
        in_range(
            "AUTHD_DEVICE_TOKEN_TTL",
            self.device_ttl,
            day,
            MAX_LIFETIME,
            "between 1 day and 400 days",
        )?;
        if self.refresh_ttl < self.access_ttl {
            return Err(ConfigError::new(
                "AUTHD_REFRESH_TTL",
                "must not be shorter than AUTHD_ACCESS_TTL",
            ));
        }
        Ok(())
    }
}

/// `AUTHD_ACCESS_TOKEN_ALG` (EdDSA, ES256 or HS256) and, for HS256 only, `AUTHD_HS256_SECRET`.
/// The issuer is a URL (OIDC Discovery §3), and the default of AUTHD_APP_URL and AUTHD_PUBLIC_URL: checked here,
/// so a bare host is reported against the variable the operator set, not a later one derived from it.
fn check_issuer(issuer: &str) -> Result<(), ConfigError> {
    let var = "AUTHD_ISSUER";
    if issuer.trim().is_empty() {
        return Err(ConfigError::new(var, "must not be empty"));
    }
    match url::Url::parse(issuer.trim()) {
        Ok(url)
            if matches!(url.scheme(), "http" | "https")
                && url.host().is_some()
                && url.query().is_none()
                && url.fragment().is_none() =>
        {
            Ok(())
        }
        Ok(_) => Err(ConfigError::new(
            var,
            format!("expected an http(s) URL without query or fragment, got {issuer:?}"),
        )),
        Err(_) => Err(ConfigError::new(
            var,
            format!("expected a URL with a scheme, e.g. https://{issuer}, got {issuer:?}"),
        )),
    }
}

fn access_token_alg(vars: &Vars<'_>) -> Result<(KeyAlg, Option<HmacSecret>), ConfigError> {
    // Not `raw`: a secret of only spaces is still a (weak) secret the operator set, and must be refused.
    let secret = (vars.0)("AUTHD_HS256_SECRET").filter(|v| !v.is_empty());
    let alg = vars.string("AUTHD_ACCESS_TOKEN_ALG", "EdDSA");
    if alg.trim() == "HS256" {
        let raw = secret.ok_or_else(|| {
            ConfigError::new(
                "AUTHD_HS256_SECRET",
                "is required when AUTHD_ACCESS_TOKEN_ALG=HS256",
            )
        })?;
        let secret = HmacSecret::parse(&raw)
            .map_err(|problem| ConfigError::new("AUTHD_HS256_SECRET", problem))?;
        return Ok((KeyAlg::EdDSA, Some(secret)));
    }
    if secret.is_some() {
        return Err(ConfigError::new(
            "AUTHD_HS256_SECRET",
            "is set but AUTHD_ACCESS_TOKEN_ALG is not HS256; unset one of them",
        ));
    }
    let alg = alg.trim().parse().map_err(|problem: String| {
        ConfigError::new(
            "AUTHD_ACCESS_TOKEN_ALG",
            problem.replace("EdDSA or ES256", "EdDSA, ES256 or HS256"),
        )
    })?;
    Ok((alg, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::vars::fake;

    fn settings(pairs: &[(&str, &str)]) -> Result<TokenSettings, ConfigError> {
        TokenSettings::read(&Vars(&fake(pairs)), "http://127.0.0.1:8080", Path::new("."))
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
        let hs256 = [
            ("AUTHD_ACCESS_TOKEN_ALG", "HS256"),
            ("AUTHD_HS256_SECRET", strong),
        ];
        let s = settings(&hs256).unwrap();
        assert!(!format!("{s:?}").contains("q3J0"));
        assert_eq!(s.hs256_secret.unwrap().expose().len(), 32);
        // A secret without HS256 mode is a mistake, and RS256 is refused by name.
        assert_eq!(
            settings(&[("AUTHD_HS256_SECRET", strong)]).unwrap_err().var,
            "AUTHD_HS256_SECRET"
        );
        let rs = settings(&[("AUTHD_ACCESS_TOKEN_ALG", "RS256")]).unwrap_err();
        assert!(rs.problem.contains("RUSTSEC-2023-0071"), "{rs}");
        let es = settings(&[("AUTHD_ACCESS_TOKEN_ALG", "ES256")]).unwrap();
        assert_eq!(es.access_alg, KeyAlg::ES256);
    }

    #[test]
    fn refresh_tokens_live_at_most_400_days() {
        let ok = settings(&[("AUTHD_REFRESH_TTL", "400d")]).unwrap();
        assert_eq!(ok.refresh_ttl, MAX_LIFETIME);
        for too_long in ["401d", "99999999999", "5000000000000d"] {
            let err = settings(&[("AUTHD_REFRESH_TTL", too_long)]).unwrap_err();
            assert_eq!(err.var, "AUTHD_REFRESH_TTL", "{too_long}");
        }
    }
}
