//! Which token a key signs: a key is bound to one kind, so neither token passes for the other.

use serde::{Deserialize, Serialize};

/// The two token kinds; each has its own `typ` header and its own signing key, so neither passes for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    Access,
    Refresh,
}

impl TokenKind {
    /// The JOSE `typ` header value (RFC 9068 for access tokens).
    pub fn typ(self) -> &'static str {
        match self {
            Self::Access => "at+jwt",
            Self::Refresh => "refresh+jwt",
        }
    }

    /// `access` or `refresh`, as the key ring and the CLI spell it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Refresh => "refresh",
        }
    }
}
