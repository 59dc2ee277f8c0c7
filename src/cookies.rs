//! The refresh-token cookie and its CSRF rules. Because a browser attaches the cookie by itself, a request that
//! authenticates with it must prove it comes from an allowed page: an allowed `Origin` and the `X-Authd-CSRF`
//! header, which a cross-site form cannot send and a cross-origin script can send only after a CORS preflight we
//! approve.

use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::http::header::ORIGIN;
use actix_web::{HttpRequest, HttpResponse};

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

    /// A 204 that also removes the cookie.
    pub fn cleared(&self) -> HttpResponse {
        let mut response = HttpResponse::NoContent().finish();
        self.remove_from(&mut response);
        response
    }

    /// Adds the header that makes the browser drop the cookie.
    pub fn remove_from(&self, response: &mut HttpResponse) {
        let mut cookie = self.cookie(String::new(), 0);
        cookie.make_removal();
        // Only fails for an invalid header value, which this cookie cannot produce.
        let _ = response.add_cookie(&cookie);
    }

    /// The refresh token of the request: from the body when given there, else from the cookie after the CSRF
    /// checks. Also says whether it came from the cookie.
    pub fn refresh_token(
        &self,
        req: &HttpRequest,
        from_body: Option<String>,
    ) -> Result<(String, bool), ApiError> {
        if let Some(token) = from_body {
            return Ok((token, false));
        }
        let Some(cookie) = req.cookie(REFRESH_COOKIE) else {
            return Err(ApiError::InvalidRequest(format!(
                "refresh_token is required, in the body or the {REFRESH_COOKIE} cookie"
            )));
        };
        let origin = req
            .headers()
            .get(ORIGIN)
            .and_then(|o| o.to_str().ok())
            .map(str::to_ascii_lowercase);
        if !origin.is_some_and(|o| self.trusted_origins.contains(&o)) {
            return Err(ApiError::CsrfRejected(
                "the Origin of a cookie-authenticated request must be allowed",
            ));
        }
        if req.headers().get(CSRF_HEADER).is_none_or(|v| v.is_empty()) {
            return Err(ApiError::CsrfRejected(
                "a cookie-authenticated request must carry the X-Authd-CSRF header",
            ));
        }
        Ok((cookie.value().to_owned(), true))
    }

    /// The `HttpOnly; Secure; SameSite=Strict; Path=/v1/auth` cookie holding `value`, which page scripts never see.
    pub fn cookie(&self, value: String, max_age_seconds: i64) -> Cookie<'static> {
        self.build(REFRESH_COOKIE, COOKIE_PATH, value, max_age_seconds)
    }

    /// The device-token cookie, with the same flags, sent only to `/v1/auth/login`. It needs no CSRF check:
    /// it only spares its client the account-wide failure ceiling, and the login still needs the password.
    pub fn device_cookie(&self, value: String, max_age_seconds: i64) -> Cookie<'static> {
        self.build(DEVICE_COOKIE, DEVICE_COOKIE_PATH, value, max_age_seconds)
    }

    fn build(
        &self,
        name: &'static str,
        path: &'static str,
        value: String,
        max_age_seconds: i64,
    ) -> Cookie<'static> {
        Cookie::build(name, value)
            .http_only(true)
            .secure(self.secure)
            .same_site(SameSite::Strict)
            .path(path)
            .max_age(time::Duration::seconds(max_age_seconds))
            .finish()
    }
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
    use super::origin_of;

    #[test]
    fn origin_of_strips_the_path() {
        assert_eq!(
            origin_of("https://Auth.example.com/base/"),
            "https://auth.example.com"
        );
        assert_eq!(origin_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    }
}
