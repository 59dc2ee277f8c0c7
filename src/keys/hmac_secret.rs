//! The shared secret of HS256 mode (`AUTHD_HS256_SECRET`), and the start-up check that refuses a guessable one.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

/// Fewer bytes than SHA-256's output would weaken HS256 (RFC 7518 §3.2).
pub const MIN_SECRET_BYTES: usize = 32;

/// A secret that never prints.
#[derive(Clone)]
pub struct HmacSecret(Vec<u8>);

impl std::fmt::Debug for HmacSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HmacSecret([redacted])")
    }
}

impl HmacSecret {
    /// `base64:<standard or URL-safe base64>` is decoded; any other value is used as its raw UTF-8 bytes.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let bytes = match raw.strip_prefix("base64:") {
            Some(encoded) => {
                let encoded = encoded.trim().trim_end_matches('=');
                URL_SAFE_NO_PAD
                    .decode(encoded)
                    .or_else(|_| STANDARD.decode(pad(encoded)))
                    .map_err(|_| "the value after base64: is not valid base64".to_owned())?
            }
            None => raw.as_bytes().to_vec(),
        };
        check_strength(&bytes)?;
        Ok(Self(bytes))
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

fn pad(s: &str) -> String {
    let mut s = s.to_owned();
    while !s.len().is_multiple_of(4) {
        s.push('=');
    }
    s
}

/// Refuses short secrets and the shapes people type by hand: dictionary words, repetitions, runs, too few
/// distinct bytes. A random 32-byte value (raw, hex or base64) passes with overwhelming probability.
pub fn check_strength(secret: &[u8]) -> Result<(), String> {
    let hint = "generate one with `openssl rand -base64 32` and pass it as base64:<value>";
    if secret.len() < MIN_SECRET_BYTES {
        return Err(format!(
            "must be at least {MIN_SECRET_BYTES} bytes, got {}; {hint}",
            secret.len()
        ));
    }
    let lower = String::from_utf8_lossy(secret).to_ascii_lowercase();
    for word in [
        "secret",
        "changeme",
        "change-me",
        "change_me",
        "password",
        "passw0rd",
        "example",
        "default",
        "qwerty",
        "letmein",
        "123456",
    ] {
        if lower.contains(word) {
            return Err(format!("looks hand-made (contains {word:?}); {hint}"));
        }
    }
    let mut seen = [false; 256];
    secret.iter().for_each(|&b| seen[b as usize] = true);
    let distinct = seen.iter().filter(|&&s| s).count();
    if distinct < 12 {
        return Err(format!("has only {distinct} distinct bytes; {hint}"));
    }
    if (1..=secret.len() / 2)
        .any(|period| secret.iter().skip(period).zip(secret).all(|(a, b)| a == b))
    {
        return Err(format!("is a repeated pattern; {hint}"));
    }
    // Runs like `abcdefgh`, `13579bdf` or `aaaaaaaa`: eight bytes in a constant step.
    let steps: Vec<i16> = secret
        .windows(2)
        .map(|w| i16::from(w[1]) - i16::from(w[0]))
        .collect();
    if steps.windows(7).any(|w| w.iter().all(|&s| s == w[0])) {
        return Err(format!(
            "contains a run of evenly spaced characters; {hint}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_secrets_are_refused() {
        for weak in [
            "secret",
            "changeme",
            "short-but-random-Xk9!",
            "changemechangemechangemechangeme",
            "my-super-secret-key-for-signing-jwts",
            "abababababababababababababababababab",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "abcdefghijklmnopqrstuvwxyz0123456789",
            "0101010101010101010110101010101010101010",
            "xyzzy-xyzzy-xyzzy-xyzzy-xyzzy-xyzzy-xyzzy",
            "base64:c2VjcmV0",
        ] {
            assert!(HmacSecret::parse(weak).is_err(), "{weak}");
        }
    }

    #[test]
    fn random_secrets_pass_raw_hex_or_base64() {
        for _ in 0..200 {
            let mut bytes = [0u8; 32];
            rand::fill(&mut bytes);
            let b64 = format!("base64:{}", STANDARD.encode(bytes));
            assert_eq!(HmacSecret::parse(&b64).unwrap().expose(), bytes);
            let url = format!("base64:{}", URL_SAFE_NO_PAD.encode(bytes));
            assert_eq!(HmacSecret::parse(&url).unwrap().expose(), bytes);
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(HmacSecret::parse(&hex).unwrap().expose(), hex.as_bytes());
        }
    }

    #[test]
    fn the_secret_never_prints() {
        let value = "Zx8#qL2@vN5$wR7^tY1&uI4*oP6(aS9)";
        let strong = HmacSecret::parse(value).unwrap();
        assert!(!format!("{strong:?}").contains("Zx8"));
    }
}
