//! Bearer authentication: one middleware verifies, an extractor hands the claims to handlers.

mod bearer;
mod middleware;

pub use bearer::bearer_token;
pub use middleware::{Authenticated, require_access_token};
