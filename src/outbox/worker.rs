//! The outbox worker. Every node runs one; they share the work through leases on the rows.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use super::sms::SmsSender;
use super::smtp::{SendError, SmtpSender};
use super::{Claimed, claim, mark_failed, mark_retry, mark_sent, release_claims_of, renew_claim};
use crate::db::{Db, now};

/// Messages claimed at once. Each one's claim is renewed just before it is sent, so a batch
/// may take longer than the lease; messages whose lease ran out meanwhile are another node's.
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

/// How a node's workers claim and retry messages.
#[derive(Clone, Debug)]
pub struct WorkerSettings {
    /// This node's stable name (see `OutboxConfig::node_id`).
    pub node_id: String,
    pub lease_secs: i64,
    pub retry_base_secs: i64,
}

impl WorkerSettings {
    /// How long one send may take: well inside the lease, so that the outcome is recorded
    /// while the claim still holds.
    fn send_budget(&self) -> Duration {
        Duration::from_millis((self.lease_secs.max(1) as u64) * 750)
    }
}

/// The default node name: the host name and the bound address. It survives a restart (same
/// host, same address) and differs between two nodes on one machine (they cannot share an
/// address). With port 0 it changes on every start: set `FRONTDESK_NODE_ID` then.
pub fn default_node_id(bound: std::net::SocketAddr) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into());
    format!("{host}/{bound}")
}

/// Runs a worker for one kind of message until the process ends. It first takes back the
/// messages this node had claimed before it restarted, so they go out at once.
pub fn spawn_worker(db: Db, sender: Sender, signal: OutboxSignal, settings: WorkerSettings) {
    let wake = signal.for_kind(sender.kind());
    tokio::spawn(async move {
        match release_claims_of(&db, sender.kind(), &settings.node_id).await {
            Ok(0) => {}
            Ok(n) => {
                tracing::info!(messages = n, node = %settings.node_id, "outbox: took back this node's claims from before its restart")
            }
            Err(e) => {
                tracing::warn!(error = %e, "outbox: could not take back this node's earlier claims; they wait for their lease to end")
            }
        }
        loop {
            let batch = match claim(&db, sender.kind(), &settings.node_id, settings.lease_secs, BATCH).await {
                Ok(b) => b,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox: could not claim messages");
                    Vec::new()
                }
            };
            let idle = batch.is_empty();
            for message in batch {
                deliver(&db, &sender, &message, &settings).await;
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

/// Sends one claimed message if its claim still holds, and records the outcome.
async fn deliver(db: &Db, sender: &Sender, message: &Claimed, settings: &WorkerSettings) {
    match renew_claim(db, message, settings.lease_secs).await {
        Ok(true) => {}
        Ok(false) => {
            tracing::info!(
                id = message.id,
                "outbox: the claim ran out and another node took the message; not sending it here"
            );
            return;
        }
        Err(e) => {
            tracing::warn!(error = %e, id = message.id, "outbox: could not renew the claim; not sending now");
            return;
        }
    }
    let outcome = match tokio::time::timeout(settings.send_budget(), sender.send(message)).await {
        Ok(outcome) => outcome,
        Err(_) => Err(SendError::Temporary("sending took longer than the outbox lease allows".into())),
    };
    match record(db, message, outcome, settings.retry_base_secs).await {
        Ok(true) => {}
        Ok(false) => tracing::warn!(
            id = message.id,
            "outbox: the claim ran out while sending; another node may send this message again (same Message-ID)"
        ),
        Err(e) => {
            tracing::warn!(error = %e, id = message.id, "outbox: could not record the outcome; the lease will expire and it is retried")
        }
    }
}

/// Records what happened; false when the claim was lost meanwhile (nothing is changed then).
async fn record(
    db: &Db,
    message: &Claimed,
    outcome: Result<(), SendError>,
    retry_base_secs: i64,
) -> Result<bool, sqlx::Error> {
    match outcome {
        Ok(()) => {
            tracing::info!(id = message.id, kind = %message.kind, to = %message.recipient, subject = %message.subject, "message sent");
            mark_sent(db, message).await
        }
        Err(SendError::Permanent(reason)) => {
            tracing::warn!(id = message.id, to = %message.recipient, %reason, "message refused; marked failed");
            mark_failed(db, message, &reason).await
        }
        Err(SendError::Temporary(reason)) if message.attempts >= MAX_ATTEMPTS => {
            tracing::warn!(id = message.id, to = %message.recipient, %reason, "message gave up after {MAX_ATTEMPTS} attempts");
            mark_failed(db, message, &format!("gave up after {MAX_ATTEMPTS} attempts: {reason}")).await
        }
        Err(SendError::Temporary(reason)) => {
            let delay = retry_delay(retry_base_secs, message.attempts);
            tracing::info!(id = message.id, to = %message.recipient, %reason, retry_in_secs = delay, "message not sent yet; will retry");
            mark_retry(db, message, now() + delay, &reason).await
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
