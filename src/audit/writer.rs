//! The background writer of the lossy events: drains the queue in batches, one transaction per batch, on the
//! database's blocking threads (`Db::run`), never on an async worker.

use diesel::QueryResult;
use tokio::sync::mpsc;

use crate::db::models::AuthEvent;
use crate::db::{AnyConnection, Db, events, users};
use crate::metrics;

/// Events written per transaction at most.
const BATCH: usize = 256;

/// A queued event, and the email of the account it concerns when the writer must find its user.
pub struct Pending {
    event: AuthEvent,
    account: Option<String>,
}

impl Pending {
    pub fn new(event: AuthEvent) -> Self {
        Self {
            event,
            account: None,
        }
    }

    pub fn for_account(event: AuthEvent, email: &str) -> Self {
        Self {
            event,
            account: Some(email.to_owned()),
        }
    }
}

/// Writes batches until every sender is gone (or the future is dropped at shutdown, losing what is queued).
pub async fn write_forever(db: Db, mut queue: mpsc::Receiver<Pending>) {
    let mut batch = Vec::with_capacity(BATCH);
    while queue.recv_many(&mut batch, BATCH).await > 0 {
        let pending = std::mem::take(&mut batch);
        let count = pending.len();
        if let Err(error) = db
            .run_in_transaction(move |conn| write_batch(conn, &pending))
            .await
        {
            tracing::warn!(%error, count, "audit events lost: could not write them");
            metrics::audit_events_dropped(count);
        }
    }
}

/// Finds each event's user where it names an account, then stores the batch.
fn write_batch(conn: &mut AnyConnection, pending: &[Pending]) -> QueryResult<usize> {
    let mut rows = Vec::with_capacity(pending.len());
    for Pending { event, account } in pending {
        let mut event = event.clone();
        if let Some(email) = account {
            event.user_id = users::find_by_email(conn, email)?.map(|user| user.id);
        }
        rows.push(event);
    }
    events::insert(conn, &rows)
}
