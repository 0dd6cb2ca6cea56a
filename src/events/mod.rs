//! The event bus: how a change made on one node reaches the others.
//!
//! On PostgreSQL, a change notifies the channel `frontdesk_events` (from a trigger, or with
//! `pg_notify` after the transaction making it), and every node `LISTEN`s, itself included.
//! Payloads name what changed, never carry it (they must stay under 8 kB), and listeners read
//! the data itself from the database. On SQLite all the application's nodes are one process, so
//! the bus is an in-process channel. On both, a poll of `config_version` catches changes made by
//! the command line in another process, and on PostgreSQL those made while the `LISTEN`
//! connection was down.
//!
//! A listener that may have missed events (a dropped connection, a slow subscriber) gets
//! `Event::Missed` and must assume anything changed. Events are published after the change is
//! committed. With `publish` a node that dies in between loses the event but not the change;
//! `publish_in` sends them with the transaction on PostgreSQL, so that nothing is lost.

mod payload;
mod poll;
mod postgres;
mod teller;
mod topics;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use sqlx::AnyConnection;
use tokio::sync::{broadcast, mpsc};

use crate::db::{Backend, Db};
pub use topics::{Topic, TopicReceiver};

/// The channel every node listens on (PostgreSQL).
pub const CHANNEL: &str = "frontdesk_events";

/// What changed. Ids only: whoever cares reads the rest from the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Event {
    /// A portal or a portal setting.
    ConfigChanged,
    /// Events may have been lost: whatever depends on them should start over.
    Missed,
    /// A chat changed: its state or its agent (and perhaps messages were added).
    Chat { portal_id: i64, chat_id: i64 },
    /// Message `seq` was added to a chat, and nothing else changed.
    ChatMessage { portal_id: i64, chat_id: i64, seq: i64 },
    /// Someone is typing in a chat (`agent`: on the agent's side). Never stored.
    Typing { portal_id: i64, chat_id: i64, agent: bool },
    /// A department's chat queue changed: positions and waits move.
    Queue { portal_id: i64, department_id: i64 },
    /// An agent's presence or chats changed, or they were offered one.
    Agent { portal_id: i64, staff_id: i64 },
    /// Who is looking at or answering a ticket changed.
    TicketViewers { portal_id: i64, ticket_id: i64 },
    /// A portal's knowledge base changed.
    Kb { portal_id: i64 },
    /// A session ended (signed out, ended by its owner or an administrator, a password changed,
    /// expired and purged): its sockets close. Sent by the database itself (migration 0029).
    SessionEnded { session_id: i64 },
    /// Customers were changed or deleted, or sessions ended (which ones is not said). Sent by the
    /// database itself (migration 0037): notified for customers, counted for both.
    SignInsChanged,
}

/// This node's end of the bus.
#[derive(Clone, Debug)]
pub struct EventBus {
    sender: broadcast::Sender<Event>,
    topics: topics::Topics,
    db: Db,
    /// Whether every change made elsewhere reaches this node now: false on PostgreSQL while the
    /// `LISTEN` connection is down.
    live: Arc<AtomicBool>,
    /// How many times `Event::Missed` was delivered, counted before it is sent, so that a copy
    /// can tell whether it heard the latest (`misses`).
    misses: Arc<AtomicU64>,
    /// On PostgreSQL, this node's teller task (`tell_soon`, `teller`).
    teller: Option<mpsc::Sender<teller::Told>>,
}

impl EventBus {
    /// Every event (for workers; a subscriber that falls behind gets `Lagged`: treat as `Missed`).
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }

    /// The events of one topic (one chat, one queue...), and every `Missed`.
    pub fn subscribe_to(&self, topic: Topic) -> TopicReceiver {
        self.topics.subscribe(topic)
    }

    /// Tells every node (this one too) of a change already committed. On PostgreSQL a
    /// notification; on SQLite, at once in this process. Failing to notify loses the event, not
    /// the change, so it is logged, not returned.
    pub async fn publish(&self, event: Event) {
        match self.db.backend() {
            Backend::Postgres => {
                if let Err(e) = postgres::notify(&self.db, event).await {
                    tracing::warn!(error = %e, ?event, "could not publish an event");
                }
            }
            Backend::Sqlite => self.deliver(event),
        }
    }

    /// Tells every node of a change already committed, with the others told at about the same
    /// time: on PostgreSQL this node's teller sends as many as fit in one notification
    /// (`teller`); on SQLite they reach this process at once. For what happens many
    /// times a second (chat messages, typing): a transaction that notifies holds PostgreSQL's
    /// lock of the notification queue from its commit to its end, so every such commit in the
    /// cluster waits for the one before (with `fsync`, for its flush too); the change's own
    /// statement then notifies nothing. As with `publish`, a node that dies between the commit
    /// and the telling loses the event, not the change.
    pub fn tell_soon(&self, event: Event) {
        match &self.teller {
            Some(teller) => match teller.try_send(teller::Told::Event(event)) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(_)) => {
                    tracing::warn!(?event, "too many events are waiting to be told; this one is dropped")
                }
                Err(mpsc::error::TrySendError::Closed(_)) => {
                    tracing::warn!(?event, "the teller has stopped; this event is not told")
                }
            },
            None => self.deliver(event),
        }
    }

    /// Waits until every event handed to `tell_soon` so far is told (at most `within`): a node
    /// stopping calls it before it closes the database.
    pub async fn flush(&self, within: std::time::Duration) {
        let Some(teller) = &self.teller else { return };
        let (done, told) = tokio::sync::oneshot::channel();
        if teller.send(teller::Told::Flush(done)).await.is_ok() && tokio::time::timeout(within, told).await.is_err() {
            tracing::warn!("stopping before every change was told to the other nodes");
        }
    }

    /// Queues events with the changes of a transaction not yet committed. On PostgreSQL the
    /// notifications go out when, and only if, it commits: no node can die between a change and
    /// its telling. On SQLite nothing happens until `committed`.
    pub async fn publish_in(&self, tx: &mut AnyConnection, events: &[Event]) -> Result<(), sqlx::Error> {
        if self.db.backend() == Backend::Postgres {
            for event in events {
                postgres::notify_on(tx, *event).await?;
            }
        }
        Ok(())
    }

    /// After the transaction given to `publish_in` has committed: on SQLite, tells this process.
    pub fn committed(&self, events: &[Event]) {
        if self.db.backend() == Backend::Sqlite {
            for event in events {
                self.deliver(*event);
            }
        }
    }

    /// Whether this node hears every change as it is made. While it does not, a copy kept
    /// because no event said it changed must be checked against the database.
    pub fn is_live(&self) -> bool {
        self.live.load(Ordering::Acquire)
    }

    fn set_live(&self, live: bool) {
        self.live.store(live, Ordering::Release);
    }

    /// How many times this node may have missed events so far. A copy that forgets all at
    /// `Event::Missed` and was told of fewer may hold what a missed event would have dropped.
    pub fn misses(&self) -> u64 {
        self.misses.load(Ordering::Acquire)
    }

    fn deliver(&self, event: Event) {
        if event == Event::Missed {
            self.misses.fetch_add(1, Ordering::AcqRel);
        }
        // Nobody listening is fine.
        let _ = self.sender.send(event);
        self.topics.deliver(event);
    }
}

/// Starts listening for changes (made by this node, other nodes, or the command line) and keeps
/// this node's copy of the portals and settings current. Stops when the database is closed.
pub fn start(db: &Db) -> EventBus {
    let (sender, _) = broadcast::channel(1024);
    let on_sqlite = db.backend() == Backend::Sqlite;
    let live = Arc::new(AtomicBool::new(on_sqlite));
    let teller = (!on_sqlite).then(|| teller::start(db.clone()));
    let misses = Arc::default();
    let bus = EventBus { sender, topics: topics::Topics::default(), db: db.clone(), live, misses, teller };
    if on_sqlite {
        // PostgreSQL's trigger notifies instead (migration 0029).
        tokio::spawn(poll::watch_ended_sessions(db.clone(), bus.clone()));
    } else {
        tokio::spawn(postgres::listen(db.clone(), bus.clone()));
    }
    // On PostgreSQL too: a notification is quicker, but never arrives while `LISTEN` is down.
    tokio::spawn(poll::watch_config_version(db.clone(), bus.clone()));
    tokio::spawn(poll::watch_kb_versions(db.clone(), bus.clone()));
    tokio::spawn(forget_changed_config(db.clone(), bus.subscribe()));
    bus
}

async fn forget_changed_config(db: Db, mut events: broadcast::Receiver<Event>) {
    loop {
        match events.recv().await {
            Ok(Event::ConfigChanged | Event::Missed) | Err(broadcast::error::RecvError::Lagged(_)) => {
                db.config_cache().forget()
            }
            Ok(_) => {}
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}
