//! Bearer authentication: one middleware verifies, extractors hand the claims (and, where needed, the caller's
//! account row) to handlers.

mod account;
mod bearer;
mod middleware;

pub use account::CallerAccount;
pub use bearer::bearer_token;
pub use middleware::{Authenticated, require_access_token};
