//! The command line: `authd` (or `authd serve`) runs the server; `authd keys ...` manages the key ring in
//! `AUTHD_KEY_DIR`, which running instances pick up within `RELOAD_INTERVAL` (or at once on SIGHUP).

use std::io::Write;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::TokenSettings;
use crate::keys::{KeyAlg, KeyError, TokenKind, ring};

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

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (the default); settings come from AUTHD_* environment variables.
    Serve,
    /// Manage the signing-key ring in AUTHD_KEY_DIR (shared by every instance).
    #[command(subcommand)]
    Keys(KeysCommand),
}

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

/// Runs a `keys` command against `settings.key_dir`, writing what it did to `out` (never key material).
pub fn run_keys(
    command: KeysCommand,
    settings: &TokenSettings,
    out: &mut dyn Write,
) -> Result<(), KeyError> {
    let dir = &settings.key_dir;
    let io = |e: std::io::Error| KeyError::new(dir, e);
    let state_file = dir.join(ring::STATE_FILE);
    match &command {
        KeysCommand::List if !state_file.exists() => {
            writeln!(
                out,
                "no key ring in {} yet; authd creates one on its first start",
                dir.display()
            )
            .map_err(io)?;
            return Ok(());
        }
        KeysCommand::Generate {
            kind: Kind::Access, ..
        }
        | KeysCommand::Rotate { kind: Kind::Access }
            if settings.hs256_secret.is_some() =>
        {
            return Err(KeyError::new(
                dir,
                "HS256 mode: access tokens are signed with AUTHD_HS256_SECRET, not with ring keys; \
                 change the secret to rotate it (access tokens signed with the old one stop verifying)",
            ));
        }
        // Preparing a directory before the first start works too.
        KeysCommand::Generate { .. } | KeysCommand::Rotate { .. } => {
            for line in ring::initialise(dir, settings.access_alg, settings.hs256_secret.is_none())?
            {
                writeln!(out, "{line}").map_err(io)?;
            }
        }
        _ => {}
    }
    match command {
        KeysCommand::List => {
            writeln!(
                out,
                "{:<8} {:<6} {:<9} {:<25} {:<25} kid",
                "kind", "alg", "state", "created", "since"
            )
            .map_err(io)?;
            for key in ring::list(dir)? {
                let since = key.retiring_since.or(key.activated_at);
                writeln!(
                    out,
                    "{:<8} {:<6} {:<9} {:<25} {:<25} {}",
                    key.kind.name(),
                    key.alg.to_string(),
                    key.state.to_string(),
                    key.created_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                    since.map_or("-".into(), |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
                    key.kid
                )
                .map_err(io)?;
            }
            if settings.hs256_secret.is_some() {
                writeln!(out, "(HS256 mode: access tokens use AUTHD_HS256_SECRET; the access keys above are unused)").map_err(io)?;
            }
        }
        KeysCommand::Generate { kind, alg } => {
            let kind = TokenKind::from(kind);
            let alg = alg.unwrap_or(match kind {
                TokenKind::Access => settings.access_alg,
                TokenKind::Refresh => KeyAlg::EdDSA,
            });
            let key = ring::generate(dir, kind, alg)?;
            writeln!(
                out,
                "generated {} key {} ({alg}) as next",
                kind.name(),
                key.kid
            )
            .map_err(io)?;
            if kind == TokenKind::Access {
                writeln!(out, "it is in the JWKS now; run `authd keys rotate` once verifiers' caches have it (wait at least 15 minutes)").map_err(io)?;
            } else {
                writeln!(out, "run `authd keys rotate --kind refresh` when every instance has reloaded (a few seconds)").map_err(io)?;
            }
        }
        KeysCommand::Rotate { kind } => {
            let kind = TokenKind::from(kind);
            let default = match kind {
                TokenKind::Access => settings.access_alg,
                TokenKind::Refresh => KeyAlg::EdDSA,
            };
            let rotation = ring::rotate(dir, kind, default)?;
            if rotation.generated_now {
                let why = match kind {
                    TokenKind::Access => {
                        "verifiers that cached the JWKS may refuse its tokens until they refetch it. \
                        Next time run `authd keys generate` at least 15 minutes before rotating."
                    }
                    TokenKind::Refresh => {
                        "instances that have not reloaded the ring yet (up to 2 s) refuse its tokens. \
                        Next time run `authd keys generate --kind refresh` first."
                    }
                };
                writeln!(
                    out,
                    "warning: there was no next {} key, so one was generated and activated at once; {why}",
                    kind.name()
                )
                .map_err(io)?;
            }
            writeln!(
                out,
                "{} key {} ({}) now signs",
                kind.name(),
                rotation.activated.kid,
                rotation.activated.alg
            )
            .map_err(io)?;
            if let Some(old) = rotation.retiring {
                let lifetime = match kind {
                    TokenKind::Access => settings.access_ttl,
                    TokenKind::Refresh => settings.refresh_ttl,
                };
                writeln!(
                    out,
                    "{} is retiring: it still verifies; retire it after {} s (`authd keys retire {}`)",
                    old.kid,
                    lifetime.as_secs() + crate::keys::MAX_LEEWAY.as_secs(),
                    old.kid
                )
                .map_err(io)?;
            }
        }
        KeysCommand::Retire { kid, force } => {
            let lifetime = |kind| match kind {
                TokenKind::Access => settings.access_ttl,
                TokenKind::Refresh => settings.refresh_ttl,
            };
            let key = ring::retire(dir, &kid, lifetime, force)?;
            writeln!(
                out,
                "removed {} key {} and its file",
                key.kind.name(),
                key.kid
            )
            .map_err(io)?;
        }
    }
    Ok(())
}
