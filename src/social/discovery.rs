//! An OpenID provider's metadata and signing keys, fetched on first use and cached, so a provider that is down
//! when authd starts does not stop authd; the keys are fetched again when a token names an unknown `kid`, at
//! most once a minute (a stream of made-up kids must not turn authd into a request amplifier).

use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{Jwk, JwkSet};
use serde::Deserialize;
use tokio::sync::Mutex;

use super::SocialError;
use super::http::get_json;

/// How soon the keys may be fetched again for an unknown `kid`.
const REFETCH_AFTER: Duration = Duration::from_secs(60);

/// The fields of the discovery document authd uses (OpenID Connect Discovery 1.0 §3).
#[derive(Debug, Clone, Deserialize)]
pub struct Metadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
}

#[derive(Default)]
struct Cache {
    metadata: Option<Metadata>,
    keys: Option<(JwkSet, Instant)>,
}

/// One issuer's cached metadata and keys.
pub struct Discovery {
    issuer: String,
    // A tokio mutex, held across the fetch: concurrent first logins wait for one fetch instead of each making one.
    cache: Mutex<Cache>,
}

impl Discovery {
    pub fn new(issuer: &str) -> Self {
        Self {
            issuer: issuer.to_owned(),
            cache: Mutex::new(Cache::default()),
        }
    }

    /// The metadata, fetched once; its `issuer` must be the configured one (Discovery §4.3).
    pub async fn metadata(&self, http: &reqwest::Client) -> Result<Metadata, SocialError> {
        let mut cache = self.cache.lock().await;
        if let Some(metadata) = &cache.metadata {
            return Ok(metadata.clone());
        }
        let url = format!("{}/.well-known/openid-configuration", self.issuer);
        let metadata: Metadata = get_json(http, &url, None).await?;
        if metadata.issuer.trim_end_matches('/') != self.issuer {
            return Err(SocialError::Invalid(format!(
                "discovery names issuer {:?}",
                metadata.issuer
            )));
        }
        cache.metadata = Some(metadata.clone());
        Ok(metadata)
    }

    /// The signing key named `kid` (or the only key, when the token names none).
    pub async fn key(&self, http: &reqwest::Client, kid: Option<&str>) -> Result<Jwk, SocialError> {
        let metadata = self.metadata(http).await?;
        let mut cache = self.cache.lock().await;
        if let Some(key) = cache.keys.as_ref().and_then(|(set, _)| pick(set, kid)) {
            return Ok(key);
        }
        let fresh = cache
            .keys
            .as_ref()
            .is_some_and(|(_, at)| at.elapsed() < REFETCH_AFTER);
        if fresh {
            return Err(SocialError::Invalid("unknown kid".into()));
        }
        let set: JwkSet = get_json(http, &metadata.jwks_uri, None).await?;
        let key = pick(&set, kid);
        cache.keys = Some((set, Instant::now()));
        key.ok_or_else(|| SocialError::Invalid("unknown kid".into()))
    }
}

fn pick(set: &JwkSet, kid: Option<&str>) -> Option<Jwk> {
    match kid {
        Some(kid) => set.find(kid).cloned(),
        None if set.keys.len() == 1 => set.keys.first().cloned(),
        None => None,
    }
}
