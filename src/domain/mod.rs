//! Input types that are valid once parsed.

mod email;
mod password;

pub use email::{Email, EmailError};
pub use password::{Password, PasswordError};
