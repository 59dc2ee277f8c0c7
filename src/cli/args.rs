//! What the command line accepts (clap declarations only; the work is in the command folders).

use clap::{Parser, Subcommand, ValueEnum};

use crate::keys::{KeyAlg, TokenKind};

/// `authd [serve]` or `authd keys ...`.
#[derive(Debug, Parser)]
#[command(
    name = "authd",
    version,
    about = "Self-hostable authentication service issuing JWTs"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The top-level commands; a later command group (`admin-keys`) is one more variant and one more folder.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (the default); settings come from AUTHD_* environment variables.
    Serve,
    /// Manage the signing-key ring in AUTHD_KEY_DIR (shared by every instance).
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Manage the admin API's keys (in the database); see AUTHD_ADMIN_BIND.
    #[command(subcommand, name = "admin-keys")]
    AdminKeys(AdminKeysCommand),
    /// Check the AUTHD_* settings without starting: exit 2 on an invalid one, else print them.
    #[command(subcommand)]
    Config(ConfigCommand),
}

/// `authd config ...`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective settings (secrets hidden) and any warning; for deploy pipelines.
    Check {
        /// Exit 1 when there is a warning (an unknown AUTHD_* variable, ...), not only on an error.
        #[arg(long)]
        strict: bool,
    },
}

/// `authd admin-keys ...`.
#[derive(Debug, Subcommand)]
pub enum AdminKeysCommand {
    /// Create a key; prints it once, as the last line (only its hash is stored).
    Create {
        name: String,
        /// The key may read but not change anything (403 insufficient_rights on writes).
        #[arg(long)]
        read_only: bool,
    },
    /// Show every key: name, rights, created, last used, revoked (never the key).
    List,
    /// Revoke a key by name; requests with it are refused at once.
    Revoke { name: String },
}

/// `authd keys ...`: one variant, and one file in `cli/keys/`, per subcommand.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Show every key: kid, kind, algorithm, state and dates.
    List,
    /// Add a `next` key: published in the JWKS (access keys) and accepted, but not signing yet.
    Generate {
        #[arg(long, value_enum, default_value_t = Kind::Access)]
        kind: Kind,
        /// EdDSA or ES256; defaults to AUTHD_ACCESS_TOKEN_ALG for access keys, EdDSA for refresh keys.
        #[arg(long, value_parser = parse_alg)]
        alg: Option<KeyAlg>,
    },
    /// Make the newest `next` key sign; the active key becomes `retiring` (still verifies, no longer signs).
    Rotate {
        #[arg(long, value_enum, default_value_t = Kind::Access)]
        kind: Kind,
    },
    /// Remove a key that no longer signs, once every token it signed has expired (or at once with --force).
    Retire {
        /// A kid is a base64url thumbprint, so it may begin with `-`: taken as the kid, not as an option.
        #[arg(allow_hyphen_values = true)]
        kid: String,
        /// Retire even though tokens it signed may still be valid: their holders are logged out.
        #[arg(long)]
        force: bool,
    },
}

/// Which tokens a key signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    Access,
    Refresh,
}

impl From<Kind> for TokenKind {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::Access => TokenKind::Access,
            Kind::Refresh => TokenKind::Refresh,
        }
    }
}

fn parse_alg(raw: &str) -> Result<KeyAlg, String> {
    raw.parse()
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::{Cli, Command, KeysCommand};

    #[test]
    fn a_kid_that_begins_with_a_dash_is_a_kid() {
        let cli = Cli::try_parse_from(["authd", "keys", "retire", "-i8Xk_Q", "--force"]).unwrap();
        match cli.command {
            Some(Command::Keys(KeysCommand::Retire { kid, force })) => {
                assert_eq!((kid.as_str(), force), ("-i8Xk_Q", true));
            }
            other => panic!("{other:?}"),
        }
    }
}
