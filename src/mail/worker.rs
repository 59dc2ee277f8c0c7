//! The background sender: takes messages off the bounded queue one at a time and delivers each with a timeout
//! on the whole attempt and a few retries, so a slow or absent mail server never holds up a request.

use std::time::Duration;

use lettre::Message;
use tokio::sync::mpsc;

use super::transport::Transport;
use crate::metrics;

/// Attempts per message, and the pause before each retry.
const BACKOFF: [Duration; 2] = [Duration::from_secs(1), Duration::from_secs(4)];

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
    /// Delivers until every sender is gone; messages still queued when the server stops are lost (they are
    /// notices and links a user can ask for again).
    pub async fn run(mut self) {
        while let Some(queued) = self.queue.recv().await {
            self.deliver(queued).await;
        }
    }

    async fn deliver(&self, queued: Queued) {
        let transport = self.transport.kind();
        for attempt in 0..=BACKOFF.len() {
            let send = self.transport.send(queued.message.clone());
            let error = match tokio::time::timeout(self.timeout, send).await {
                Ok(Ok(())) => {
                    tracing::info!(template = queued.template, transport, "mail sent");
                    metrics::mail("sent");
                    return;
                }
                Ok(Err(error)) => error,
                Err(_) => format!("no answer within {} s", self.timeout.as_secs()),
            };
            let attempts = attempt + 1;
            match BACKOFF.get(attempt) {
                Some(pause) => {
                    tracing::warn!(template = queued.template, transport, attempts, %error, "mail not sent; will retry");
                    tokio::time::sleep(*pause).await;
                }
                None => {
                    tracing::error!(template = queued.template, transport, attempts, %error, "mail not sent; giving up");
                    metrics::mail("failed");
                }
            }
        }
    }
}
