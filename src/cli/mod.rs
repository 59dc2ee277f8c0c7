//! The command line: `authd` (or `authd serve`) runs the server; `authd config check` checks the settings; `authd keys ...` manages the key ring in
//! `AUTHD_KEY_DIR`, which running instances pick up within `RELOAD_INTERVAL` (or at once on SIGHUP).
//!
//! `args.rs` declares the commands; each command group gets a folder with one file per subcommand.

mod admin_keys;
mod args;
mod config;
mod keys;

pub use admin_keys::{AdminKeysError, run_admin_keys};
pub use args::{AdminKeysCommand, Cli, Command, ConfigCommand, KeysCommand, Kind};
pub use config::run_config_check;
pub use keys::run_keys;
