//! The skeleton every admin change shares: the acting key (write rights checked), one transaction holding the
//! change and its audit trail, then the sessions it ended refused at once on this instance and, where the
//! account's view changed, its cached `/v1/me` body dropped. Each action passes only what differs.

use actix_web::HttpRequest;
use chrono::NaiveDateTime;

use super::caller::AdminCaller;
use crate::audit::record;
use crate::client_ip::client_ip;
use crate::db::models::{AuthEvent, DeviceInfo, now};
use crate::db::sessions::RevokeReason;
use crate::db::{AnyConnection, events};
use crate::error::ApiError;
use crate::state::AppState;

/// Who made a change, from where: what its audit events record.
pub(super) struct Actor {
    key_name: String,
    client: DeviceInfo,
}

impl Actor {
    /// The caller, if its key may write (`403 insufficient_rights` otherwise).
    pub(super) fn new(
        caller: &AdminCaller,
        req: &HttpRequest,
        state: &AppState,
    ) -> Result<Self, ApiError> {
        caller.require_write()?;
        let ip = client_ip(req, &state.trusted_proxies).to_string();
        Ok(Self {
            key_name: caller.key_name.clone(),
            client: DeviceInfo {
                user_agent: None,
                ip: Some(ip),
            },
        })
    }

    /// The `admin_action` event, and one `session_revoked` event per session the action ended.
    fn trail(
        &self,
        user_id: &str,
        change: &Change,
        ended: &[String],
        at: NaiveDateTime,
    ) -> Vec<AuthEvent> {
        let (key, client) = (&self.key_name, &self.client);
        let mut trail = vec![record::admin_action(user_id, change.name, key, client, at)];
        if let Some(reason) = change.reason {
            trail.extend(record::revoked(user_id, ended, reason, client, at));
        }
        trail
    }
}

/// What differs between admin changes besides the change itself.
pub(super) struct Change {
    /// Its name in the `admin_action` event.
    name: &'static str,
    /// Why the sessions it ends are revoked; `None` for a change that ends none.
    reason: Option<RevokeReason>,
    /// Whether the account's `/v1/me` view changes, so its cached body must go.
    forget: bool,
}

/// What a change answered with, and how many sessions it ended.
pub(super) struct Done<T> {
    pub value: T,
    pub revoked: usize,
}

impl Change {
    pub(super) fn new(name: &'static str, reason: Option<RevokeReason>) -> Self {
        Self {
            name,
            reason,
            forget: false,
        }
    }

    /// The change alters what `/v1/me` shows (or deletes the account).
    pub(super) fn forgetting(self) -> Self {
        Self {
            forget: true,
            ..self
        }
    }

    /// Runs `apply` (`None`: no such account; else the sessions it ended), records the trail, then `then` (its
    /// answer; `None`: no such account), all in one transaction; `404 not_found` when either found no account.
    pub(super) async fn run<T, A, B>(
        self,
        actor: Actor,
        user_id: &str,
        state: &AppState,
        apply: A,
        then: B,
    ) -> Result<Done<T>, ApiError>
    where
        A: FnOnce(&mut AnyConnection, &str, NaiveDateTime) -> Result<Option<Vec<String>>, ApiError>
            + Send
            + 'static,
        B: FnOnce(&mut AnyConnection, &str) -> Result<Option<T>, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let (at, id, forget) = (now(), user_id.to_owned(), self.forget);
        let done = state
            .db
            .run_tx(move |conn| -> Result<_, ApiError> {
                let Some(ended) = apply(conn, &id, at)? else {
                    return Ok(None);
                };
                events::insert(conn, &actor.trail(&id, &self, &ended, at))?;
                Ok(then(conn, &id)?.map(|value| (value, ended)))
            })
            .await?;
        let (value, ended) = done.ok_or(ApiError::NotFound)?;
        let revoked = ended.len();
        state.revocations.insert(ended, at);
        if forget {
            state.recent_users.forget(user_id);
        }
        Ok(Done { value, revoked })
    }
}
