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
//! `after`" is the range `after + 1 ..= after + PAGE`.

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
    /// database cannot be read.
    pub async fn after(&self, portal_id: i64, chat_id: i64, after: i64) -> Option<Vec<ChatMessage>> {
        let (reply, answer) = oneshot::channel();
        self.jobs.send(Job { chat: (portal_id, chat_id), after, reply }).await.ok()?;
        answer.await.ok().flatten()
    }
}

async fn read_batches(db: Db, mut queue: mpsc::Receiver<Job>) {
    while let Some(first) = queue.recv().await {
        let mut jobs = vec![first];
        let mut asked: HashMap<(i64, i64), i64> = HashMap::from([(jobs[0].chat, jobs[0].after)]);
        while asked.len() < MOST_PER_BATCH
            && let Ok(job) = queue.try_recv()
        {
            // Two sockets of one chat: the lower number covers both.
            let after = asked.entry(job.chat).or_insert(job.after);
            *after = (*after).min(job.after);
            jobs.push(job);
        }
        let asked: Vec<((i64, i64), i64)> = asked.into_iter().collect();
        let mut read = match read(&db, &asked).await {
            Ok(read) => read,
            Err(e) => {
                tracing::warn!(error = %e, chats = asked.len(), "chat messages could not be read");
                for job in jobs {
                    let _ = job.reply.send(None);
                }
                continue;
            }
        };
        for job in jobs {
            let messages = read
                .get_mut(&job.chat)
                .map(|all| all.iter().filter(|m| m.seq > job.after && m.seq <= job.after + PAGE).cloned().collect());
            let _ = job.reply.send(Some(messages.unwrap_or_default()));
        }
    }
}

/// One statement for every chat asked: `(portal, chat)` and the number read after.
async fn read(db: &Db, asked: &[((i64, i64), i64)]) -> Result<HashMap<(i64, i64), Vec<ChatMessage>>, sqlx::Error> {
    let rows = asked.len().next_power_of_two().min(MOST_PER_BATCH);
    let mut query = sqlx::query(sqlx::AssertSqlSafe(statement(rows)));
    // Padding rows ask for portal 0, which has no chat.
    for i in 0..rows {
        let ((portal_id, chat_id), after) = asked.get(i).copied().unwrap_or(((0, 0), 0));
        query = query.bind(portal_id).bind(chat_id).bind(after);
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
    let values: Vec<String> = (0..rows).map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3)).collect();
    format!(
        "WITH asked (portal_id, chat_id, after_seq) AS (VALUES {}) \
         SELECT m.portal_id, m.chat_id, {MESSAGE_FIELDS} FROM asked \
         JOIN chat_messages m ON m.portal_id = asked.portal_id AND m.chat_id = asked.chat_id \
         AND m.seq > asked.after_seq AND m.seq <= asked.after_seq + {PAGE} {MESSAGE_JOINS} \
         ORDER BY m.portal_id, m.chat_id, m.seq",
        values.join(", ")
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_chat_asked_binds_three_values_in_order() {
        let sql = super::statement(2);
        assert!(sql.contains("VALUES ($1, $2, $3), ($4, $5, $6))"), "{sql}");
        assert!(sql.contains("m.seq <= asked.after_seq + 500"), "{sql}");
    }
}
