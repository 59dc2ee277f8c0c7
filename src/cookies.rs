//! The refresh-token cookie and its CSRF rules. Because a browser attaches the cookie by itself, a request that
//! authenticates with it must prove it comes from an allowed page: an allowed `Origin` and the `X-Authd-CSRF`
//! header, which a cross-site form cannot send and a cross-origin script can send only after a CORS preflight we
//! approve. The rules take and return plain values; reading the request and writing `Set-Cookie` is the routes'
//! edge (`routes::common::delivery`).

use crate::error::ApiError;

/// The header a cookie-mode refresh or logout must carry; a cross-site form cannot send it.
pub const CSRF_HEADER: &str = "x-authd-csrf";
/// The cookie's name.
pub const REFRESH_COOKIE: &str = "authd_refresh";
/// The only path the browser sends it to: refresh and logout.
const COOKIE_PATH: &str = "/v1/auth";
/// The device-token cookie (cookie mode's `device_token`), sent only to login.
pub const DEVICE_COOKIE: &str = "authd_device";
const DEVICE_COOKIE_PATH: &str = "/v1/auth/login";

/// Cookie and CSRF rules, built once from the settings.
#[derive(Debug, Clone)]
pub struct CookiePolicy {
    pub secure: bool,
    /// Origins whose pages may use the cookie: the CORS origins and the issuer's own.
    pub trusted_origins: Vec<String>,
}

impl CookiePolicy {
    /// Trusts the CORS origins and the issuer's own origin.
    pub fn new(secure: bool, cors_origins: &[String], issuer: &str) -> Self {
        let mut trusted_origins = cors_origins.to_vec();
        trusted_origins.push(origin_of(issuer));
        Self {
            secure,
            trusted_origins,
        }
    }

    /// The refresh token of the request: from the body when given there, else from the cookie after the CSRF
    /// checks. Also says whether it came from the cookie.
    pub fn refresh_token(
        &self,
        from_body: Option<String>,
        sent: SentCookie,
    ) -> Result<(String, bool), ApiError> {
        if let Some(token) = from_body {
            return Ok((token, false));
        }
        let Some(cookie) = sent.refresh_cookie else {
            return Err(ApiError::InvalidRequest(format!(
                "refresh_token is required, in the body or the {REFRESH_COOKIE} cookie"
            )));
        };
        let origin = sent.origin.map(|o| o.to_ascii_lowercase());
        if !origin.is_some_and(|o| self.trusted_origins.contains(&o)) {
            return Err(ApiError::CsrfRejected(
                "the Origin of a cookie-authenticated request must be allowed",
            ));
        }
        if !sent.csrf_header {
            return Err(ApiError::CsrfRejected(
                "a cookie-authenticated request must carry the X-Authd-CSRF header",
            ));
        }
        Ok((cookie, true))
    }

    /// The `HttpOnly; Secure; SameSite=Strict; Path=/v1/auth` cookie holding `value`, which page scripts never see.
    pub fn cookie(&self, value: String, max_age_seconds: i64) -> CookieSpec {
        self.build(REFRESH_COOKIE, COOKIE_PATH, value, max_age_seconds)
    }

    /// The device-token cookie, with the same flags, sent only to `/v1/auth/login`. It needs no CSRF check:
    /// it only spares its client the account-wide failure ceiling, and the login still needs the password.
    pub fn device_cookie(&self, value: String, max_age_seconds: i64) -> CookieSpec {
        self.build(DEVICE_COOKIE, DEVICE_COOKIE_PATH, value, max_age_seconds)
    }

    fn build(
        &self,
        name: &'static str,
        path: &'static str,
        value: String,
        max_age_seconds: i64,
    ) -> CookieSpec {
        CookieSpec {
            name,
            path,
            value,
            max_age_seconds,
            secure: self.secure,
        }
    }
}

/// What a request brought that the cookie rules read, taken from it at the edge.
#[derive(Debug, Default)]
pub struct SentCookie {
    /// The value of the refresh cookie, when sent.
    pub refresh_cookie: Option<String>,
    /// The `Origin` header, when sent and readable as text.
    pub origin: Option<String>,
    /// Whether a non-empty `X-Authd-CSRF` header was sent.
    pub csrf_header: bool,
}

/// A cookie to set: always `HttpOnly` and `SameSite=Strict`; the edge writes it as a `Set-Cookie` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieSpec {
    pub name: &'static str,
    pub path: &'static str,
    pub value: String,
    pub max_age_seconds: i64,
    pub secure: bool,
}

/// `scheme://host[:port]` of a URL, lowercased.
fn origin_of(url: &str) -> String {
    let url = url.to_ascii_lowercase();
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url[after_scheme..]
        .find('/')
        .map_or(url.len(), |i| after_scheme + i);
    url[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_needs_an_allowed_origin_and_the_csrf_header() {
        let policy = CookiePolicy::new(true, &[], "https://auth.example.com/base");
        let sent = |origin: Option<&str>, csrf_header| SentCookie {
            refresh_cookie: Some("t".into()),
            origin: origin.map(str::to_owned),
            csrf_header,
        };
        let ok = policy.refresh_token(None, sent(Some("https://Auth.example.com"), true));
        assert_eq!(ok.unwrap(), ("t".to_owned(), true));
        let from_body = policy.refresh_token(Some("b".into()), SentCookie::default());
        assert_eq!(from_body.unwrap(), ("b".to_owned(), false));
        for (origin, csrf) in [
            (None, true),
            (Some("https://evil.example"), true),
            (Some("https://auth.example.com"), false),
        ] {
            let refused = policy.refresh_token(None, sent(origin, csrf));
            assert!(
                matches!(refused, Err(ApiError::CsrfRejected(_))),
                "{origin:?} {csrf}"
            );
        }
        let none = policy.refresh_token(None, SentCookie::default());
        assert!(matches!(none, Err(ApiError::InvalidRequest(_))));
    }

    #[test]
    fn origin_of_strips_the_path() {
        assert_eq!(
            origin_of("https://Auth.example.com/base/"),
            "https://auth.example.com"
        );
        assert_eq!(origin_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    }
}
