//! Sessions: login, refresh and its rotation race, logout and the session list, revocation, device tokens,
//! and what a credential change ends.

mod credential_change;
pub mod device_tokens;
mod list;
mod login;
mod refresh;
mod revocation;
mod rotation_race;
