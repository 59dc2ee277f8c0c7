//! Social login: the providers (any OpenID Connect issuer, and GitHub), the app redirect URIs authd may send a
//! browser back to, and the public URL the providers call back.

use std::borrow::Cow;

use url::Url;

use super::known::provider_prefix;
use super::vars::{ConfigError, Vars};

/// The scopes asked of an OpenID provider unless `AUTHD_OIDC_<NAME>_SCOPES` says otherwise.
const DEFAULT_SCOPES: &str = "openid email profile";

/// What kind of provider, and where it lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderKind {
    /// An OpenID Connect issuer, found by discovery (`<issuer>/.well-known/openid-configuration`).
    Oidc { issuer: String },
    /// GitHub: plain OAuth 2.0, then its user and email API.
    Github { auth_url: String, api_url: String },
}

/// One configured provider (`Debug` hides the client secret).
#[derive(Clone)]
pub struct ProviderSettings {
    /// Lowercase name, the `{provider}` of the routes.
    pub name: String,
    pub kind: ProviderKind,
    pub client_id: String,
    /// Absent for a public client (PKCE only).
    pub client_secret: Option<String>,
    pub scopes: Vec<String>,
}

/// SocialLogin settings; no provider configured means no social login.
#[derive(Debug, Clone, Default)]
pub struct SocialSettings {
    pub providers: Vec<ProviderSettings>,
    /// Where authd may send the browser back to the app: exact URIs (web pages, custom schemes, app links).
    pub redirect_uris: Vec<String>,
    /// The base of the callback URL registered with providers: `<public_url>/v1/auth/oauth/<name>/callback`.
    pub public_url: String,
}

impl SocialSettings {
    pub(super) fn read(vars: &Vars<'_>, issuer: &str) -> Result<Self, ConfigError> {
        let mut providers = Vec::new();
        for name in vars.string("AUTHD_OIDC_PROVIDERS", "").split(',') {
            let name = name.trim().to_ascii_lowercase();
            if !name.is_empty() {
                providers.push(oidc_provider(vars, &name)?);
            }
        }
        if let Some(github) = github_provider(vars)? {
            providers.push(github);
        }
        let mut names: Vec<&str> = providers.iter().map(|p| p.name.as_str()).collect();
        names.sort_unstable();
        if names.windows(2).any(|w| w[0] == w[1]) {
            return Err(ConfigError::new(
                "AUTHD_OIDC_PROVIDERS",
                "a provider name appears twice (github is taken by AUTHD_GITHUB_CLIENT_ID)",
            ));
        }
        let redirect_uris = parse_redirect_uris(&vars.string("AUTHD_REDIRECT_URIS", ""))
            .map_err(|problem| ConfigError::new("AUTHD_REDIRECT_URIS", problem))?;
        if !providers.is_empty() && redirect_uris.is_empty() {
            return Err(ConfigError::new(
                "AUTHD_REDIRECT_URIS",
                "social login needs at least one app redirect URI",
            ));
        }
        let public_url = vars.string("AUTHD_PUBLIC_URL", issuer);
        let public_url = absolute_url("AUTHD_PUBLIC_URL", &public_url)?;
        Ok(Self {
            providers,
            redirect_uris,
            public_url: public_url.trim_end_matches('/').to_owned(),
        })
    }
}

fn oidc_provider(vars: &Vars<'_>, name: &str) -> Result<ProviderSettings, ConfigError> {
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(ConfigError::new(
            "AUTHD_OIDC_PROVIDERS",
            format!("{name:?}: letters, digits, - and _ only"),
        ));
    }
    let prefix = provider_prefix(name);
    // Each problem names the provider's own variable, the one the operator has to change.
    let required = |suffix: &str| {
        let var = format!("{prefix}{suffix}");
        vars.raw(&var).ok_or_else(|| {
            let problem =
                format!("is required for provider {name} (listed in AUTHD_OIDC_PROVIDERS)");
            ConfigError::new(var, problem)
        })
    };
    let issuer = required("ISSUER")?;
    absolute_url(format!("{prefix}ISSUER"), &issuer)?;
    let scopes = vars.string(&format!("{prefix}SCOPES"), DEFAULT_SCOPES);
    let scopes: Vec<String> = scopes
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if !scopes.iter().any(|s| s == "openid") {
        return Err(ConfigError::new(
            format!("{prefix}SCOPES"),
            "must include openid",
        ));
    }
    Ok(ProviderSettings {
        name: name.to_owned(),
        kind: ProviderKind::Oidc {
            issuer: issuer.trim().trim_end_matches('/').to_owned(),
        },
        client_id: required("CLIENT_ID")?,
        client_secret: vars.raw(&format!("{prefix}CLIENT_SECRET")),
        scopes,
    })
}

fn github_provider(vars: &Vars<'_>) -> Result<Option<ProviderSettings>, ConfigError> {
    let Some(client_id) = vars.raw("AUTHD_GITHUB_CLIENT_ID") else {
        return Ok(None);
    };
    let client_secret = vars.raw("AUTHD_GITHUB_CLIENT_SECRET").ok_or_else(|| {
        ConfigError::new(
            "AUTHD_GITHUB_CLIENT_SECRET",
            "required with AUTHD_GITHUB_CLIENT_ID",
        )
    })?;
    let auth_url = vars.string("AUTHD_GITHUB_AUTH_URL", "https://github.com");
    let api_url = vars.string("AUTHD_GITHUB_API_URL", "https://api.github.com");
    Ok(Some(ProviderSettings {
        name: "github".to_owned(),
        kind: ProviderKind::Github {
            auth_url: absolute_url("AUTHD_GITHUB_AUTH_URL", &auth_url)?,
            api_url: absolute_url("AUTHD_GITHUB_API_URL", &api_url)?,
        },
        client_id,
        client_secret: Some(client_secret),
        // Reading the verified addresses needs this scope; the profile comes with any token.
        scopes: vec!["user:email".to_owned()],
    }))
}

/// An http(s) URL without a trailing slash.
fn absolute_url(var: impl Into<Cow<'static, str>>, raw: &str) -> Result<String, ConfigError> {
    let raw = raw.trim();
    match Url::parse(raw) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
            Ok(raw.trim_end_matches('/').to_owned())
        }
        _ => Err(ConfigError::new(
            var,
            format!("{raw:?} is not an http(s) URL"),
        )),
    }
}

/// Exact URIs, compared byte for byte with the app's `redirect_uri`: no wildcard, no fragment (RFC 6749 §3.1.2),
/// and custom schemes allowed for native apps (RFC 8252 §7.1).
fn parse_redirect_uris(raw: &str) -> Result<Vec<String>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(|uri| match Url::parse(uri) {
            Ok(url) if url.fragment().is_none() && !uri.contains('*') => Ok(uri.to_owned()),
            _ => Err(format!(
                "{uri:?} is not an absolute URI without fragment or wildcard"
            )),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::vars::fake;
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<SocialSettings, ConfigError> {
        SocialSettings::read(&Vars(&fake(pairs)), "https://auth.example.com")
    }

    #[test]
    fn providers_come_from_their_variables() {
        let s = read(&[
            ("AUTHD_OIDC_PROVIDERS", "Google"),
            ("AUTHD_OIDC_GOOGLE_ISSUER", "https://accounts.google.com/"),
            ("AUTHD_OIDC_GOOGLE_CLIENT_ID", "cid"),
            ("AUTHD_GITHUB_CLIENT_ID", "gh"),
            ("AUTHD_GITHUB_CLIENT_SECRET", "ghs"),
            (
                "AUTHD_REDIRECT_URIS",
                "https://app.example.com/cb, com.example.app:/oauth",
            ),
        ])
        .unwrap();
        assert_eq!(s.providers[0].name, "google");
        assert_eq!(
            s.providers[0].kind,
            ProviderKind::Oidc {
                issuer: "https://accounts.google.com".into()
            }
        );
        assert_eq!(s.providers[0].scopes, ["openid", "email", "profile"]);
        assert_eq!(s.providers[1].name, "github");
        assert_eq!(s.redirect_uris.len(), 2);
        assert_eq!(s.public_url, "https://auth.example.com");
    }

    #[test]
    fn incomplete_providers_are_refused() {
        let base = [("AUTHD_REDIRECT_URIS", "https://app.example.com/cb")];
        for extra in [
            [
                ("AUTHD_OIDC_PROVIDERS", "x"),
                ("AUTHD_OIDC_X_CLIENT_ID", "c"),
            ],
            [
                ("AUTHD_OIDC_PROVIDERS", "x"),
                ("AUTHD_OIDC_X_ISSUER", "https://x"),
            ],
            [
                ("AUTHD_OIDC_PROVIDERS", "x/y"),
                ("AUTHD_OIDC_X_ISSUER", "https://x"),
            ],
            [
                ("AUTHD_GITHUB_CLIENT_ID", "c"),
                ("AUTHD_OIDC_PROVIDERS", ""),
            ],
        ] {
            let pairs: Vec<_> = base.iter().chain(extra.iter()).copied().collect();
            assert!(read(&pairs).is_err(), "{extra:?}");
        }
        assert!(parse_redirect_uris("https://app.example.com/*").is_err());
        assert!(parse_redirect_uris("https://app.example.com/#x").is_err());
        assert!(parse_redirect_uris("/relative").is_err());
    }
}
