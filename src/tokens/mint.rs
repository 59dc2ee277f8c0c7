//! Signing new tokens. Both tokens of a session generation derive from the session row alone (Ed25519
//! signatures are deterministic), so minting them again gives the same bytes: that is how a replay inside the
//! reuse interval gets the very pair the first use got, and never a second live pair.

use jsonwebtoken::{Header, encode};
use uuid::Uuid;

use super::{AccessClaims, RefreshClaims, TokenKind, Tokens};
use crate::db::models::Session;
use crate::error::ApiError;

/// A signed token and its lifetime in seconds from issue.
#[derive(Debug, Clone)]
pub struct MintedToken {
    pub token: String,
    pub expires_in: i64,
}

impl Tokens {
    /// The access token of the session's current generation.
    pub fn mint_access(&self, session: &Session) -> Result<MintedToken, ApiError> {
        let issued = session.last_used_at.and_utc().timestamp();
        let ttl = seconds(self.access_ttl);
        let claims = AccessClaims {
            iss: self.issuer.clone(),
            sub: session.user_id.clone(),
            aud: self.audience.clone(),
            iat: issued,
            exp: issued.saturating_add(ttl),
            jti: token_id(session, TokenKind::Access),
            sid: session.id.clone(),
        };
        Ok(MintedToken {
            token: self.sign(TokenKind::Access, &claims)?,
            expires_in: ttl,
        })
    }

    /// The refresh token of the session's current generation. It expires at the earliest of its own lifetime,
    /// the idle timeout and the session's absolute end.
    pub fn mint_refresh(&self, session: &Session) -> Result<MintedToken, ApiError> {
        let issued = session.last_used_at.and_utc().timestamp();
        let lifetime = seconds(self.refresh_ttl.min(self.idle_timeout));
        let exp = issued
            .saturating_add(lifetime)
            .min(session.expires_at.and_utc().timestamp());
        let claims = RefreshClaims {
            iss: self.issuer.clone(),
            sub: session.user_id.clone(),
            aud: self.audience.clone(),
            iat: issued,
            exp,
            jti: token_id(session, TokenKind::Refresh),
            sid: session.id.clone(),
            generation: session.generation,
        };
        Ok(MintedToken {
            token: self.sign(TokenKind::Refresh, &claims)?,
            expires_in: exp.saturating_sub(issued).max(0),
        })
    }

    fn sign(&self, kind: TokenKind, claims: &impl serde::Serialize) -> Result<String, ApiError> {
        let keys = self.keys();
        let key = keys.signing(kind);
        let mut header = Header::new(key.alg);
        header.typ = Some(kind.typ().to_owned());
        header.kid = Some(key.kid.clone());
        encode(&header, claims, &key.encoding)
            .map_err(|e| ApiError::internal(format_args!("signing: {e}")))
    }
}

/// A `jti` unique to (session, generation, kind) and stable across re-mints.
fn token_id(session: &Session, kind: TokenKind) -> String {
    let name = format!("authd:{}:{}:{}", session.id, session.generation, kind.typ());
    Uuid::new_v5(&Uuid::NAMESPACE_OID, name.as_bytes()).to_string()
}

/// Whole seconds as `i64`, saturating: settings bound every lifetime to 400 days, but a cast must not wrap
/// even if that bound is ever lifted.
fn seconds(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)
}
