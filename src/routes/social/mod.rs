//! Social login (`/v1/auth/oauth/...`, `/v1/auth/providers`) and the signed-in user's linked providers
//! (`/v1/me/identities...`). The browser goes app → `start` → provider → `callback` → app, carrying only a
//! one-time login code; the app trades that code with its PKCE verifier at `exchange`. Tokens never ride in a URL.

mod account;
pub mod callback;
pub mod confirm;
pub mod exchange;
mod flow;
pub mod identities;
pub mod link;
pub mod providers;
pub mod start;

use actix_web::HttpResponse;
use actix_web::http::header;
use url::Url;

/// A `302 Found` to `location`, not cached.
fn redirect(location: &str) -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// `302` to the app's (already vetted) redirect URI with `params` added to its query.
fn to_app(redirect_uri: &str, params: &[(&str, &str)]) -> HttpResponse {
    let Ok(mut url) = Url::parse(redirect_uri) else {
        // Vetted at start-up; a URI that stopped parsing is still not worth a 500 page the user cannot leave.
        return redirect(redirect_uri);
    };
    url.query_pairs_mut().extend_pairs(params);
    redirect(url.as_str())
}

/// The app's redirect with an RFC 6749 §4.1.2.1 error.
fn app_error(redirect_uri: &str, error: &str, description: &str) -> HttpResponse {
    to_app(
        redirect_uri,
        &[("error", error), ("error_description", description)],
    )
}
