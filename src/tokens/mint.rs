//! Signing new tokens.

use chrono::{DateTime, Utc};
use jsonwebtoken::{Header, encode};

use super::{AccessClaims, RefreshClaims, TokenKind, Tokens};
use crate::db::models::Session;
use crate::error::ApiError;

/// A signed token and how many seconds it has left.
#[derive(Debug, Clone)]
pub struct MintedToken {
    pub token: String,
    pub expires_in: i64,
}

impl Tokens {
    /// A fresh access token for the session's user, valid for the configured access lifetime.
    pub fn mint_access(
        &self,
        session: &Session,
        now: DateTime<Utc>,
    ) -> Result<MintedToken, ApiError> {
        let ttl = self.access_ttl.as_secs() as i64;
        let claims = AccessClaims {
            iss: self.issuer.clone(),
            sub: session.user_id.clone(),
            aud: self.audience.clone(),
            iat: now.timestamp(),
            exp: now.timestamp() + ttl,
            jti: uuid::Uuid::new_v4().to_string(),
            sid: session.id.clone(),
        };
        Ok(MintedToken {
            token: self.sign(TokenKind::Access, &claims)?,
            expires_in: ttl,
        })
    }

    /// The refresh token of the session's current generation. It is derived from the row alone (Ed25519 and
    /// RustCrypto's RFC 6979 ECDSA are deterministic), so minting it twice with the same key gives the same bytes.
    pub fn mint_refresh(
        &self,
        session: &Session,
        now: DateTime<Utc>,
    ) -> Result<MintedToken, ApiError> {
        let issued = session.last_used_at.and_utc().timestamp();
        let exp = (issued + self.refresh_ttl.as_secs() as i64)
            .min(session.expires_at.and_utc().timestamp());
        let claims = RefreshClaims {
            iss: self.issuer.clone(),
            sub: session.user_id.clone(),
            aud: self.audience.clone(),
            iat: issued,
            exp,
            jti: format!("{}.{}", session.id, session.generation),
            sid: session.id.clone(),
            generation: session.generation,
        };
        Ok(MintedToken {
            token: self.sign(TokenKind::Refresh, &claims)?,
            expires_in: (exp - now.timestamp()).max(0),
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
