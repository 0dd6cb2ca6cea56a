//! SQLite: ordinary messages stored and numbered by one statement, several at a time.
//!
//! `append_on` in a transaction makes five calls (`BEGIN`, the numbering, the resend and flood
//! check, the insert, `COMMIT`), and each call is a hop to the connection's thread and back.
//! SQLite has one writer, so at a thousand messages a second those hops were the queue: on a
//! machine where waking a thread is dear (a virtual machine under load), messages waited
//! seconds for it. Here a task takes every ordinary message waiting, up to `MOST_PER_BATCH` of
//! distinct chats, and stores them with one `INSERT ... SELECT`: one hop for all of them. The
//! trigger of migration 0031 moves each chat's counter with its insert. The task tells this
//! process of each message stored and keeps it in the node's copy, before it answers.
//!
//! A statement that writes takes SQLite's write lock before it reads, so the numbers it reads are
//! still the last when it inserts, whoever else writes to the file. As on PostgreSQL
//! (`store_pg`), only the ordinary case is stored here: an open chat (for an agent, their own
//! active chat), a current session (for a socket's message), no message of this sender with
//! this client id, the sender under the flood limit. Anything else (and every message of a batch that failed) answers `None`, and the
//! caller takes the careful path, which says exactly why.

use std::collections::{HashMap, VecDeque};

use sqlx::Row;
use tokio::sync::{mpsc, oneshot};

use super::recent::RecentMessages;
use super::store::{Author, ChatMessage, FLOOD_LIMIT, FLOOD_WINDOW_SECS, Numbered, Ordinary};
use crate::auth::sessions::InUse;
use crate::db::Db;
use crate::events::{Event, EventBus};

/// The most messages one statement stores. Batches are padded to a power of two up to this, so
/// that the connection keeps six prepared statements, not thirty-two.
const MOST_PER_BATCH: usize = 32;
/// Messages waiting for the writing task before senders wait to hand theirs over.
const QUEUE: usize = 4096;
/// Messages the task looks through for a batch of distinct chats.
const LOOK_AHEAD: usize = 4 * MOST_PER_BATCH;
/// Values bound per message.
const COLUMNS: usize = 11;

/// The handle senders use: the writing task's queue.
#[derive(Clone, Debug)]
pub struct Batcher {
    jobs: mpsc::Sender<Job>,
}

#[derive(Debug)]
struct Job {
    portal_id: i64,
    chat_id: i64,
    author: Author,
    client_id: String,
    body: String,
    at: i64,
    session: Option<InUse>,
    reply: oneshot::Sender<Option<ChatMessage>>,
}

impl Job {
    fn chat(&self) -> (i64, i64) {
        (self.portal_id, self.chat_id)
    }

    fn message(&self, numbered: Numbered) -> ChatMessage {
        Ordinary {
            portal_id: self.portal_id,
            chat_id: self.chat_id,
            author: self.author,
            client_id: &self.client_id,
            body: &self.body,
            at: self.at,
            session: self.session,
        }
        .stored(numbered)
    }
}

/// What the task needs besides the database: whom to tell, and the copy to keep messages in.
struct Telling {
    events: EventBus,
    recent: RecentMessages,
}

impl Batcher {
    /// Starts the writing task, which ends once every handle is dropped.
    pub fn start(db: Db, events: EventBus, recent: RecentMessages) -> Batcher {
        let (jobs, queue) = mpsc::channel(QUEUE);
        tokio::spawn(write_batches(db, Telling { events, recent }, queue));
        Batcher { jobs }
    }

    /// Stores `message` with whatever else is waiting; `None` when the careful path must take it
    /// (or the task is gone, which that path then reports). The task tells and keeps what it
    /// stores itself: a sender that gives up waiting leaves no message untold.
    pub async fn append(&self, message: &Ordinary<'_>) -> Option<ChatMessage> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            portal_id: message.portal_id,
            chat_id: message.chat_id,
            author: message.author,
            client_id: message.client_id.to_string(),
            body: message.body.to_string(),
            at: message.at,
            session: message.session,
            reply,
        };
        self.jobs.send(job).await.ok()?;
        answer.await.ok().flatten()
    }
}

async fn write_batches(db: Db, telling: Telling, mut queue: mpsc::Receiver<Job>) {
    let mut waiting: VecDeque<Job> = VecDeque::new();
    loop {
        if waiting.is_empty() {
            match queue.recv().await {
                Some(job) => waiting.push_back(job),
                None => return,
            }
        }
        while waiting.len() < LOOK_AHEAD
            && let Ok(job) = queue.try_recv()
        {
            waiting.push_back(job);
        }
        let batch = take_batch(&mut waiting);
        let mut stored = insert(&db, &batch).await.unwrap_or_else(|e| {
            // A resend racing its first copy breaks a unique key, as does an agent deleted
            // meanwhile; a busy file times out. Each message then answers for itself.
            tracing::warn!(error = %e, messages = batch.len(), "a batch of chat messages takes the careful path");
            HashMap::new()
        });
        for job in batch {
            let message = stored.remove(&job.chat()).map(|numbered| job.message(numbered));
            if let Some(message) = &message {
                telling.recent.remember(job.portal_id, job.chat_id, std::slice::from_ref(message));
                let told = Event::ChatMessage { portal_id: job.portal_id, chat_id: job.chat_id, seq: message.seq };
                telling.events.committed(&[told]);
            }
            let _ = job.reply.send(message);
        }
    }
}

/// Up to `MOST_PER_BATCH` of the waiting messages, one per chat: two of one chat would both read
/// its last number. The others stay waiting, in their order.
fn take_batch(waiting: &mut VecDeque<Job>) -> Vec<Job> {
    let mut batch: Vec<Job> = Vec::new();
    let mut rest = VecDeque::new();
    for job in waiting.drain(..) {
        if batch.len() < MOST_PER_BATCH && !batch.iter().any(|b| b.chat() == job.chat()) {
            batch.push(job);
        } else {
            rest.push_back(job);
        }
    }
    *waiting = rest;
    batch
}

/// Inserts the batch; what was stored, by portal and chat.
async fn insert(db: &Db, batch: &[Job]) -> Result<HashMap<(i64, i64), Numbered>, sqlx::Error> {
    let rows = batch.len().next_power_of_two();
    let sql = batch_sql(rows);
    // Audited: the text holds placeholders only; every value is bound.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for job in batch {
        query = query
            .bind(job.portal_id)
            .bind(job.chat_id)
            .bind(job.author.as_str())
            .bind(job.client_id.as_str())
            .bind(job.at - FLOOD_WINDOW_SECS)
            .bind(job.author.staff_id())
            .bind(job.body.as_str())
            .bind(job.at)
            .bind(FLOOD_LIMIT)
            .bind(job.session.map(|s| s.id))
            .bind(job.session.map(|s| s.seen_after));
    }
    // Padding rows name no chat, so they join none.
    for _ in batch.len()..rows {
        query = query.bind(None::<i64>).bind(None::<i64>);
        for _ in 2..COLUMNS {
            query = query.bind(None::<String>);
        }
    }
    let found = query.fetch_all(db.writer()).await?;
    found
        .iter()
        .map(|r| {
            let key = (r.try_get("portal_id")?, r.try_get("chat_id")?);
            Ok((key, Numbered { seq: r.try_get("seq")?, staff_name: r.try_get("staff_name")? }))
        })
        .collect()
}

/// The statement for `rows` messages of distinct chats.
fn batch_sql(rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|i| {
            let params: Vec<String> = (1..=COLUMNS).map(|k| format!("${}", i * COLUMNS + k)).collect();
            format!("({})", params.join(", "))
        })
        .collect();
    format!(
        "WITH v (portal_id, chat_id, author, client_id, since, staff_id, body, at, flood_limit, session_id, \
                 seen_after) AS (VALUES {}) \
         INSERT INTO chat_messages (portal_id, chat_id, seq, author, staff_id, client_id, body, created_at) \
         SELECT v.portal_id, v.chat_id, c.last_seq + 1, v.author, v.staff_id, v.client_id, v.body, v.at \
         FROM v JOIN chats c ON c.portal_id = v.portal_id AND c.id = v.chat_id \
         WHERE c.state <> 'ended' \
           AND (v.author <> 'agent' OR (c.agent_id = v.staff_id AND c.state = 'active')) \
           AND (v.session_id IS NULL OR EXISTS (SELECT 1 FROM sessions s WHERE s.id = v.session_id \
                AND s.expires_at > v.at AND s.last_seen_at > v.seen_after)) \
           AND NOT EXISTS (SELECT 1 FROM chat_messages m WHERE m.portal_id = v.portal_id \
                           AND m.chat_id = v.chat_id AND m.author = v.author AND m.client_id = v.client_id) \
           AND (SELECT COUNT(*) FROM chat_messages m WHERE m.portal_id = v.portal_id AND m.chat_id = v.chat_id \
                AND m.author = v.author AND m.created_at > v.since) < v.flood_limit \
         RETURNING portal_id, chat_id, seq, \
           (SELECT s.name FROM staff s WHERE s.id = chat_messages.staff_id) AS staff_name",
        values.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(chat_id: i64, client_id: &str) -> Job {
        let (reply, _) = oneshot::channel();
        let (author, body) = (Author::Customer, String::new());
        Job { portal_id: 1, chat_id, author, client_id: client_id.into(), body, at: 0, session: None, reply }
    }

    #[test]
    fn a_batch_holds_one_message_per_chat_and_the_rest_wait_in_order() {
        let mut waiting: VecDeque<Job> =
            [job(1, "a"), job(1, "b"), job(2, "c"), job(1, "d"), job(3, "e")].into_iter().collect();
        let ids = |jobs: &[&Job]| jobs.iter().map(|j| j.client_id.clone()).collect::<Vec<_>>().join(" ");
        let batch = take_batch(&mut waiting);
        assert_eq!(ids(&batch.iter().collect::<Vec<_>>()), "a c e", "a busy chat does not end the batch");
        assert_eq!(ids(&waiting.iter().collect::<Vec<_>>()), "b d");
        assert_eq!(take_batch(&mut waiting).len(), 1);
        assert_eq!(ids(&waiting.iter().collect::<Vec<_>>()), "d");
        let mut many: VecDeque<Job> = (0..40).map(|chat| job(chat, "x")).collect();
        assert_eq!((take_batch(&mut many).len(), many.len()), (MOST_PER_BATCH, 40 - MOST_PER_BATCH));
    }

    #[test]
    fn each_message_has_its_own_numbered_values() {
        let sql = batch_sql(2);
        assert!(sql.contains("VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11), ($12, $13, $14"));
        assert!(sql.contains("$22)") && !sql.contains("$23"));
    }
}
