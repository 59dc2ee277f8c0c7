//! A scripted browser through the redirect flow: app → authd `start` → provider → authd `callback` → app. It
//! follows `Location` headers by hand (redirects off) with a cookie jar, as a browser would.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::Url;
use sha2::{Digest, Sha256};

use super::APP_REDIRECT;
use super::node::CALLBACK_BASE;
use crate::helpers::TestApp;

/// The app's PKCE pair.
pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

impl Pkce {
    pub fn new() -> Self {
        let verifier = URL_SAFE_NO_PAD
            .encode(uuid::Uuid::new_v4().as_bytes())
            .repeat(2);
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        Self {
            verifier,
            challenge,
        }
    }
}

/// A browser with its own cookies.
pub struct Browser {
    client: reqwest::Client,
}

impl Browser {
    pub fn new() -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .unwrap();
        Self { client }
    }

    /// GETs `url`, answering with the status and the absolute `Location`.
    pub async fn get(&self, url: &str) -> (u16, Option<String>) {
        let response = self.client.get(url).send().await.unwrap();
        let location = response.headers().get("location").map(|l| {
            Url::parse(url)
                .unwrap()
                .join(l.to_str().unwrap())
                .unwrap()
                .to_string()
        });
        (response.status().as_u16(), location)
    }

    /// From authd's `start` to the provider's redirect back to authd: the callback URL (on the test server),
    /// with the provider's `code`, `state` and `iss`. `interaction` is added to the provider's interaction URL.
    pub async fn to_callback(&self, app: &TestApp, pkce: &Pkce, interaction: &str) -> String {
        let start = app.url(&format!(
            "/v1/auth/oauth/idp/start?redirect_uri={}&code_challenge={}",
            urlencode(APP_REDIRECT),
            pkce.challenge
        ));
        self.follow(app, &start, "idp", interaction).await
    }

    /// Follows redirects from `url` until the provider sends the browser to authd's callback for `provider`;
    /// that callback URL, on the test server.
    pub async fn follow(
        &self,
        app: &TestApp,
        url: &str,
        provider: &str,
        interaction: &str,
    ) -> String {
        let callback = format!("{CALLBACK_BASE}/v1/auth/oauth/{provider}/callback");
        let mut url = url.to_owned();
        for _ in 0..10 {
            let (status, location) = self.get(&url).await;
            let location = location.unwrap_or_else(|| panic!("{status} without Location at {url}"));
            if let Some(rest) = location.strip_prefix(&callback) {
                return app.url(&format!("/v1/auth/oauth/{provider}/callback{rest}"));
            }
            url = if location.contains("/interaction/") {
                format!("{location}?{interaction}")
            } else {
                location
            };
        }
        panic!("the flow did not reach the callback");
    }

    /// The whole flow, ending at the app's redirect URI: that URL's query pairs.
    pub async fn sign_in(
        &self,
        app: &TestApp,
        pkce: &Pkce,
        interaction: &str,
    ) -> Vec<(String, String)> {
        let callback = self.to_callback(app, pkce, interaction).await;
        let (status, location) = self.get(&callback).await;
        assert_eq!(status, 302, "callback answers with a redirect");
        app_query(&location.unwrap())
    }
}

/// The query of a redirect to the app; panics on a redirect anywhere else.
pub fn app_query(location: &str) -> Vec<(String, String)> {
    assert!(
        location.starts_with(APP_REDIRECT),
        "redirected to {location}"
    );
    let url = Url::parse(location).unwrap();
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The value of `name` in `pairs`.
pub fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

pub fn urlencode(raw: &str) -> String {
    url::form_urlencoded::byte_serialize(raw.as_bytes()).collect()
}
