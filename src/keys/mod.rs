//! The signing keys: generating them, the key ring on disk, the running server's reloadable snapshot of it,
//! the HS256 shared secret, and the key that seals TOTP secrets at rest (`secret_box`).
//!
//! A leaf of the crate: it takes plain values (directories, algorithms, secrets) and imports neither the
//! settings nor the token code, so `config` can use its types and `tokens` can sign with its keys. Inside, the
//! files depend one way: `error`, `kind`, `hmac_secret` <- `ring` <- `set` <- `store`.

mod error;
mod hmac_secret;
mod kind;
/// The ring file and its operations (`authd keys ...` drives them).
pub mod ring;
mod secret_box;
mod set;
mod store;

pub use error::KeyError;
pub use hmac_secret::{HmacSecret, MIN_SECRET_BYTES};
pub use kind::TokenKind;
pub use ring::{KeyAlg, KeyState, MAX_LEEWAY};
pub use secret_box::{SECRET_BOX_FILE, SecretBox};
pub use set::{KeySet, SigningKey};
pub use store::{KeyStore, RELOAD_INTERVAL, watch};
