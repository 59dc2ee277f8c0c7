//! Mail: the transports (`delivery`), and the flows that mail a link: address change, verification, reset.

pub mod delivery;
mod email_change;
mod email_verification;
mod password_reset;
