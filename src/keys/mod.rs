//! The signing keys: generating them, the key ring on disk, the running server's reloadable snapshot of it,
//! and the HS256 shared secret.
//!
//! A leaf of the crate: it takes plain values (directories, algorithms, secrets) and imports neither the
//! settings nor the token code, so `config` can use its types and `tokens` can sign with its keys.

mod hmac_secret;
mod keygen;
mod kind;
pub mod ring;
mod set;
mod store;

use std::time::Duration;

pub use hmac_secret::{HmacSecret, MIN_SECRET_BYTES};
pub use kind::TokenKind;
pub use ring::{KeyAlg, KeyState};
pub use set::{KeyError, KeySet, SigningKey};
pub use store::{KeyStore, RELOAD_INTERVAL, watch};

/// The largest clock leeway a verifier may be configured with; key retirement waits for it.
pub const MAX_LEEWAY: Duration = Duration::from_secs(60);
