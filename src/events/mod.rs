//! The event bus: how a change made on one node reaches the others.
//!
//! On PostgreSQL, a change notifies the channel `frontdesk_events` (from a trigger, or with
//! `pg_notify` inside the transaction making it), and every node `LISTEN`s: PostgreSQL delivers
//! at commit, never for a change rolled back. Payloads name what changed, never carry it (they
//! must stay under 8 kB), and listeners read the data itself from the database. On SQLite all
//! the application's nodes are one process, so the bus is an in-process channel. On both, a
//! poll of `config_version` catches changes made by the command line in another process, and
//! on PostgreSQL those made while the `LISTEN` connection was down.
//!
//! A listener that may have missed events (a dropped connection, a slow subscriber) gets
//! `Event::Missed` and must assume anything changed.

mod poll;
mod postgres;

use tokio::sync::broadcast;

use crate::db::{Backend, Db};

/// The channel every node listens on (PostgreSQL).
pub const CHANNEL: &str = "frontdesk_events";

/// What changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A portal or a portal setting.
    ConfigChanged,
    /// Events may have been lost: whatever depends on them should start over.
    Missed,
}

impl Event {
    /// The payload sent on the channel.
    pub fn payload(self) -> &'static str {
        match self {
            Event::ConfigChanged => "config",
            Event::Missed => "missed",
        }
    }

    pub fn parse(payload: &str) -> Option<Event> {
        match payload {
            "config" => Some(Event::ConfigChanged),
            "missed" => Some(Event::Missed),
            _ => None,
        }
    }
}

/// This node's end of the bus.
#[derive(Clone, Debug)]
pub struct EventBus {
    sender: broadcast::Sender<Event>,
}

impl EventBus {
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }

    fn deliver(&self, event: Event) {
        // Nobody listening is fine: nothing depends on the event yet.
        let _ = self.sender.send(event);
    }
}

/// Starts listening for changes (made by this node, other nodes, or the command line) and keeps
/// this node's copy of the portals and settings current. Stops when the database is closed.
pub fn start(db: &Db) -> EventBus {
    let (sender, _) = broadcast::channel(256);
    let bus = EventBus { sender };
    if db.backend() == Backend::Postgres {
        tokio::spawn(postgres::listen(db.clone(), bus.clone()));
    }
    // On PostgreSQL too: a notification is quicker, but never arrives while `LISTEN` is down.
    tokio::spawn(poll::watch_config_version(db.clone(), bus.clone()));
    tokio::spawn(forget_changed_config(db.clone(), bus.subscribe()));
    bus
}

async fn forget_changed_config(db: Db, mut events: broadcast::Receiver<Event>) {
    loop {
        match events.recv().await {
            Ok(Event::ConfigChanged | Event::Missed) | Err(broadcast::error::RecvError::Lagged(_)) => {
                db.config_cache().forget()
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}
