//! One test binary: every test starts the real server on a random port with its own database. A test that reaches
//! the database runs once on SQLite and once on PostgreSQL (`backend_tests!`; PostgreSQL when
//! `AUTHD_TEST_POSTGRES_URL` is set, and in CI it must be); one that never does runs once.
//!
//! Grouped by feature, as `src/` is: a folder per feature, each named in its `mod.rs`.

#[macro_use]
mod helpers;

mod accounts;
mod admin;
mod contract;
mod limits;
mod mail;
mod mfa;
mod oidc;
mod ops;
mod sessions;
mod tokens;
