//! The second-factor routes: state, enrolment, confirmation, disabling and recovery codes of the signed-in user
//! (`/v1/me/mfa...`), and the second step of a login (`/v1/auth/mfa`).

pub mod complete;
pub mod confirm;
pub mod disable;
pub mod enrol;
pub mod recovery_codes;
pub mod status;

use serde::Serialize;

use crate::error::ApiError;
use crate::mfa::codes;
use crate::state::AppState;

/// A new set of recovery codes, shown once.
#[derive(Serialize)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// Makes a new set of recovery codes for `user_id`, stores their hashes in place of the old set, and returns
/// them in the clear (the only time they are).
pub async fn new_recovery_codes(
    state: &AppState,
    user_id: &str,
) -> Result<RecoveryCodes, ApiError> {
    let fresh = codes::new_recovery_codes();
    let canonical = fresh
        .iter()
        .filter_map(|c| codes::normalize_recovery_code(c))
        .collect();
    let hashes = state.passwords.hash_codes(canonical).await?;
    let (id, at) = (user_id.to_owned(), crate::db::models::now());
    state
        .db
        .run(move |conn| crate::db::mfa::recovery_codes::replace(conn, &id, &hashes, at))
        .await?;
    Ok(RecoveryCodes {
        recovery_codes: fresh,
    })
}
