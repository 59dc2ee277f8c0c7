//! Reading and forging tokens.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use super::app::{AUDIENCE, ISSUER, TestApp};

/// The `kid` of a token's header.
pub fn kid_of(token: &str) -> String {
    jsonwebtoken::decode_header(token).unwrap().kid.unwrap()
}

/// Seconds since the epoch.
pub fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Access-token claims like the server's own (valid for ten minutes) for `user_id` in session `sid`.
pub fn access_claims(user_id: &str, sid: &str) -> Value {
    let now = unix_now();
    json!({"iss": ISSUER, "sub": user_id, "aud": AUDIENCE, "iat": now, "exp": now + 600,
           "jti": uuid::Uuid::new_v4().to_string(), "sid": sid})
}

/// The claims of a token, read without any check.
pub fn payload_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&B64.decode(payload).unwrap()).unwrap()
}

/// An EdDSA header with the given `typ` and `kid`, as a forger would write it.
pub fn eddsa_header(typ: Option<&str>, kid: Option<&str>) -> Header {
    let mut header = Header::new(Algorithm::EdDSA);
    header.typ = typ.map(str::to_owned);
    header.kid = kid.map(str::to_owned);
    header
}

/// Signs with the server's real (EdDSA) key of `kind`, with whatever header and claims the test wants.
pub fn sign_with_server_key(app: &TestApp, kind: &str, header: Header, claims: &Value) -> String {
    let key = EncodingKey::from_ed_pem(&app.private_key_pem(kind)).unwrap();
    encode(&header, claims, &key).unwrap()
}

/// Joins raw JSON parts into a compact JWS with the given signature bytes.
pub fn raw_token(header: &Value, claims: &Value, signature: &[u8]) -> String {
    let part = |v: &Value| B64.encode(serde_json::to_vec(v).unwrap());
    format!(
        "{}.{}.{}",
        part(header),
        part(claims),
        B64.encode(signature)
    )
}

/// An Ed25519 key the server has never seen (RFC 8032 test vector 1's seed), for forgeries.
pub fn foreign_ed25519_key() -> EncodingKey {
    // PKCS#8 v1 wrapping of a 32-byte Ed25519 seed (RFC 8410 §7): the fixed prefix, then the seed.
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(&[0x9d; 32]);
    EncodingKey::from_ed_der(&der)
}
