//! Which account a provider login belongs to: the one its (issuer, subject) is linked to; a new password-less
//! account when the provider vouches for an address no account has; never an existing account found by email
//! alone (that would let whoever controls the provider account take over, or pre-empt, the local one).

use crate::audit::record;
use crate::db::events::{self, EventKind, Outcome as EventOutcome};
use crate::db::models::{AuthEvent, DeviceInfo, User, now};
use crate::db::social::{self, Identity};
use crate::db::users;
use crate::domain::Email;
use crate::error::ApiError;
use crate::social::ProviderUser;
use crate::state::AppState;

/// What the callback does next.
pub enum Outcome {
    /// Issue a login code for this user id.
    SignIn(String),
    /// The provider account is already linked to the signed-in user.
    Linked,
    /// Link this provider account once the signed-in user confirms it (`POST /v1/me/identities/confirm`).
    ConfirmLink(Identity),
    /// Send the app this `error` and description.
    Refused(&'static str, &'static str),
}

/// A verified provider login, and what it is for.
pub struct Found<'a> {
    pub provider: &'a str,
    pub user: ProviderUser,
    /// The signed-in user, when linking.
    pub link_user_id: Option<String>,
    /// For the audit event of a new account.
    pub device: DeviceInfo,
}

/// Resolves the provider's user to an account.
pub async fn resolve(state: &AppState, found: Found<'_>) -> Result<Outcome, ApiError> {
    let Found {
        provider,
        user,
        link_user_id,
        device,
    } = found;
    let (issuer, subject) = (user.issuer.clone(), user.subject.clone());
    let existing = state
        .db
        .run(move |conn| social::find_identity(conn, &issuer, &subject))
        .await?;
    let identity = new_identity(provider, &user, link_user_id.as_deref().unwrap_or_default());
    match (existing, link_user_id) {
        (Some(found), None) => {
            let (id, email, at) = (found.id.clone(), user.email.clone(), now());
            state
                .db
                .run(move |conn| social::touch_identity(conn, &id, email.as_deref(), at))
                .await?;
            Ok(Outcome::SignIn(found.user_id))
        }
        (Some(found), Some(linker)) if found.user_id == linker => Ok(Outcome::Linked),
        (Some(_), Some(_)) => Ok(Outcome::Refused(
            "access_denied",
            "this provider account is linked to another account",
        )),
        // Not linked yet: whoever finished at the provider may not be the user who started, so the app must
        // confirm with that user's token (and the flow's PKCE verifier) before anything is linked.
        (None, Some(_)) => Ok(Outcome::ConfirmLink(identity)),
        (None, None) => create(state, &user, identity, device).await,
    }
}

fn new_identity(provider: &str, user: &ProviderUser, user_id: &str) -> Identity {
    Identity {
        id: uuid::Uuid::now_v7().to_string(),
        user_id: user_id.to_owned(),
        provider: provider.to_owned(),
        issuer: user.issuer.clone(),
        subject: user.subject.clone(),
        email: user.email.clone(),
        created_at: now(),
        last_login_at: Some(now()),
    }
}

/// A new account with no password (an empty hash), its address verified by the provider.
async fn create(
    state: &AppState,
    user: &ProviderUser,
    mut identity: Identity,
    device: DeviceInfo,
) -> Result<Outcome, ApiError> {
    let email = user.email.as_deref().filter(|_| user.email_verified);
    let Some(email) = email.and_then(|e| Email::parse(e).ok()) else {
        return Ok(Outcome::Refused(
            "access_denied",
            "the provider did not give a verified email address",
        ));
    };
    let at = now();
    let account = User {
        id: uuid::Uuid::now_v7().to_string(),
        email: email.as_str().to_owned(),
        password_hash: String::new(),
        created_at: at,
        updated_at: at,
        disabled_at: None,
        deleted_at: None,
        roles: String::new(),
        email_verified_at: Some(at),
        credential_epoch: 0,
    };
    identity.user_id = account.id.clone();
    let user_id = account.id.clone();
    let created_event = AuthEvent {
        user_id: Some(account.id.clone()),
        detail: record::detail("provider", &identity.provider),
        ..record::event(EventKind::Signup, EventOutcome::Success, &device, at)
    };
    let created = state
        .db
        .run_in_transaction(move |conn| {
            // Checked before the insert: a unique violation would abort a PostgreSQL transaction.
            if users::find_by_email(conn, &account.email)?.is_some() {
                return Ok(false);
            }
            users::insert(conn, &account).map_err(|e| match e {
                users::InsertUserError::Query(e) => e,
                users::InsertUserError::EmailTaken => diesel::result::Error::RollbackTransaction,
            })?;
            social::insert_identity(conn, &identity)?;
            events::insert(conn, std::slice::from_ref(&created_event))?;
            Ok(true)
        })
        .await?;
    if !created {
        return Ok(Outcome::Refused(
            "account_exists",
            "an account with this email exists: sign in to it and link this provider there",
        ));
    }
    tracing::info!(%user_id, "account created by a provider login");
    Ok(Outcome::SignIn(user_id))
}
