//! What every test shares: servers (in-process or the binary), HTTP calls, assertions, token helpers.

#[macro_use]
mod backend;
mod app;
mod assertions;
mod http;
mod mailbox;
mod process;
mod proxy;
mod reads;
mod tokens;
mod totp;

pub use app::{
    AUDIENCE, ISSUER, TestApp, spawn_app, spawn_app_mapped, spawn_app_with, spawn_app_with_metrics,
};
pub use assertions::{
    assert_error, assert_invalid_grant, assert_invalid_token, eventually, status_counts,
};
pub use backend::{Backend, redis_url};
pub use http::PASSWORD;
pub use mailbox::{SmtpSink, mail_with, mails_to, token_in, wait_for_mails};
pub use process::{AuthdProcess, authd};
pub use proxy::TcpProxy;
pub use reads::{account_changes, event_kinds, jwks, trail, trail_details};
pub use tokens::{
    access_claims, eddsa_header, foreign_ed25519_key, kid_of, payload_of, raw_token,
    sign_with_server_key, unix_now,
};
pub use totp::{
    complete, enable_totp, mfa_status, mfa_token, pyotp_at, steady_now, two_step_login,
};
