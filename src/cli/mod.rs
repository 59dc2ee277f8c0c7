//! The command line: `authd` (or `authd serve`) runs the server; `authd keys ...` manages the key ring in
//! `AUTHD_KEY_DIR`, which running instances pick up within `RELOAD_INTERVAL` (or at once on SIGHUP).
//!
//! `args.rs` declares the commands; each command group gets a folder with one file per subcommand.

mod admin_keys;
mod args;
mod keys;

pub use admin_keys::{AdminKeysError, run_admin_keys};
pub use args::{AdminKeysCommand, Cli, Command, KeysCommand, Kind};
pub use keys::run_keys;
