//! Verifying tokens: the key comes from our own ring by `kid` and only that key's algorithm is accepted, never
//! the header's.

use std::sync::Arc;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Validation, decode, decode_header};
use serde::de::DeserializeOwned;

use super::TokenRejection;
use super::verified::VerifiedTokens;
use super::{AccessClaims, RefreshClaims, TokenKind, Tokens};

/// Longer inputs are refused before any parsing; our tokens are a few hundred bytes.
const MAX_TOKEN_BYTES: usize = 4096;

impl Tokens {
    /// Verifies a bearer access token. A token that passed before, against the same key set, is taken from the
    /// cache of verified tokens; its expiry is still checked, here, on every call (revocation is the caller's).
    pub fn verify_access(&self, token: &str) -> Result<Arc<AccessClaims>, TokenRejection> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TokenRejection::Malformed);
        }
        let keys = self.keys();
        let digest = VerifiedTokens::digest(token);
        let claims = match self.verified.get(&digest, &keys) {
            Some(claims) => claims,
            None => {
                let claims = Arc::new(self.verify::<AccessClaims>(token, TokenKind::Access)?);
                self.verified.insert(digest, Arc::clone(&claims), keys);
                claims
            }
        };
        // The same rule as the library's: expired once `exp` is more than the leeway in the past.
        let leeway = i64::try_from(self.leeway.as_secs()).unwrap_or(i64::MAX);
        if claims.exp < chrono::Utc::now().timestamp().saturating_sub(leeway) {
            return Err(TokenRejection::Expired);
        }
        Ok(claims)
    }

    /// Verifies a refresh token (signature and claims only; the session row decides the rest).
    pub fn verify_refresh(&self, token: &str) -> Result<RefreshClaims, TokenRejection> {
        self.verify_with(token, TokenKind::Refresh, true)
    }

    /// Verifies a refresh token that may have expired: logging out with one is allowed, but it must be ours.
    pub fn verify_refresh_for_logout(&self, token: &str) -> Result<RefreshClaims, TokenRejection> {
        self.verify_with(token, TokenKind::Refresh, false)
    }

    fn verify<C: DeserializeOwned>(
        &self,
        token: &str,
        kind: TokenKind,
    ) -> Result<C, TokenRejection> {
        self.verify_with(token, kind, true)
    }

    fn verify_with<C: DeserializeOwned>(
        &self,
        token: &str,
        kind: TokenKind,
        check_exp: bool,
    ) -> Result<C, TokenRejection> {
        self.verify_typed(token, kind, kind.typ(), check_exp)
    }

    /// Verifies a token signed by a key of `kind` under the `typ` header `typ`.
    pub(super) fn verify_typed<C: DeserializeOwned>(
        &self,
        token: &str,
        kind: TokenKind,
        typ: &str,
        check_exp: bool,
    ) -> Result<C, TokenRejection> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TokenRejection::Malformed);
        }
        // Unverified: used only to pick the key; the signature covers the header checked below.
        let header = decode_header(token).map_err(|_| TokenRejection::Malformed)?;
        let kid = header.kid.as_deref().ok_or(TokenRejection::UnknownKid)?;
        let keys = self.keys();
        let key = keys.by_kid(kid).ok_or(TokenRejection::UnknownKid)?;
        if key.kind != kind {
            return Err(TokenRejection::WrongType);
        }
        // The library does not check `typ`; RFC 8725 §3.11 explicit typing keeps the kinds apart. Checked before
        // the claims are read, so a token of another kind is `wrong_type`, not a claims mismatch; the signature
        // below covers the header all the same.
        if !typ_matches(header.typ.as_deref(), typ) {
            return Err(TokenRejection::WrongType);
        }
        let mut validation = self.validation(key.alg);
        validation.validate_exp = check_exp;
        let data = decode::<C>(token, &key.decoding, &validation).map_err(rejection)?;
        // We define no header extensions, so any `crit` is one we cannot honour (RFC 7515 §4.1.11).
        if data.header.crit.is_some() {
            return Err(TokenRejection::Malformed);
        }
        Ok(data.claims)
    }

    fn validation(&self, alg: jsonwebtoken::Algorithm) -> Validation {
        let mut validation = Validation::new(alg);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = self.leeway.as_secs();
        validation
    }
}

/// Whether a `typ` header names the media type `application/<expected>`. Media types compare
/// case-insensitively and `typ` may omit the `application/` prefix (RFC 7515 §4.1.9), so RFC 9068's
/// `application/at+jwt` is `at+jwt` too; anything else (parameters included) is another type.
fn typ_matches(typ: Option<&str>, expected: &str) -> bool {
    let Some(typ) = typ else {
        return false;
    };
    let subtype = match typ.split_once('/') {
        Some((top, subtype)) if top.eq_ignore_ascii_case("application") => subtype,
        Some(_) => return false,
        None => typ,
    };
    subtype.eq_ignore_ascii_case(expected)
}

fn rejection(error: jsonwebtoken::errors::Error) -> TokenRejection {
    match error.kind() {
        ErrorKind::InvalidSignature | ErrorKind::InvalidAlgorithm | ErrorKind::InvalidKeyFormat => {
            TokenRejection::BadSignature
        }
        ErrorKind::ExpiredSignature => TokenRejection::Expired,
        ErrorKind::ImmatureSignature => TokenRejection::NotYetValid,
        ErrorKind::InvalidIssuer => TokenRejection::WrongIssuer,
        ErrorKind::InvalidAudience => TokenRejection::WrongAudience,
        _ => TokenRejection::Malformed,
    }
}

#[cfg(test)]
mod tests {
    use super::typ_matches;

    #[test]
    fn typ_is_a_media_type() {
        for typ in [
            "at+jwt",
            "AT+JWT",
            "application/at+jwt",
            "APPLICATION/At+Jwt",
        ] {
            assert!(typ_matches(Some(typ), "at+jwt"), "{typ}");
        }
        for typ in [
            "",
            "jwt",
            "refresh+jwt",
            "application/refresh+jwt",
            "text/at+jwt",
            "/at+jwt",
            "application/",
            "application/application/at+jwt",
            "application/at+jwt; x=y",
            " at+jwt",
        ] {
            assert!(!typ_matches(Some(typ), "at+jwt"), "{typ}");
        }
        assert!(!typ_matches(None, "at+jwt"));
    }
}
