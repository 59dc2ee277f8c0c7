//! What the four kinds of token say: access and refresh tokens (here), device tokens (`device.rs`) and
//! mfa_tokens (`mfa.rs`). Each kind has the same six registered claims (RFC 7519 §4.1) and its own.

use serde::{Deserialize, Serialize};

/// Defines a claims struct: the six registered claims every token carries, then the kind's own fields. A macro,
/// not `#[serde(flatten)]`: flatten buffers every field before it deserializes one, on the path that verifies
/// each access token; this keeps the plain derive, the field names and order on the wire, and `claims.sub`.
///
/// `iss` and `aud` are the service's issuer and audience; `sub` is the account; `jti` the token's own id (the
/// challenge's for an mfa_token, the device's for a device token); `iat` and `exp` Unix seconds.
macro_rules! token_claims {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $($(#[$field_meta:meta])* pub $field:ident: $ty:ty,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Serialize, Deserialize)]
        pub struct $name {
            pub iss: String,
            pub sub: String,
            pub aud: String,
            pub exp: i64,
            pub iat: i64,
            pub jti: String,
            $($(#[$field_meta])* pub $field: $ty,)*
        }
    };
}
pub(super) use token_claims;

token_claims! {
    /// Claims of an access token (RFC 9068 names); `sub` is the user id.
    pub struct AccessClaims {
        /// The session id, so a revoked session's access tokens can be refused.
        pub sid: String,
        /// The user's roles when the token was minted (RFC 9068 §2.2.3.1 style); absent when there are none.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub roles: Vec<String>,
        /// How the session was authenticated (RFC 8176: `pwd`, `otp`, and `rcv` for a recovery code).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub amr: Vec<String>,
        /// The assurance level those methods reach: `aal1`, or `aal2` with a second factor.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub acr: Option<String>,
        /// Whether the account's address was verified when the token was minted (login or refresh reads the
        /// account row, so it is at most one access-token lifetime stale). Absent in tokens minted before it
        /// existed: false.
        #[serde(default)]
        pub email_verified: bool,
        /// When the user signed in to this session (OpenID Connect's `auth_time`, Unix seconds): the session's
        /// start, kept across refreshes. Adding a way in to a password-less account needs a recent one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub auth_time: Option<i64>,
    }
}

token_claims! {
    /// Claims of a refresh token. Everything in it derives from the session row, so the same generation always
    /// yields the same token.
    pub struct RefreshClaims {
        pub sid: String,
        /// The session's rotation generation this token was issued for.
        pub generation: i64,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{DeviceClaims, MfaClaims};
    use super::*;

    const HEAD: &str = r#""iss":"i","sub":"s","aud":"a","exp":2,"iat":1,"jti":"j""#;

    macro_rules! registered {
        ($name:ident { $($rest:tt)* }) => {
            $name {
                iss: "i".into(),
                sub: "s".into(),
                aud: "a".into(),
                exp: 2,
                iat: 1,
                jti: "j".into(),
                $($rest)*
            }
        };
    }

    fn json(claims: &impl Serialize) -> String {
        serde_json::to_string(claims).unwrap()
    }

    /// The wire format: the names, in the order each struct declared them before the registered claims were
    /// shared, and the optional ones still left out when empty.
    #[test]
    fn claims_serialize_as_before() {
        let access = registered!(AccessClaims {
            sid: "d".into(),
            roles: vec!["r".into()],
            amr: vec!["pwd".into()],
            acr: Some("aal1".into()),
            email_verified: true,
            auth_time: Some(0),
        });
        let own = r#""sid":"d","roles":["r"],"amr":["pwd"],"acr":"aal1","email_verified":true,"auth_time":0"#;
        assert_eq!(json(&access), format!("{{{HEAD},{own}}}"));
        let bare = AccessClaims {
            roles: vec![],
            amr: vec![],
            acr: None,
            auth_time: None,
            ..access
        };
        let own = r#""sid":"d","email_verified":true"#;
        assert_eq!(json(&bare), format!("{{{HEAD},{own}}}"));
        let refresh = registered!(RefreshClaims {
            sid: "d".into(),
            generation: 3,
        });
        assert_eq!(
            json(&refresh),
            format!(r#"{{{HEAD},"sid":"d","generation":3}}"#)
        );
        let device = registered!(DeviceClaims { epoch: 4 });
        assert_eq!(json(&device), format!(r#"{{{HEAD},"epoch":4}}"#));
        let mfa = registered!(MfaClaims {
            first: Some("pwd".into()),
        });
        assert_eq!(json(&mfa), format!(r#"{{{HEAD},"first":"pwd"}}"#));
    }

    /// Tokens minted before (and the other kinds' claims) still read: unknown and defaulted fields as before.
    #[test]
    fn claims_deserialize_as_before() {
        let old = format!(r#"{{{HEAD},"sid":"d"}}"#);
        let access: AccessClaims = serde_json::from_str(&old).unwrap();
        assert!(!access.email_verified && access.roles.is_empty() && access.auth_time.is_none());
        assert_eq!((access.sub.as_str(), access.exp, access.iat), ("s", 2, 1));
        let mfa: MfaClaims = serde_json::from_str(&format!("{{{HEAD}}}")).unwrap();
        assert_eq!((mfa.jti.as_str(), mfa.first), ("j", None));
    }
}
