//! Fresh secrets and recovery codes, and the forms people type them in.

use data_encoding::BASE32_NOPAD;

use super::totp::SECRET_BYTES;

/// Recovery codes per set.
pub const RECOVERY_CODES: usize = 10;
/// Characters of a recovery code without its dashes: 12 base32 characters, 60 bits.
const RECOVERY_CHARS: usize = 12;
const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// A new random TOTP secret.
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; SECRET_BYTES];
    rand::fill(&mut secret[..]);
    secret
}

/// The secret as authenticator apps take it: base32 (RFC 4648) without padding.
pub fn base32(secret: &[u8]) -> String {
    BASE32_NOPAD.encode(secret)
}

/// A set of new recovery codes, `xxxx-xxxx-xxxx` in lowercase base32.
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect()
}

fn new_recovery_code() -> String {
    let mut bytes = [0u8; RECOVERY_CHARS];
    rand::fill(&mut bytes);
    // 256 is a multiple of 32: masking keeps every character equally likely.
    let chars: Vec<u8> = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(b & 31)])
        .collect();
    let groups: Vec<&str> = chars
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    groups.join("-")
}

/// The canonical form of a typed recovery code (no dashes or spaces, lowercase), or `None` when it cannot be one.
pub fn normalize_recovery_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| *c != '-' && *c != ' ')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let valid = code.len() == RECOVERY_CHARS && code.bytes().all(|b| ALPHABET.contains(&b));
    valid.then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_distinct_readable_and_normalise() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 10);
        for code in &codes {
            assert_eq!(code.len(), 14);
            let canonical = normalize_recovery_code(code).unwrap();
            assert_eq!(
                normalize_recovery_code(&code.to_uppercase()),
                Some(canonical.clone())
            );
            assert_eq!(canonical.len(), 12);
        }
        assert_eq!(normalize_recovery_code("abcd-efgh-ijk"), None);
        assert_eq!(normalize_recovery_code("abcd-efgh-ijk1"), None);
        assert_eq!(
            base32(b"12345678901234567890"),
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        );
    }
}
