//! PostgreSQL: this node's teller, which sends the events handed to `EventBus::tell_soon`, as
//! many as fit in one notification each time.
//!
//! No timer: an event alone goes at once, and while one notification is being sent the next
//! events gather, so at a thousand messages a second one carries several (one commit, one take
//! of the notification queue's lock). It has a connection of its own, so that a pool busy with
//! the messages themselves never holds their telling up, and it tries again until the event is
//! told or the database is closed; `EventBus::flush` waits until what was handed over is told
//! (a node stopping sends what it has before it closes the database).

use std::time::Duration;

use sqlx::{AnyConnection, Connection};
use tokio::sync::{mpsc, oneshot};

use super::payload::TOLD_APART;
use super::postgres::NOTIFY;
use super::{CHANNEL, Event};
use crate::db::Db;

/// A notification's payload must stay under 8,000 bytes: events told together fill up to this.
const MOST_PAYLOAD: usize = 7_000;
/// Events waiting for the teller before `EventBus::tell_soon` drops one (a database away for
/// a minute at a thousand messages a second).
const QUEUE: usize = 65_536;
/// A notification not sent within this is tried again on a new connection.
const SEND_WITHIN: Duration = Duration::from_secs(5);
/// Between tries, doubling from the first to the most.
const RETRY_FIRST: Duration = Duration::from_millis(50);
const RETRY_MOST: Duration = Duration::from_secs(2);

/// What the teller is handed.
#[derive(Debug)]
pub(super) enum Told {
    Event(Event),
    /// Answered once everything handed over before it is told.
    Flush(oneshot::Sender<()>),
}

/// Starts this node's teller, which ends once every handle is dropped.
pub(super) fn start(db: Db) -> mpsc::Sender<Told> {
    let (teller, queue) = mpsc::channel(QUEUE);
    tokio::spawn(tell(db, queue));
    teller
}

async fn tell(db: Db, mut queue: mpsc::Receiver<Told>) {
    let mut connection = None;
    let mut held_over = None;
    loop {
        let first = match held_over.take() {
            Some(event) => event,
            None => match queue.recv().await {
                Some(Told::Event(event)) => event,
                Some(Told::Flush(done)) => {
                    let _ = done.send(());
                    continue;
                }
                None => return,
            },
        };
        let mut payload = first.payload();
        let mut events = 1;
        let mut flushes = Vec::new();
        while let Ok(told) = queue.try_recv() {
            let event = match told {
                Told::Event(event) => event,
                // Answered after this notification, which holds all handed over before it.
                Told::Flush(done) => {
                    flushes.push(done);
                    continue;
                }
            };
            let more = event.payload();
            if payload.len() + 1 + more.len() > MOST_PAYLOAD {
                held_over = Some(event);
                break;
            }
            payload.push(TOLD_APART);
            payload.push_str(&more);
            events += 1;
        }
        send_until_told(&db, &mut connection, &payload, events).await;
        for done in flushes {
            let _ = done.send(());
        }
    }
}

/// Sends one notification, again and again on a new connection until it goes or the database
/// is closed (the node stopping).
async fn send_until_told(db: &Db, connection: &mut Option<AnyConnection>, payload: &str, events: usize) {
    let mut wait = RETRY_FIRST;
    let mut tries = 0u32;
    loop {
        let sent = tokio::time::timeout(SEND_WITHIN, send(db, connection, payload)).await;
        match sent {
            Ok(Ok(())) => {
                if tries > 0 {
                    tracing::info!(events, tries, "told the nodes of changes after a failure");
                }
                return;
            }
            Ok(Err(error)) => note_failure(tries, events, &error.to_string()),
            Err(_) => note_failure(tries, events, "no answer in time"),
        }
        *connection = None;
        if db.pool().is_closed() {
            // The changes are stored: sockets read them at their chat's next event or look.
            tracing::warn!(events, "the database closed before changes were told to the nodes");
            return;
        }
        tries += 1;
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(RETRY_MOST);
    }
}

fn note_failure(tries: u32, events: usize, error: &str) {
    if tries == 0 {
        tracing::warn!(error, events, "could not tell the nodes of changes; trying again until it can");
    } else {
        tracing::debug!(error, events, tries, "still cannot tell the nodes of changes");
    }
}

async fn send(db: &Db, connection: &mut Option<AnyConnection>, payload: &str) -> Result<(), sqlx::Error> {
    let open = match connection {
        Some(open) => open,
        None => connection.insert(AnyConnection::connect(db.url().as_str()).await?),
    };
    sqlx::query(NOTIFY).bind(CHANNEL).bind(payload).execute(open).await?;
    Ok(())
}
