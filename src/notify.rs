//! Notices to account owners about security events. Mail is not built yet (branch `mail`): these only log, and
//! are the hooks the mailer replaces.

/// A recovery code was used to sign in or confirm a change; `left` remain. The owner should be told, since
/// nobody but the owner should ever use one.
pub fn recovery_code_used(user_id: &str, left: i64) {
    tracing::warn!(%user_id, recovery_codes_left = left, "recovery code used (notice not mailed: no mailer yet)");
}
