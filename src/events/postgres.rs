//! PostgreSQL: one `LISTEN` connection per node, kept open; it is re-opened after any failure,
//! and every (re)connection is reported as `Event::Missed`, since notifications sent while
//! nobody listened are gone.

use std::time::Duration;

use sqlx::AnyConnection;
use sqlx::postgres::PgListener;
use tokio::sync::mpsc;

use super::{CHANNEL, Event, EventBus};
use crate::db::Db;

/// Before connecting again after a failure.
const RETRY: Duration = Duration::from_secs(1);

pub(super) async fn listen(db: Db, bus: EventBus) {
    while !db.pool().is_closed() {
        if let Err(e) = listen_once(&db, &bus).await {
            bus.set_live(false);
            bus.deliver(Event::Missed);
            tracing::warn!(error = %e, "lost the database's event channel; reconnecting");
            tokio::time::sleep(RETRY).await;
        }
    }
}

async fn listen_once(db: &Db, bus: &EventBus) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect(db.url().as_str()).await?;
    listener.listen(CHANNEL).await?;
    bus.set_live(true);
    bus.deliver(Event::Missed);
    while !db.pool().is_closed() {
        // Not wrapped in a timeout: a receive cut short could drop half a message. The task
        // ends with its runtime (the process, or a test's).
        match listener.try_recv().await? {
            // The connection dropped: whatever comes until a new one listens is lost. A new
            // connection (the next call) says so again once it listens.
            None => {
                bus.set_live(false);
                bus.deliver(Event::Missed);
                return Ok(());
            }
            // One event, or several told together (`tell`).
            Some(notification) => {
                for event in Event::parse_told(notification.payload()) {
                    match event {
                        Ok(event) => bus.deliver(event),
                        Err(payload) => tracing::debug!(payload, "unknown event"),
                    }
                }
            }
        }
    }
    Ok(())
}

/// Sends one event to every node's `LISTEN`.
pub(super) async fn notify(db: &Db, event: Event) -> Result<(), sqlx::Error> {
    sqlx::query(NOTIFY).bind(CHANNEL).bind(event.payload()).execute(db.pool()).await?;
    Ok(())
}

/// Sends one event when the transaction on `tx` commits (not at all if it rolls back).
pub(super) async fn notify_on(tx: &mut AnyConnection, event: Event) -> Result<(), sqlx::Error> {
    sqlx::query(NOTIFY).bind(CHANNEL).bind(event.payload()).execute(tx).await?;
    Ok(())
}

const NOTIFY: &str = "SELECT pg_notify($1, $2)";

/// A notification's payload must stay under 8,000 bytes: events told together fill up to this.
const MOST_PAYLOAD: usize = 7_000;
/// Events waiting for the teller before `EventBus::tell_soon` drops one (a database away for
/// seconds at a thousand messages a second).
const TELLER_QUEUE: usize = 65_536;
/// Before the one more try of a notification that failed.
const TELL_RETRY: Duration = Duration::from_millis(100);

/// Starts this node's teller, which ends once every handle is dropped.
pub(super) fn start_teller(db: Db) -> mpsc::Sender<Event> {
    let (teller, queue) = mpsc::channel(TELLER_QUEUE);
    tokio::spawn(tell(db, queue));
    teller
}

/// Sends the events waiting, as many as fit in one notification each time. No timer: an event
/// alone goes at once, and while one notification is being sent the next events gather, so at
/// a thousand messages a second one carries several (and one commit takes the queue's lock).
async fn tell(db: Db, mut queue: mpsc::Receiver<Event>) {
    let mut held_over = None;
    loop {
        let first = match held_over.take() {
            Some(event) => Some(event),
            None => queue.recv().await,
        };
        let Some(first) = first else { return };
        let mut payload = first.payload();
        let mut events = 1;
        while let Ok(event) = queue.try_recv() {
            let more = event.payload();
            if payload.len() + 1 + more.len() > MOST_PAYLOAD {
                held_over = Some(event);
                break;
            }
            payload.push(super::payload::TOLD_APART);
            payload.push_str(&more);
            events += 1;
        }
        let sent = match sqlx::query(NOTIFY).bind(CHANNEL).bind(&payload).execute(db.pool()).await {
            Ok(_) => Ok(()),
            Err(_) => {
                tokio::time::sleep(TELL_RETRY).await;
                sqlx::query(NOTIFY).bind(CHANNEL).bind(&payload).execute(db.pool()).await.map(drop)
            }
        };
        if let Err(e) = sent {
            // The changes are stored: sockets read them at their chat's next event or look.
            tracing::warn!(error = %e, events, "could not tell the nodes of changes");
        }
    }
}
