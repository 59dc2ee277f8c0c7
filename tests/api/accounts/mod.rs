//! The account itself: signup (and its enumeration defence), `/v1/me`, password change, step-up, and the
//! notices sent when a way in changes.

mod account_notices;
mod me;
mod password;
pub mod reauth;
mod signup;
mod signup_enumeration;
