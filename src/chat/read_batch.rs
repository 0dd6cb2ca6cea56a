//! Messages read for this node's sockets, several chats at a time.
//!
//! A message stored on another node reaches this one as a notification (an id, never the
//! text), and the chat's socket here reads it from the database. At a thousand messages a
//! second that was a statement per message, and notifications arrive in bursts: the reads took
//! the node's pool, and everything else its sockets do (the session check before each message
//! sent) waited for a connection. Here one task takes every read waiting, up to
//! `MOST_PER_BATCH` chats, and reads them with one statement.
//!
//! Numbers within a chat have no gaps (each message takes the next), so "at most a page after
//! `after`" is the range `after + 1 ..= after + PAGE` (with gaps, fewer: the socket then reads
//! the rest itself, as after a full page).

use std::collections::HashMap;

use sqlx::Row;
use tokio::sync::{mpsc, oneshot};

use super::store::{ChatMessage, MESSAGE_FIELDS, MESSAGE_JOINS, PAGE, message_from_row};
use crate::db::Db;

/// The most chats one statement reads. Batches are padded to a power of two up to this, so
/// that a connection keeps six prepared statements, not thirty-two.
const MOST_PER_BATCH: usize = 32;
/// Reads waiting for the task before sockets wait to hand theirs over.
const QUEUE: usize = 4096;

/// The handle sockets use: the reading task's queue.
#[derive(Clone, Debug)]
pub struct MessageReader {
    jobs: mpsc::Sender<Job>,
}

#[derive(Debug)]
struct Job {
    chat: (i64, i64),
    after: i64,
    reply: oneshot::Sender<Option<Vec<ChatMessage>>>,
}

impl MessageReader {
    /// Starts the reading task, which ends once every handle is dropped.
    pub fn start(db: Db) -> MessageReader {
        let (jobs, queue) = mpsc::channel(QUEUE);
        tokio::spawn(read_batches(db, queue));
        MessageReader { jobs }
    }

    /// The chat's messages numbered after `after`, in order (at most `PAGE`); `None` while the
    /// database cannot be read (or the task is gone).
    pub async fn after(&self, portal_id: i64, chat_id: i64, after: i64) -> Option<Vec<ChatMessage>> {
        let (reply, answer) = oneshot::channel();
        self.jobs.send(Job { chat: (portal_id, chat_id), after, reply }).await.ok()?;
        answer.await.ok().flatten()
    }
}

async fn read_batches(db: Db, mut queue: mpsc::Receiver<Job>) {
    while let Some(first) = queue.recv().await {
        let mut jobs = vec![first];
        let mut asked: HashMap<(i64, i64), Range> = HashMap::from([(jobs[0].chat, Range::of(jobs[0].after))]);
        while asked.len() < MOST_PER_BATCH
            && let Ok(job) = queue.try_recv()
        {
            // Two sockets of one chat, at different numbers: one read covers both pages.
            asked.entry(job.chat).and_modify(|r| r.widen(job.after)).or_insert(Range::of(job.after));
            jobs.push(job);
        }
        let asked: Vec<((i64, i64), Range)> = asked.into_iter().collect();
        // Tried twice (a connection not free in time, a statement cut short), then each
        // socket is told nothing this time and reads again at its chat's next event or look.
        let mut read = match read_in_time(&db, &asked).await {
            Ok(read) => read,
            Err(_) => match read_in_time(&db, &asked).await {
                Ok(read) => read,
                Err(e) => {
                    tracing::warn!(error = %e, chats = asked.len(), "chat messages could not be read");
                    for job in jobs {
                        let _ = job.reply.send(None);
                    }
                    continue;
                }
            },
        };
        for job in jobs {
            let messages = read
                .get_mut(&job.chat)
                .map(|all| all.iter().filter(|m| m.seq > job.after && m.seq <= job.after + PAGE).cloned().collect());
            let _ = job.reply.send(Some(messages.unwrap_or_default()));
        }
    }
}

/// The numbers one read covers for a chat: after the lowest asked, up to a page after the highest.
#[derive(Clone, Copy, Debug)]
struct Range {
    after: i64,
    up_to: i64,
}

impl Range {
    fn of(after: i64) -> Range {
        Range { after, up_to: after + PAGE }
    }

    fn widen(&mut self, after: i64) {
        self.after = self.after.min(after);
        self.up_to = self.up_to.max(after + PAGE);
    }
}

/// A read that takes longer than this is given up: every socket waiting for the batch would
/// otherwise wait with it, its acknowledgements too.
const READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

async fn read_in_time(db: &Db, asked: &[((i64, i64), Range)]) -> Result<HashMap<(i64, i64), Vec<ChatMessage>>, String> {
    match tokio::time::timeout(READ_TIMEOUT, read(db, asked)).await {
        Ok(read) => read.map_err(|e| e.to_string()),
        Err(_) => Err(format!("no answer within {} s", READ_TIMEOUT.as_secs())),
    }
}

/// One statement for every chat asked: `(portal, chat)` and the numbers to read.
async fn read(db: &Db, asked: &[((i64, i64), Range)]) -> Result<HashMap<(i64, i64), Vec<ChatMessage>>, sqlx::Error> {
    let rows = asked.len().next_power_of_two().min(MOST_PER_BATCH);
    let mut query = sqlx::query(sqlx::AssertSqlSafe(statement(rows)));
    for i in 0..rows {
        // Padding rows are NULLs, which match nothing.
        let row = asked.get(i).map(|((portal_id, chat_id), range)| (*portal_id, *chat_id, range.after, range.up_to));
        query = query.bind(row.map(|r| r.0)).bind(row.map(|r| r.1)).bind(row.map(|r| r.2)).bind(row.map(|r| r.3));
    }
    let mut read: HashMap<(i64, i64), Vec<ChatMessage>> = HashMap::new();
    for row in query.fetch_all(db.pool()).await? {
        let chat = (row.try_get("portal_id")?, row.try_get("chat_id")?);
        read.entry(chat).or_default().push(message_from_row(&row)?);
    }
    Ok(read)
}

/// The statement for `rows` chats, in order of chat and number.
fn statement(rows: usize) -> String {
    let values: Vec<String> =
        (0..rows).map(|i| format!("(${}, ${}, ${}, ${})", 4 * i + 1, 4 * i + 2, 4 * i + 3, 4 * i + 4)).collect();
    format!(
        "WITH asked (portal_id, chat_id, after_seq, up_to_seq) AS (VALUES {}) \
         SELECT m.portal_id, m.chat_id, {MESSAGE_FIELDS} FROM asked \
         JOIN chat_messages m ON m.portal_id = asked.portal_id AND m.chat_id = asked.chat_id \
         AND m.seq > asked.after_seq AND m.seq <= asked.up_to_seq {MESSAGE_JOINS} \
         ORDER BY m.portal_id, m.chat_id, m.seq",
        values.join(", ")
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_chat_asked_binds_four_values_in_order() {
        let sql = super::statement(2);
        assert!(sql.contains("VALUES ($1, $2, $3, $4), ($5, $6, $7, $8))"), "{sql}");
    }
}
