//! One test binary: every test starts the real server on a random port with its own database. A test that reaches
//! the database runs once on SQLite and once on PostgreSQL (`backend_tests!`; PostgreSQL when
//! `AUTHD_TEST_POSTGRES_URL` is set, and in CI it must be); one that never does runs once.

#[macro_use]
mod helpers;

mod account_notices;
mod admin;
mod attempts;
mod audit;
mod browser;
mod config_check;
mod cors;
mod credential_change;
mod db_faults;
mod device_tokens;
mod discovery;
mod email_change;
mod email_verification;
mod gateway_reason;
mod health;
mod hs256;
mod jwks;
mod key_rotation;
mod limits;
mod login;
mod mail;
mod malformed;
mod me;
mod metrics;
mod mfa;
mod oidc;
mod openapi;
mod password;
mod password_reset;
mod properties;
mod pruning;
mod rate_limits;
mod reauth;
mod redis_limits;
mod refresh;
mod restart;
mod revocation;
mod rotation_race;
mod sessions;
mod settings_table;
mod shutdown;
mod signup;
mod signup_enumeration;
mod startup;
mod token_forgery;
mod two_instances;
mod verify;
