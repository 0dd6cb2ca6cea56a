//! PostgreSQL: one `LISTEN` connection per node, kept open; it is re-opened after any failure,
//! and every (re)connection is reported as `Event::Missed`, since notifications sent while
//! nobody listened are gone.

use std::time::Duration;

use sqlx::AnyConnection;
use sqlx::postgres::PgListener;

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

pub(super) const NOTIFY: &str = "SELECT pg_notify($1, $2)";
