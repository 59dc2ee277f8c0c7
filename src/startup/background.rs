//! What runs beside the server for as long as it serves.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::mail::MailWorker;
use crate::mail_links;
use crate::pruning;
use crate::rate_limits::RateLimits;
use crate::revocations::Revocations;
use crate::state::AppState;

/// Keeps the revoked-session list fresh, prunes ended sessions, old audit events and expired mailed tokens,
/// sweeps the rate limiters, writes queued audit events and sends mail, for as long as the returned future is
/// polled.
pub(super) fn background(state: &AppState, mail: MailWorker) -> Pin<Box<dyn Future<Output = ()>>> {
    let revocations = Arc::clone(&state.revocations);
    let (db, policy) = (state.db.clone(), state.sessions.clone());
    let limits = Arc::clone(&state.rate_limits);
    let (audit_writer, retention) = (state.audit.writer(db.clone()), state.audit.retention());
    Box::pin(async move {
        tokio::join!(
            Revocations::poll_forever(revocations, db.clone()),
            pruning::prune_forever(db.clone(), policy, retention),
            mail_links::prune_forever(db),
            mail.run(),
            RateLimits::sweep_forever(limits),
            audit_writer,
        );
    })
}
