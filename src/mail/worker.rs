//! The background sender: takes messages off the bounded queue and delivers a few at a time, each attempt bounded
//! by a timeout on the whole send and retried after a pause, so a slow or absent mail server never holds up a
//! request, and one slow message does not hold up the others.

use std::sync::Arc;
use std::time::Duration;

use lettre::Message;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::transport::Transport;
use crate::metrics;

/// Pauses before the second and third attempts.
const BACKOFF: [Duration; 2] = [Duration::from_secs(1), Duration::from_secs(4)];

/// Messages being delivered at once (each may be waiting on a slow server or a retry pause).
const IN_FLIGHT: usize = 4;

/// A message waiting in the queue, with the template it came from (for the log; never the token).
pub struct Queued {
    pub template: &'static str,
    pub message: Message,
}

/// Owns the queue's receiving end and the transport; runs for as long as the server does.
pub struct MailWorker {
    pub(super) queue: mpsc::Receiver<Queued>,
    pub(super) transport: Transport,
    pub(super) timeout: Duration,
}

impl MailWorker {
    /// Delivers until every sender is gone; messages still queued or in flight when the server stops are lost
    /// (they are notices and links a user can ask for again).
    pub async fn run(mut self) {
        let transport = Arc::new(self.transport);
        let mut in_flight = JoinSet::new();
        loop {
            tokio::select! {
                next = self.queue.recv(), if in_flight.len() < IN_FLIGHT => match next {
                    Some(queued) => {
                        in_flight.spawn(deliver(Arc::clone(&transport), queued, self.timeout));
                    }
                    None => break,
                },
                Some(_) = in_flight.join_next(), if !in_flight.is_empty() => {}
            }
        }
        while in_flight.join_next().await.is_some() {}
    }
}

async fn deliver(transport: Arc<Transport>, queued: Queued, timeout: Duration) {
    let kind = transport.kind();
    for attempt in 0..=BACKOFF.len() {
        let send = transport.send(queued.message.clone());
        let error = match tokio::time::timeout(timeout, send).await {
            Ok(Ok(())) => {
                tracing::info!(template = queued.template, transport = kind, "mail sent");
                metrics::mail("sent");
                return;
            }
            Ok(Err(error)) => error,
            Err(_) => format!("no answer within {} s", timeout.as_secs()),
        };
        let attempts = attempt + 1;
        let template = queued.template;
        match BACKOFF.get(attempt) {
            Some(pause) => {
                tracing::warn!(template, transport = kind, attempts, %error, "mail not sent; will retry");
                tokio::time::sleep(*pause).await;
            }
            None => {
                tracing::error!(template, transport = kind, attempts, %error, "mail not sent; giving up");
                metrics::mail("failed");
            }
        }
    }
}
