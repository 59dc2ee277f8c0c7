//! Signed tokens: the key ring and its rotation, HS256 mode, forgery attempts, verification and discovery.

mod discovery;
mod es256;
mod gateway_reason;
mod hs256;
mod jwks;
mod key_rotation;
mod token_forgery;
mod verify;
