//! TOTP (RFC 6238) over HOTP (RFC 4226): HMAC-SHA-1, 6 digits, 30-second steps, one step of clock drift either
//! way. What authenticator apps implement; checked below against the RFC's own test vectors.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Seconds per time step.
pub const PERIOD: i64 = 30;
/// Steps of drift accepted either side of the current one.
pub const DRIFT_STEPS: i64 = 1;
/// Bytes of a secret: 160 bits, the HMAC-SHA-1 output size RFC 4226 §4 recommends.
pub const SECRET_BYTES: usize = 20;

/// The time step of a Unix time.
pub fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(PERIOD)
}

/// The `digits`-digit HOTP value of `secret` at `counter` (RFC 4226 §5.3 dynamic truncation).
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    // HMAC takes keys of any length.
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC accepts any key length");
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let word = u32::from_be_bytes([
        digest[offset],
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    (word & 0x7fff_ffff) % 10u32.pow(digits)
}

/// The 6-digit code of `secret` at time step `step`.
pub fn code_at(secret: &[u8], step: i64) -> u32 {
    hotp(secret, u64::try_from(step).unwrap_or(0), DIGITS)
}

/// The time step within `DRIFT_STEPS` of `now_unix` whose code `code` is, if that step is later than `last_step`
/// (a code is good once). Every candidate is computed and compared, so timing tells nothing about which matched.
pub fn matching_step(secret: &[u8], code: &str, now_unix: i64, last_step: i64) -> Option<i64> {
    let code = parse(code)?;
    let now = step_of(now_unix);
    let mut found = None;
    for step in now - DRIFT_STEPS..=now + DRIFT_STEPS {
        let same = subtle_eq(code_at(secret, step), code);
        if same && step > last_step && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// Six ASCII digits, spaces allowed (apps show `123 456`).
fn parse(code: &str) -> Option<u32> {
    let digits: String = code.chars().filter(|c| *c != ' ').collect();
    if digits.len() != DIGITS as usize || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn subtle_eq(a: u32, b: u32) -> bool {
    (a ^ b) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, the SHA-1 column: seed "12345678901234567890", 8 digits.
    #[test]
    fn rfc_6238_sha1_test_vectors() {
        let seed = b"12345678901234567890";
        for (time, expected) in [
            (59_i64, 94_287_082),
            (1_111_111_109, 7_081_804),
            (1_111_111_111, 14_050_471),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
            (20_000_000_000, 65_353_130),
        ] {
            let step = u64::try_from(step_of(time)).unwrap();
            assert_eq!(hotp(seed, step, 8), expected, "T = {time}");
        }
    }

    /// RFC 4226 Appendix D: the same seed, counters 0 to 9, 6 digits.
    #[test]
    fn rfc_4226_hotp_test_vectors() {
        let expected = [
            755_224, 287_082, 359_152, 969_429, 338_314, 254_676, 287_922, 162_583, 399_871,
            520_489,
        ];
        for (counter, code) in expected.into_iter().enumerate() {
            assert_eq!(hotp(b"12345678901234567890", counter as u64, 6), code);
        }
    }

    #[test]
    fn one_step_of_drift_is_accepted_two_are_not_and_a_used_step_never() {
        let secret = b"12345678901234567890";
        let now = 1_111_111_111;
        let at = |offset: i64| format!("{:06}", code_at(secret, step_of(now) + offset));
        for offset in [-1, 0, 1] {
            let step = step_of(now) + offset;
            assert_eq!(matching_step(secret, &at(offset), now, 0), Some(step));
            assert_eq!(
                matching_step(secret, &at(offset), now, step),
                None,
                "replay"
            );
        }
        assert_eq!(matching_step(secret, &at(-2), now, 0), None);
        assert_eq!(matching_step(secret, &at(2), now, 0), None);
        let spaced = format!("{} {}", &at(0)[..3], &at(0)[3..]);
        assert!(matching_step(secret, &spaced, now, 0).is_some());
        for bad in ["", "12345", "1234567", "12345a", "１２３４５６", "-12345"] {
            assert_eq!(matching_step(secret, bad, now, 0), None, "{bad}");
        }
    }
}
