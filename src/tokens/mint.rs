//! Signing new tokens. Both tokens of a session generation derive from that generation's plain values alone
//! (Ed25519 signatures are deterministic), so minting them again gives the same bytes: that is how a replay
//! inside the reuse interval gets the very pair the first use got, and never a second live pair.

use jsonwebtoken::{Header, encode};
use uuid::Uuid;

use super::amr::{acr, methods};
use super::{AccessClaims, RefreshClaims, TokenKind, Tokens};

/// A signed token and its lifetime in seconds from issue.
#[derive(Debug, Clone)]
pub struct MintedToken {
    /// The compact JWT.
    pub token: String,
    /// Seconds from issue to `exp`.
    pub expires_in: i64,
}

/// One generation of a session, as plain values: everything its token pair is made from.
#[derive(Debug, Clone, Copy)]
pub struct SessionGeneration<'a> {
    /// The session id, the tokens' `sid`.
    pub session_id: &'a str,
    /// The user id, the tokens' `sub`.
    pub subject: &'a str,
    /// The rotation generation, carried by the refresh token.
    pub generation: i64,
    /// When this generation began, in Unix seconds: the tokens' `iat`.
    pub issued_at: i64,
    /// The session's absolute end, in Unix seconds; no refresh token outlives it.
    pub session_ends_at: i64,
    /// The user's roles, carried by the access token.
    pub roles: &'a [String],
    /// The session's stored `amr` (space-separated; `None`: password only), carried by the access token.
    pub amr: Option<&'a str>,
    /// The account's address is verified: the access token's `email_verified`.
    pub email_verified: bool,
    /// When the session began (its login), in Unix seconds: the access token's `auth_time`.
    pub authenticated_at: i64,
}

/// A token could not be signed (a key unusable for its algorithm); the caller answers 500.
#[derive(Debug, thiserror::Error)]
#[error("signing: {0}")]
pub struct MintError(#[from] jsonwebtoken::errors::Error);

impl Tokens {
    /// The access token of the session's current generation.
    pub fn mint_access(&self, session: &SessionGeneration<'_>) -> Result<MintedToken, MintError> {
        let issued = session.issued_at;
        let ttl = seconds(self.access_ttl);
        let amr = methods(session.amr);
        let claims = AccessClaims {
            iss: self.issuer.clone(),
            sub: session.subject.to_owned(),
            aud: self.audience.clone(),
            iat: issued,
            exp: issued.saturating_add(ttl),
            jti: token_id(session, TokenKind::Access),
            sid: session.session_id.to_owned(),
            roles: session.roles.to_vec(),
            acr: Some(acr(&amr).to_owned()),
            amr,
            email_verified: session.email_verified,
            auth_time: Some(session.authenticated_at),
        };
        Ok(MintedToken {
            token: self.sign(TokenKind::Access, &claims)?,
            expires_in: ttl,
        })
    }

    /// The refresh token of the session's current generation. It expires at the earliest of its own lifetime,
    /// the idle timeout and the session's absolute end.
    pub fn mint_refresh(&self, session: &SessionGeneration<'_>) -> Result<MintedToken, MintError> {
        let issued = session.issued_at;
        let lifetime = seconds(self.refresh_ttl.min(self.idle_timeout));
        let exp = issued.saturating_add(lifetime).min(session.session_ends_at);
        let claims = RefreshClaims {
            iss: self.issuer.clone(),
            sub: session.subject.to_owned(),
            aud: self.audience.clone(),
            iat: issued,
            exp,
            jti: token_id(session, TokenKind::Refresh),
            sid: session.session_id.to_owned(),
            generation: session.generation,
        };
        Ok(MintedToken {
            token: self.sign(TokenKind::Refresh, &claims)?,
            expires_in: exp.saturating_sub(issued).max(0),
        })
    }

    fn sign(&self, kind: TokenKind, claims: &impl serde::Serialize) -> Result<String, MintError> {
        self.sign_typed(kind, kind.typ(), claims)
    }

    /// Signs with the active key of `kind`, under the `typ` header `typ`.
    pub(super) fn sign_typed(
        &self,
        kind: TokenKind,
        typ: &str,
        claims: &impl serde::Serialize,
    ) -> Result<String, MintError> {
        let keys = self.keys();
        let key = keys.signing(kind);
        let mut header = Header::new(key.alg);
        header.typ = Some(typ.to_owned());
        header.kid = Some(key.kid.clone());
        Ok(encode(&header, claims, &key.encoding)?)
    }
}

/// A `jti` unique to (session, generation, kind) and stable across re-mints.
fn token_id(session: &SessionGeneration<'_>, kind: TokenKind) -> String {
    let name = format!(
        "authd:{}:{}:{}",
        session.session_id,
        session.generation,
        kind.typ()
    );
    Uuid::new_v5(&Uuid::NAMESPACE_OID, name.as_bytes()).to_string()
}

/// Whole seconds as `i64`, saturating: settings bound every lifetime to 400 days, but a cast must not wrap
/// even if that bound is ever lifted.
pub(super) fn seconds(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)
}
