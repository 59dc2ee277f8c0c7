//! Checking an ID token (OpenID Connect Core §3.1.3.7): signed by the provider's key, for this client, from
//! this issuer, unexpired, and carrying the nonce of this flow.

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use super::SocialError;

/// What a flow expects of its ID token.
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a str,
}

/// The claims authd reads.
#[derive(Debug, Deserialize)]
pub struct IdClaims {
    pub iss: String,
    pub sub: String,
    pub nonce: Option<String>,
    pub azp: Option<String>,
    pub email: Option<String>,
    #[serde(default)]
    pub email_verified: bool,
}

/// The `kid` of the token's header, to pick the key.
pub fn kid(token: &str) -> Result<Option<String>, SocialError> {
    jsonwebtoken::decode_header(token)
        .map(|h| h.kid)
        .map_err(|e| SocialError::Invalid(format!("ID token header: {e}")))
}

/// The token's claims when every check passes.
pub fn verify(token: &str, key: &Jwk, expected: &Expected<'_>) -> Result<IdClaims, SocialError> {
    let refused = |what: String| SocialError::Invalid(format!("ID token: {what}"));
    // The algorithm comes from the key (RS256 when it names none, as most providers sign), never from the
    // token's header: a header cannot talk authd into HMAC or `none`.
    let algorithm = match key.common.key_algorithm.map(|a| a.to_string()).as_deref() {
        None | Some("RS256") => Algorithm::RS256,
        Some("ES256") => Algorithm::ES256,
        Some("PS256") => Algorithm::PS256,
        Some(other) => return Err(refused(format!("unsupported key algorithm {other}"))),
    };
    let decoding = DecodingKey::from_jwk(key).map_err(|e| refused(e.to_string()))?;
    let mut validation = Validation::new(algorithm);
    validation.set_issuer(&[expected.issuer]);
    validation.set_audience(&[expected.client_id]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
    validation.leeway = 60;
    let claims = jsonwebtoken::decode::<IdClaims>(token, &decoding, &validation)
        .map_err(|e| refused(e.to_string()))?
        .claims;
    if claims.nonce.as_deref() != Some(expected.nonce) {
        return Err(refused("nonce mismatch".into()));
    }
    // With several audiences, the token must have been issued to this client (Core §3.1.3.7 items 4–5).
    if claims
        .azp
        .as_deref()
        .is_some_and(|azp| azp != expected.client_id)
    {
        return Err(refused("azp names another client".into()));
    }
    Ok(claims)
}

#[cfg(test)]
#[path = "id_token_tests.rs"]
mod tests;
