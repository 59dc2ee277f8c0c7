//! Social login as an OAuth 2.0 / OpenID Connect client: the configured providers, the HTTP client that talks
//! to them, and what a flow needs (secrets, ID token checks). The routes are in `routes::social`.

mod discovery;
mod error;
mod github;
mod http;
mod id_token;
mod provider;
pub mod secrets;

pub use error::SocialError;
pub use provider::{FlowSecrets, Provider, ProviderUser};

use crate::config::SocialSettings;

/// The providers and the app redirect URIs; one instance in `AppState`.
pub struct SocialLogin {
    providers: Vec<Provider>,
    redirect_uris: Vec<String>,
    public_url: String,
    /// `None` only when the TLS backend failed to start; every provider call then fails, logged.
    http: Option<reqwest::Client>,
}

impl SocialLogin {
    pub fn new(settings: &SocialSettings) -> Self {
        let http = match http::client() {
            Ok(client) => Some(client),
            Err(error) => {
                tracing::error!(%error, "no HTTP client for social login");
                None
            }
        };
        Self {
            providers: settings
                .providers
                .iter()
                .cloned()
                .map(Provider::new)
                .collect(),
            redirect_uris: settings.redirect_uris.clone(),
            public_url: settings.public_url.clone(),
            http,
        }
    }

    /// Every provider, in configuration order.
    pub fn providers(&self) -> &[Provider] {
        &self.providers
    }

    pub fn provider(&self, name: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.settings.name == name)
    }

    /// Whether authd may send a browser to `uri`: only an exact match of a configured URI (no open redirect).
    pub fn allows_redirect(&self, uri: &str) -> bool {
        self.redirect_uris.iter().any(|allowed| allowed == uri)
    }

    /// The URL the provider sends the browser back to; the one an operator registers with the provider.
    pub fn callback_url(&self, provider: &str) -> String {
        format!("{}/v1/auth/oauth/{provider}/callback", self.public_url)
    }

    pub fn http(&self) -> Result<&reqwest::Client, SocialError> {
        self.http
            .as_ref()
            .ok_or_else(|| SocialError::Unreachable("no HTTP client".into()))
    }
}
