//! One configured provider: the authorization URL it sends browsers to, and turning the code it sends back into
//! a verified user (OpenID Connect: an ID token; GitHub: its user API).

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};

use super::discovery::Discovery;
use super::http::send;
use super::id_token::{self, Expected};
use super::{SocialError, github};
use crate::config::{ProviderKind, ProviderSettings};

/// The token response's `id_token` (absent from GitHub's).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdTokenField {
    id_token: Option<String>,
}
impl ExtraTokenFields for IdTokenField {}

type Tokens = StandardTokenResponse<IdTokenField, BasicTokenType>;
type BaseClient = oauth2::Client<
    BasicErrorResponse,
    Tokens,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
>;
type OauthClient = oauth2::Client<
    BasicErrorResponse,
    Tokens,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Who the provider says signed in.
#[derive(Debug, Clone)]
pub struct ProviderUser {
    /// The ID token's `iss`; for GitHub, its API URL.
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
}

/// The values of one flow that the provider sees or must echo.
pub struct FlowSecrets<'a> {
    pub state: &'a str,
    pub nonce: &'a str,
    /// authd's PKCE verifier towards the provider.
    pub pkce_verifier: &'a str,
}

/// A provider and, for OpenID Connect, its cached metadata.
pub struct Provider {
    pub settings: ProviderSettings,
    discovery: Option<Discovery>,
}

impl Provider {
    pub fn new(settings: ProviderSettings) -> Self {
        let discovery = match &settings.kind {
            ProviderKind::Oidc { issuer } => Some(Discovery::new(issuer)),
            ProviderKind::Github { .. } => None,
        };
        Self {
            settings,
            discovery,
        }
    }

    /// Where to send the browser.
    pub async fn authorization_url(
        &self,
        http: &reqwest::Client,
        callback: &str,
        flow: &FlowSecrets<'_>,
    ) -> Result<String, SocialError> {
        let client = self.client(http, callback).await?;
        let verifier = PkceCodeVerifier::new(flow.pkce_verifier.to_owned());
        let state = flow.state.to_owned();
        let mut request = client
            .authorize_url(move || CsrfToken::new(state))
            .add_scopes(self.settings.scopes.iter().cloned().map(Scope::new))
            .set_pkce_challenge(PkceCodeChallenge::from_code_verifier_sha256(&verifier));
        if self.discovery.is_some() {
            request = request.add_extra_param("nonce", flow.nonce);
        }
        Ok(request.url().0.to_string())
    }

    /// Trades the provider's code (with authd's PKCE verifier) and checks what comes back.
    pub async fn redeem(
        &self,
        http: &reqwest::Client,
        callback: &str,
        code: &str,
        flow: &FlowSecrets<'_>,
    ) -> Result<ProviderUser, SocialError> {
        let client = self.client(http, callback).await?;
        let call = |request| {
            let http = http.clone();
            async move { send(&http, request).await }
        };
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(flow.pkce_verifier.to_owned()))
            .request_async(&call)
            .await
            .map_err(|e| match e {
                oauth2::RequestTokenError::Request(inner) => inner,
                other => SocialError::Invalid(format!("token endpoint: {other}")),
            })?;
        match (&self.settings.kind, &self.discovery) {
            (ProviderKind::Oidc { issuer }, Some(discovery)) => {
                let token = tokens.extra_fields().id_token.as_deref().ok_or_else(|| {
                    SocialError::Invalid("no id_token in the token response".into())
                })?;
                let key = discovery
                    .key(http, id_token::kid(token)?.as_deref())
                    .await?;
                let expected = Expected {
                    issuer,
                    client_id: &self.settings.client_id,
                    nonce: flow.nonce,
                };
                let claims = id_token::verify(token, &key, &expected)?;
                Ok(ProviderUser {
                    issuer: claims.iss,
                    subject: claims.sub,
                    email: claims.email,
                    email_verified: claims.email_verified,
                })
            }
            (ProviderKind::Github { api_url, .. }, _) => {
                github::user(http, api_url, tokens.access_token().secret()).await
            }
            _ => Err(SocialError::Invalid("provider without metadata".into())),
        }
    }

    async fn client(
        &self,
        http: &reqwest::Client,
        callback: &str,
    ) -> Result<OauthClient, SocialError> {
        let (auth, token) = match (&self.settings.kind, &self.discovery) {
            (ProviderKind::Github { auth_url, .. }, _) => (
                format!("{auth_url}/login/oauth/authorize"),
                format!("{auth_url}/login/oauth/access_token"),
            ),
            (_, Some(discovery)) => {
                let metadata = discovery.metadata(http).await?;
                (metadata.authorization_endpoint, metadata.token_endpoint)
            }
            _ => return Err(SocialError::Invalid("provider without metadata".into())),
        };
        let bad_url = |e: url::ParseError| SocialError::Invalid(format!("endpoint URL: {e}"));
        let mut client = BaseClient::new(ClientId::new(self.settings.client_id.clone()))
            .set_auth_uri(AuthUrl::new(auth).map_err(bad_url)?)
            .set_token_uri(TokenUrl::new(token).map_err(bad_url)?)
            .set_redirect_uri(RedirectUrl::new(callback.to_owned()).map_err(bad_url)?);
        if let Some(secret) = &self.settings.client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.clone()));
        }
        // GitHub documents the client credentials as form fields; OpenID providers all take HTTP Basic.
        if self.discovery.is_none() {
            client = client.set_auth_type(AuthType::RequestBody);
        }
        Ok(client)
    }
}
