//! GitHub's user API (docs.github.com, "REST API endpoints for users" and "for emails"): the account id is the
//! subject; the email is the primary address, and only a verified one counts.

use serde::Deserialize;

use super::SocialError;
use super::http::get_json;
use super::provider::ProviderUser;

#[derive(Deserialize)]
struct GithubUser {
    id: u64,
}

#[derive(Deserialize)]
struct GithubEmail {
    email: String,
    primary: bool,
    verified: bool,
}

/// The user behind `access_token`.
pub async fn user(
    http: &reqwest::Client,
    api_url: &str,
    access_token: &str,
) -> Result<ProviderUser, SocialError> {
    let user: GithubUser = get_json(http, &format!("{api_url}/user"), Some(access_token)).await?;
    let emails: Vec<GithubEmail> =
        get_json(http, &format!("{api_url}/user/emails"), Some(access_token)).await?;
    let primary = emails.into_iter().find(|e| e.primary && e.verified);
    Ok(ProviderUser {
        issuer: api_url.to_owned(),
        // The numeric id, never the login: a login can be renamed and then taken by someone else.
        subject: user.id.to_string(),
        email_verified: primary.is_some(),
        email: primary.map(|e| e.email),
    })
}
