//! The mail routes: verifying an address (and asking again), resetting a password, changing the address, and
//! the helper they share to mail a link without the answer showing whether the account exists (links).

pub mod email_change;
pub mod links;
pub mod password_reset;
pub mod password_reset_confirm;
pub mod verify_email;
pub mod verify_email_resend;
