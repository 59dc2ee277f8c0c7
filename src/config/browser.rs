//! What browsers may do: which origins may call the API, and whether the refresh cookie is `Secure`.

use url::Url;

use super::vars::{ConfigError, Vars};

/// Browser-facing settings.
#[derive(Debug, Clone)]
pub struct BrowserSettings {
    /// Browser origins allowed to call the API (exact `scheme://host[:port]`, credentials allowed).
    pub cors_origins: Vec<String>,
    /// Whether the refresh-token cookie is `Secure`; may be off only for an http://localhost issuer (a check
    /// across sections, in `Settings::validate`).
    pub cookie_secure: bool,
}

impl BrowserSettings {
    pub(super) fn read(vars: &Vars<'_>) -> Result<Self, ConfigError> {
        Ok(Self {
            cors_origins: parse_origins(&vars.string("AUTHD_CORS_ORIGINS", ""))
                .map_err(|problem| ConfigError::new("AUTHD_CORS_ORIGINS", problem))?,
            cookie_secure: vars.flag("AUTHD_COOKIE_SECURE", true)?,
        })
    }
}

/// A comma-separated list of exact origins. No wildcard: cookie mode sends credentials, and a credentialed
/// CORS response must name the one origin it trusts.
fn parse_origins(raw: &str) -> Result<Vec<String>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(parse_origin)
        .collect()
}

/// One `scheme://host[:port]`, lowercased as written (the browser's `Origin` header is compared with it).
fn parse_origin(origin: &str) -> Result<String, String> {
    let not_origin =
        || format!("{origin:?} is not an origin (scheme://host[:port], no path or wildcard)");
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or_else(|| format!("{origin:?} must start with http:// or https:// (no wildcard)"))?;
    // The URL parser allows `*` and IDNA hosts, and would add the `/` path itself: so the characters are
    // checked on the text, and the parser only confirms a well-formed host and port.
    let chars_ok = !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c));
    let url = Url::parse(origin).map_err(|_| not_origin())?;
    if !chars_ok || url.host().is_none() || url.path() != "/" {
        return Err(not_origin());
    }
    Ok(origin.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cors_origins_are_exact() {
        assert_eq!(
            parse_origins("https://App.example.com, http://127.0.0.1:5173").unwrap(),
            ["https://app.example.com", "http://127.0.0.1:5173"]
        );
        assert!(parse_origins("").unwrap().is_empty());
        for bad in [
            "*",
            "https://*.example.com",
            "https://app.example.com/",
            "app.example.com",
            "https://a:b:c",
            "https://",
            "https://[::1",
        ] {
            assert!(parse_origins(bad).is_err(), "{bad}");
        }
        assert!(parse_origins("http://[::1]:3000").is_ok());
    }
}
