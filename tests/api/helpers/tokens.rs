//! Reading and forging tokens.

use jsonwebtoken::EncodingKey;

/// The `kid` of a token's header.
pub fn kid_of(token: &str) -> String {
    jsonwebtoken::decode_header(token).unwrap().kid.unwrap()
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
