//! The outbox worker. Every node runs one; they share the work through leases on the rows.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use super::sms::SmsSender;
use super::smtp::{SendError, SmtpSender};
use super::{Claimed, claim, mark_failed, mark_retry, mark_sent};
use crate::db::{Db, now};

/// How long a claimed message is reserved for the node that claimed it.
const LEASE_SECS: i64 = 120;
const BATCH: i64 = 20;
/// Without a wake-up, look for due messages (retries, other nodes' messages) this often.
const POLL: Duration = Duration::from_secs(2);
/// Temporary failures are retried with doubling delays; after this many attempts the message
/// is marked failed (about a day with the default 30 s base).
pub const MAX_ATTEMPTS: i64 = 12;
const MAX_DELAY_SECS: i64 = 6 * 3600;

/// Wakes the local workers when a message was queued, so it goes out at once. One `Notify` per
/// kind: `notify_one` keeps a wake-up for a worker that is busy right now.
#[derive(Clone, Default)]
pub struct OutboxSignal {
    email: Arc<Notify>,
    sms: Arc<Notify>,
}

impl OutboxSignal {
    pub fn notify(&self) {
        self.email.notify_one();
        self.sms.notify_one();
    }

    fn for_kind(&self, kind: &str) -> Arc<Notify> {
        if kind == "sms" { self.sms.clone() } else { self.email.clone() }
    }
}

/// The delay before attempt `attempts + 1`, after `attempts` temporary failures.
pub fn retry_delay(base_secs: i64, attempts: i64) -> i64 {
    let exp = (attempts - 1).clamp(0, 20) as u32;
    base_secs.saturating_mul(1i64 << exp).min(MAX_DELAY_SECS)
}

/// Delivers one kind of message.
#[derive(Clone)]
pub enum Sender {
    Email(SmtpSender),
    Sms(SmsSender),
}

impl Sender {
    fn kind(&self) -> &'static str {
        match self {
            Sender::Email(_) => "email",
            Sender::Sms(_) => "sms",
        }
    }

    async fn send(&self, message: &Claimed) -> Result<(), SendError> {
        match self {
            Sender::Email(s) => s.send(message).await,
            Sender::Sms(s) => s.send(message).await,
        }
    }
}

/// Runs a worker for one kind of message until the process ends.
pub fn spawn_worker(db: Db, sender: Sender, signal: OutboxSignal, retry_base_secs: i64) {
    let wake = signal.for_kind(sender.kind());
    tokio::spawn(async move {
        loop {
            let batch = match claim(&db, sender.kind(), LEASE_SECS, BATCH).await {
                Ok(b) => b,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox: could not claim messages");
                    Vec::new()
                }
            };
            let idle = batch.is_empty();
            for message in batch {
                let outcome = sender.send(&message).await;
                if let Err(e) = record(&db, &message, outcome, retry_base_secs).await {
                    tracing::warn!(error = %e, id = message.id, "outbox: could not record the outcome; the lease will expire and it is retried");
                }
            }
            if idle {
                tokio::select! {
                    _ = wake.notified() => {}
                    _ = tokio::time::sleep(POLL) => {}
                }
            }
        }
    });
}

async fn record(
    db: &Db,
    message: &Claimed,
    outcome: Result<(), SendError>,
    retry_base_secs: i64,
) -> Result<(), sqlx::Error> {
    match outcome {
        Ok(()) => {
            tracing::info!(id = message.id, kind = %message.kind, to = %message.recipient, subject = %message.subject, "message sent");
            mark_sent(db, message.id).await
        }
        Err(SendError::Permanent(reason)) => {
            tracing::warn!(id = message.id, to = %message.recipient, %reason, "message refused; marked failed");
            mark_failed(db, message.id, &reason).await
        }
        Err(SendError::Temporary(reason)) if message.attempts >= MAX_ATTEMPTS => {
            tracing::warn!(id = message.id, to = %message.recipient, %reason, "message gave up after {MAX_ATTEMPTS} attempts");
            mark_failed(db, message.id, &format!("gave up after {MAX_ATTEMPTS} attempts: {reason}")).await
        }
        Err(SendError::Temporary(reason)) => {
            let delay = retry_delay(retry_base_secs, message.attempts);
            tracing::info!(id = message.id, to = %message.recipient, %reason, retry_in_secs = delay, "message not sent yet; will retry");
            mark_retry(db, message.id, now() + delay, &reason).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::retry_delay;

    #[test]
    fn retry_delays_double_and_are_capped() {
        assert_eq!(retry_delay(30, 1), 30);
        assert_eq!(retry_delay(30, 2), 60);
        assert_eq!(retry_delay(30, 5), 480);
        assert_eq!(retry_delay(30, 30), 6 * 3600);
    }
}
