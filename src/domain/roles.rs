//! A user's roles: a small set of short names that access tokens carry (`roles`, RFC 9068 §2.2.3.1 style).
//! The caps keep every token small whatever an operator sets.

/// At most this many roles per user.
pub const MAX_ROLES: usize = 16;
/// At most this many bytes per role name.
pub const MAX_ROLE_LEN: usize = 64;

/// Why a list of roles was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RolesError(pub String);

/// Roles valid once parsed: each 1 to 64 of `A-Z a-z 0-9 _ . : -`, no duplicates, at most 16, order kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roles(Vec<String>);

impl Roles {
    pub fn parse(names: Vec<String>) -> Result<Self, RolesError> {
        if names.len() > MAX_ROLES {
            return Err(RolesError(format!("at most {MAX_ROLES} roles")));
        }
        let mut roles: Vec<String> = Vec::with_capacity(names.len());
        for name in names {
            let valid_char =
                |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-');
            if name.is_empty() || name.len() > MAX_ROLE_LEN || !name.chars().all(valid_char) {
                return Err(RolesError(format!(
                    "a role is 1 to {MAX_ROLE_LEN} of A-Z, a-z, 0-9, _ . : -"
                )));
            }
            if !roles.contains(&name) {
                roles.push(name);
            }
        }
        Ok(Self(roles))
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(names: &[&str]) -> Result<Vec<String>, RolesError> {
        Roles::parse(names.iter().map(|s| s.to_string()).collect()).map(|r| r.0)
    }

    #[test]
    fn roles_are_short_plain_names_without_duplicates() {
        assert_eq!(
            parse(&["admin", "billing:read", "admin"]).unwrap(),
            ["admin", "billing:read"]
        );
        assert!(parse(&[]).unwrap().is_empty());
        for bad in ["", "has space", "a,b", "é", &"x".repeat(65)] {
            assert!(parse(&[bad]).is_err(), "{bad}");
        }
        let many: Vec<String> = (0..17).map(|n| format!("r{n}")).collect();
        assert!(Roles::parse(many).is_err());
    }
}
