//! Subscriptions to one topic (a chat, a queue, an agent, a ticket), so that ten thousand open
//! chats do not each look at every event of the node. A topic's channel exists while someone
//! holds a receiver for it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;

use super::Event;

/// What a receiver follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Topic {
    Chat { portal_id: i64, chat_id: i64 },
    Queue { portal_id: i64, department_id: i64 },
    Agent { portal_id: i64, staff_id: i64 },
    TicketViewers { portal_id: i64, ticket_id: i64 },
    Kb { portal_id: i64 },
    Session { session_id: i64 },
}

impl Event {
    /// The topic an event belongs to; `None` for those every topic hears (`Missed`) or none does.
    pub fn topic(self) -> Option<Topic> {
        Some(match self {
            Event::Chat { portal_id, chat_id }
            | Event::ChatMessage { portal_id, chat_id, .. }
            | Event::Typing { portal_id, chat_id, .. } => Topic::Chat { portal_id, chat_id },
            Event::Queue { portal_id, department_id } => Topic::Queue { portal_id, department_id },
            Event::Agent { portal_id, staff_id } => Topic::Agent { portal_id, staff_id },
            Event::TicketViewers { portal_id, ticket_id } => Topic::TicketViewers { portal_id, ticket_id },
            Event::Kb { portal_id } => Topic::Kb { portal_id },
            Event::SessionEnded { session_id } => Topic::Session { session_id },
            Event::ConfigChanged | Event::SignInsChanged | Event::Missed => return None,
        })
    }
}

/// Per topic, a small channel.
#[derive(Clone, Debug, Default)]
pub(super) struct Topics(Arc<Mutex<HashMap<Topic, broadcast::Sender<Event>>>>);

/// Events of one topic. `recv` gives `Event::Missed` when events were lost.
pub struct TopicReceiver {
    receiver: broadcast::Receiver<Event>,
}

impl TopicReceiver {
    /// The next event; `None` once the bus is gone.
    pub async fn recv(&mut self) -> Option<Event> {
        match self.receiver.recv().await {
            Ok(event) => Some(event),
            Err(broadcast::error::RecvError::Lagged(_)) => Some(Event::Missed),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}

/// Events one topic may queue for a slow receiver before it is told it missed some.
const TOPIC_BACKLOG: usize = 64;

impl Topics {
    pub(super) fn subscribe(&self, topic: Topic) -> TopicReceiver {
        let mut topics = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let sender = topics.entry(topic).or_insert_with(|| broadcast::channel(TOPIC_BACKLOG).0);
        TopicReceiver { receiver: sender.subscribe() }
    }

    pub(super) fn deliver(&self, event: Event) {
        let mut topics = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match event.topic() {
            Some(topic) => {
                // An error: its last receiver is gone.
                if let Some(sender) = topics.get(&topic)
                    && sender.send(event).is_err()
                {
                    topics.remove(&topic);
                }
            }
            None if event == Event::Missed => {
                topics.retain(|_, sender| sender.send(Event::Missed).is_ok());
            }
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_receiver_hears_its_topic_and_missed_only() {
        let topics = Topics::default();
        let mut chat = topics.subscribe(Topic::Chat { portal_id: 1, chat_id: 2 });
        topics.deliver(Event::Chat { portal_id: 1, chat_id: 3 });
        topics.deliver(Event::Chat { portal_id: 2, chat_id: 2 });
        topics.deliver(Event::Typing { portal_id: 1, chat_id: 2, agent: true });
        topics.deliver(Event::Missed);
        assert_eq!(chat.recv().await, Some(Event::Typing { portal_id: 1, chat_id: 2, agent: true }));
        assert_eq!(chat.recv().await, Some(Event::Missed));
    }

    #[tokio::test]
    async fn a_topic_nobody_follows_is_forgotten() {
        let topics = Topics::default();
        drop(topics.subscribe(Topic::Kb { portal_id: 1 }));
        topics.deliver(Event::Kb { portal_id: 1 });
        assert!(topics.0.lock().unwrap().is_empty());
    }
}
