//! How a session was authenticated: RFC 8176 `amr` values and the NIST SP 800-63B assurance level (`acr`) they
//! add up to. A session row stores them space-separated, so refreshing keeps the level the login reached.

/// A password (RFC 8176).
pub const PASSWORD: &str = "pwd";
/// A one-time password, here TOTP (RFC 8176).
pub const OTP: &str = "otp";
/// A login through an identity provider (RFC 8176).
pub const FEDERATED: &str = "fed";
/// A recovery code (ours; RFC 8176 has no value for it).
pub const RECOVERY_CODE: &str = "rcv";

/// One factor.
pub const AAL1: &str = "aal1";
/// A password and a second factor.
pub const AAL2: &str = "aal2";

/// The methods of a session whose row stores `stored`; no value is a password-only session.
pub fn methods(stored: Option<&str>) -> Vec<String> {
    match stored {
        Some(stored) if !stored.trim().is_empty() => {
            stored.split_whitespace().map(str::to_owned).collect()
        }
        _ => vec![PASSWORD.to_owned()],
    }
}

/// The level those methods reach.
pub fn acr(methods: &[String]) -> &'static str {
    let second = methods.iter().any(|m| m == OTP || m == RECOVERY_CODE);
    if second { AAL2 } else { AAL1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_factor_is_aal2() {
        assert_eq!(methods(None), ["pwd"]);
        assert_eq!(acr(&methods(None)), "aal1");
        assert_eq!(methods(Some("pwd otp")), ["pwd", "otp"]);
        assert_eq!(acr(&methods(Some("pwd otp"))), "aal2");
        assert_eq!(acr(&methods(Some("pwd rcv"))), "aal2");
    }
}
