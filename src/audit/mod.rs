//! The audit trail (`auth_events`). Two ways in:
//!
//! * Events that record a change (signup, login, refresh, reuse, revocations, password change) are built by
//!   `record` and inserted in the change's own transaction.
//! * Events that record no change (a failed login, a rate-limit hit) must cost the request nothing and must not
//!   give a flood a way to write to the database: `Audit` hands them to a bounded queue that a background
//!   writer drains in batches; when the queue is full they are dropped and counted
//!   (`authd_audit_events_dropped_total`).

mod dedup;
pub mod record;
mod writer;

use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::sync::mpsc;

use crate::config::AuditSettings;
use crate::db::Db;
use crate::db::events::{EventKind, Outcome};
use crate::db::models::DeviceInfo;
use crate::metrics;
use dedup::RecentlyRecorded;
pub use record::{detail, event};
use writer::Pending;

/// Events waiting for the writer at most; beyond that they are dropped.
pub const QUEUE_CAPACITY: usize = 4_096;
/// One `rate_limited` event per (policy, address) per this long.
const RATE_LIMIT_WINDOW: Duration = Duration::from_secs(60);

/// The lossy side of the audit trail, shared by every worker.
pub struct Audit {
    queue: mpsc::Sender<Pending>,
    /// Taken once by `writer`.
    receiver: Mutex<Option<mpsc::Receiver<Pending>>>,
    rate_limited: RecentlyRecorded,
    retention: Duration,
}

impl Audit {
    pub fn new(settings: &AuditSettings) -> Self {
        let (queue, receiver) = mpsc::channel(QUEUE_CAPACITY);
        Self {
            queue,
            receiver: Mutex::new(Some(receiver)),
            rate_limited: RecentlyRecorded::new(RATE_LIMIT_WINDOW, dedup::MAX_KEYS),
            retention: settings.retention,
        }
    }

    /// How long events are kept (`AUTHD_AUDIT_RETENTION`).
    pub fn retention(&self) -> Duration {
        self.retention
    }

    /// A login refused for a wrong password or an unknown email. The writer looks the account up, so the event
    /// lands in its owner's trail; an unknown email is stored with no user (an operator sees it, no user does),
    /// and the email itself is never stored: people type passwords into it.
    pub fn login_failed(&self, email: &str, device: &DeviceInfo) {
        let event = event(EventKind::Login, Outcome::Failure, device, now());
        self.enqueue(Pending::for_account(event, email));
    }

    /// A wrong password at a re-authentication of signed-in `user_id` for `action` (lossy, like a failed login).
    pub fn reauthentication_failed(&self, user_id: &str, action: &str, device: &DeviceInfo) {
        let event = crate::db::models::AuthEvent {
            user_id: Some(user_id.to_owned()),
            detail: detail("action", action),
            ..event(EventKind::Reauthentication, Outcome::Failure, device, now())
        };
        self.enqueue(Pending::new(event));
    }

    /// A request refused by the rate-limit `policy`; at most one event per (policy, address) a minute.
    pub fn rate_limited(&self, policy: &'static str, ip: IpAddr, user_agent: Option<&str>) {
        if !self
            .rate_limited
            .first_in_window(policy, ip, Instant::now())
        {
            return;
        }
        let device = DeviceInfo {
            user_agent: user_agent.map(str::to_owned),
            ip: Some(ip.to_string()),
        };
        let event = crate::db::models::AuthEvent {
            detail: detail("policy", policy),
            ..event(EventKind::RateLimited, Outcome::Denied, &device, now())
        };
        self.enqueue(Pending::new(event));
    }

    /// The background writer; the first call takes the queue's receiving end, later calls get a writer that
    /// ends at once (one writer per `Audit`).
    pub fn writer(&self, db: Db) -> impl Future<Output = ()> + use<> {
        let receiver = self.receiver.lock().ok().and_then(|mut r| r.take());
        async move {
            if let Some(receiver) = receiver {
                writer::write_forever(db, receiver).await;
            }
        }
    }

    fn enqueue(&self, pending: Pending) {
        if self.queue.try_send(pending).is_err() {
            metrics::audit_events_dropped(1);
        }
    }
}

/// Now, at the microsecond both backends store.
fn now() -> chrono::NaiveDateTime {
    use chrono::SubsecRound;
    Utc::now().naive_utc().trunc_subsecs(6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_queue_drops_events_instead_of_waiting_or_growing() {
        let audit = Audit::new(&AuditSettings {
            retention: Duration::from_secs(3600),
        });
        let device = DeviceInfo::default();
        for _ in 0..QUEUE_CAPACITY + 10 {
            audit.login_failed("someone@example.com", &device);
        }
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        audit.rate_limited("login-ip", ip, Some("curl/8"));
        let mut receiver = audit.receiver.lock().unwrap().take().unwrap();
        let mut queued = 0;
        while receiver.try_recv().is_ok() {
            queued += 1;
        }
        assert_eq!(queued, QUEUE_CAPACITY);
    }
}
