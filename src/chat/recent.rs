//! This node's copy of each chat's latest messages, so that a new message reaches every socket
//! of its chat on this node without each reading it back from the database. The node that
//! stored a message keeps it here, and on another node the first socket that reads it does.
//! A stored message never changes, so a copy is never wrong; it may only lack some, and then
//! the socket reads the database.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::store::ChatMessage;

/// Messages kept per chat: enough for a burst between two reads of one socket.
const PER_CHAT: usize = 16;
/// When the newer half holds this many chats or bytes of text, the older half is dropped.
const CHATS_PER_HALF: usize = 10_000;
const BYTES_PER_HALF: usize = 8 << 20;

type Key = (i64, i64);

#[derive(Clone, Debug, Default)]
pub struct RecentMessages(Arc<Mutex<Halves>>);

/// Two generations: chats written lately, and those written before; a lookup tries both, and
/// filling the newer one past its limits drops the older. Cheaper than ordering every use.
#[derive(Debug, Default)]
struct Halves {
    newer: Half,
    older: Half,
}

#[derive(Debug, Default)]
struct Half {
    chats: HashMap<Key, Vec<Arc<ChatMessage>>>,
    bytes: usize,
}

fn size_of(m: &ChatMessage) -> usize {
    m.body.len() + m.client_id.as_ref().map_or(0, String::len) + 64
}

impl RecentMessages {
    /// Keeps messages just stored or read, in order of `seq`. Ones not following those kept
    /// (a gap) replace them.
    pub fn remember(&self, portal_id: i64, chat_id: i64, messages: &[ChatMessage]) {
        let Some(first) = messages.first() else { return };
        let mut halves = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let key = (portal_id, chat_id);
        let mut kept = halves.newer.chats.remove(&key).or_else(|| halves.older.chats.remove(&key)).unwrap_or_default();
        let last = kept.last().map(|m| m.seq);
        if last.is_some_and(|last| first.seq > last + 1) || last.is_none() {
            kept.clear();
        }
        for m in messages {
            if kept.last().is_none_or(|last| m.seq == last.seq + 1) {
                halves.newer.bytes += size_of(m);
                kept.push(Arc::new(m.clone()));
            }
        }
        if kept.len() > PER_CHAT {
            kept.drain(..kept.len() - PER_CHAT);
        }
        halves.newer.chats.insert(key, kept);
        if halves.newer.chats.len() >= CHATS_PER_HALF || halves.newer.bytes >= BYTES_PER_HALF {
            halves.older = std::mem::take(&mut halves.newer);
        }
    }

    /// Messages `after + 1 ..= up_to` of a chat, if this node has every one of them.
    pub fn between(&self, portal_id: i64, chat_id: i64, after: i64, up_to: i64) -> Option<Vec<Arc<ChatMessage>>> {
        let halves = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let key = (portal_id, chat_id);
        let kept = halves.newer.chats.get(&key).or_else(|| halves.older.chats.get(&key))?;
        let first = kept.first()?.seq;
        if first > after + 1 || kept.last()?.seq < up_to {
            return None;
        }
        Some(kept.iter().filter(|m| m.seq > after && m.seq <= up_to).cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(seq: i64) -> ChatMessage {
        ChatMessage {
            seq,
            author: "customer".into(),
            staff_id: None,
            staff_name: None,
            client_id: None,
            body: format!("message {seq}"),
            file: None,
            created_at: 0,
        }
    }

    fn seqs(found: Option<Vec<Arc<ChatMessage>>>) -> Option<Vec<i64>> {
        found.map(|ms| ms.iter().map(|m| m.seq).collect())
    }

    #[test]
    fn answers_only_with_every_message_asked_for() {
        let recent = RecentMessages::default();
        recent.remember(1, 7, &[message(3), message(4)]);
        assert_eq!(seqs(recent.between(1, 7, 2, 4)), Some(vec![3, 4]));
        assert_eq!(seqs(recent.between(1, 7, 3, 4)), Some(vec![4]));
        // Message 2 is not here; nor is 5; nor another portal's chat 7.
        assert_eq!(seqs(recent.between(1, 7, 1, 4)), None);
        assert_eq!(seqs(recent.between(1, 7, 3, 5)), None);
        assert_eq!(seqs(recent.between(2, 7, 2, 4)), None);
        recent.remember(1, 7, &[message(5)]);
        assert_eq!(seqs(recent.between(1, 7, 2, 5)), Some(vec![3, 4, 5]));
        // A gap: what was kept before it is dropped.
        recent.remember(1, 7, &[message(9)]);
        assert_eq!(seqs(recent.between(1, 7, 4, 5)), None);
        assert_eq!(seqs(recent.between(1, 7, 8, 9)), Some(vec![9]));
    }

    #[test]
    fn keeps_a_bounded_number() {
        let recent = RecentMessages::default();
        let many: Vec<_> = (1..=40).map(message).collect();
        recent.remember(1, 1, &many);
        assert_eq!(seqs(recent.between(1, 1, 39, 40)), Some(vec![40]));
        assert_eq!(seqs(recent.between(1, 1, 0, 40)), None);
        for chat in 0..(2 * CHATS_PER_HALF as i64 + 1) {
            recent.remember(2, chat, &[message(1)]);
        }
        assert_eq!(seqs(recent.between(2, 0, 0, 1)), None, "the oldest chats are dropped");
        assert_eq!(seqs(recent.between(2, 2 * CHATS_PER_HALF as i64, 0, 1)), Some(vec![1]));
        let halves = recent.0.lock().unwrap();
        assert!(halves.newer.chats.len() + halves.older.chats.len() <= 2 * CHATS_PER_HALF);
    }
}
