//! Input types that are valid once parsed.

mod email;
mod password;
mod roles;

pub use email::{Email, EmailError};
pub use password::{Password, PasswordError};
pub use roles::{Roles, RolesError};
