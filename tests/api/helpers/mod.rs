//! What every test shares: servers (in-process or the binary), HTTP calls, assertions, token helpers.

#[macro_use]
mod backend;
mod app;
mod assertions;
mod http;
mod process;
mod tokens;

pub use app::{AUDIENCE, ISSUER, TestApp, spawn_app, spawn_app_with, spawn_app_with_metrics};
pub use assertions::{
    assert_error, assert_invalid_grant, assert_invalid_token, eventually, status_counts,
};
pub use backend::Backend;
pub use http::PASSWORD;
pub use process::{AuthdProcess, authd};
pub use tokens::{foreign_ed25519_key, kid_of};
