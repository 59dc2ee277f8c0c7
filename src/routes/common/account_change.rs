//! What a change to the ways into an account leaves behind: an `account_change` event in the owner's trail and a
//! notice mailed to the owner, so an attacker who added a way in (or removed the owner's) cannot do it silently.

use actix_web::HttpRequest;

use super::device::device_info;
use crate::audit::record;
use crate::db::events::{self, EventKind, Outcome};
use crate::db::models::{AuthEvent, DeviceInfo, now};
use crate::db::users;
use crate::error::ApiError;
use crate::mail::Mail;
use crate::state::AppState;

/// A change to how the account is signed in to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    TotpEnabled,
    TotpDisabled,
    RecoveryCodesRegenerated,
    IdentityLinked,
    IdentityUnlinked,
    EmailChanged,
    /// Recorded as its own `password_change` event; only the notice is shared.
    PasswordChanged,
}

impl Change {
    /// The event's `detail.change`.
    fn name(self) -> &'static str {
        match self {
            Self::TotpEnabled => "totp_enabled",
            Self::TotpDisabled => "totp_disabled",
            Self::RecoveryCodesRegenerated => "recovery_codes_regenerated",
            Self::IdentityLinked => "identity_linked",
            Self::IdentityUnlinked => "identity_unlinked",
            Self::EmailChanged => "email_changed",
            Self::PasswordChanged => "password_changed",
        }
    }

    /// The notice's sentence.
    fn clause(self) -> &'static str {
        match self {
            Self::TotpEnabled => "two-factor authentication (an authenticator app) was turned on",
            Self::TotpDisabled => "two-factor authentication was turned off",
            Self::RecoveryCodesRegenerated => {
                "new recovery codes were created, and the old ones no longer work"
            }
            Self::IdentityLinked => "a sign-in provider account was linked, and can now sign in",
            Self::IdentityUnlinked => "a linked sign-in provider account was removed",
            Self::EmailChanged => "the email address was changed; this address no longer signs in",
            Self::PasswordChanged => "the password was changed, and other sessions were signed out",
        }
    }
}

/// The `account_change` event of `change` to `user_id`, for the transaction that makes the change.
pub fn event(user_id: &str, change: Change, device: &DeviceInfo) -> AuthEvent {
    AuthEvent {
        user_id: Some(user_id.to_owned()),
        detail: record::detail("change", change.name()),
        ..record::event(EventKind::AccountChange, Outcome::Success, device, now())
    }
}

/// Mails the owner at `email` the notice of `change`.
pub fn notify(state: &AppState, email: &str, change: Change) {
    state.mailer.send(
        email,
        Mail::AccountChanged {
            change: change.clause(),
        },
    );
}

/// For a change already made: writes its event and mails the owner.
pub async fn record(
    state: &AppState,
    req: &HttpRequest,
    user_id: &str,
    change: Change,
) -> Result<(), ApiError> {
    let row = event(user_id, change, &device_info(req, &state.trusted_proxies));
    let id = user_id.to_owned();
    let email = state
        .db
        .run_in_transaction(move |conn| {
            events::insert(conn, std::slice::from_ref(&row))?;
            Ok(users::find_by_id(conn, &id)?.map(|u| u.email))
        })
        .await?;
    if let Some(email) = email {
        notify(state, &email, change);
    }
    Ok(())
}
