//! The HTTP client for talking to providers: no redirects followed (a provider URL must not lead authd to an
//! internal address, SSRF), short timeouts, and bodies read only up to a bound.

use std::time::Duration;

use reqwest::redirect::Policy;
use serde::de::DeserializeOwned;

use super::SocialError;

/// The most authd reads of any provider answer (discovery, JWKS, token, user API).
const MAX_BODY: usize = 256 * 1024;

/// The shared client.
pub fn client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10))
        .user_agent(concat!("authd/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// oauth2's request, sent with our client.
pub async fn send(
    client: &reqwest::Client,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, SocialError> {
    let (parts, body) = request.into_parts();
    let response = client
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await
        .map_err(SocialError::unreachable)?;
    let mut builder = oauth2::http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        builder = builder.header(name, value);
    }
    let body = read_bounded(response).await?;
    builder
        .body(body)
        .map_err(|e| SocialError::Invalid(format!("response: {e}")))
}

/// GETs JSON, with a bearer token when given; a non-2xx answer is an error.
pub async fn get_json<T: DeserializeOwned>(
    client: &reqwest::Client,
    url: &str,
    bearer: Option<&str>,
) -> Result<T, SocialError> {
    let mut request = client.get(url).header("Accept", "application/json");
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.map_err(SocialError::unreachable)?;
    if !response.status().is_success() {
        return Err(SocialError::Invalid(format!(
            "{url} answered {}",
            response.status()
        )));
    }
    let body = read_bounded(response).await?;
    serde_json::from_slice(&body).map_err(|e| SocialError::Invalid(format!("{url}: {e}")))
}

async fn read_bounded(mut response: reqwest::Response) -> Result<Vec<u8>, SocialError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(SocialError::unreachable)? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(SocialError::Invalid("answer too large".into()));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
