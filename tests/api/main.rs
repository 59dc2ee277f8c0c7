//! One test binary: every test starts the real server on a random port with its own database, and runs once on
//! SQLite and once on PostgreSQL (when `AUTHD_TEST_POSTGRES_URL` is set; in CI it must be).

#[macro_use]
mod helpers;

mod browser;
mod discovery;
mod health;
mod hs256;
mod jwks;
mod key_rotation;
mod login;
mod malformed;
mod me;
mod metrics;
mod openapi;
mod password;
mod pruning;
mod refresh;
mod restart;
mod revocation;
mod sessions;
mod signup;
mod startup;
mod token_forgery;
mod two_instances;
mod verify;
