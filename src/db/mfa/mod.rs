//! Queries of the second factor: TOTP factors, recovery codes and the challenges of logins waiting for a code.

pub mod challenges;
pub mod recovery_codes;
pub mod totp;
