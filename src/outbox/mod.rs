//! The durable outbox. A message (email now, SMS later) is written in the same transaction as
//! the change that causes it, so it exists exactly when the change does; a worker on every node
//! claims due messages with a lease, sends them, and retries temporary failures with backoff.
//! A restart loses nothing, and no message is claimed by two nodes at once.

pub mod routes;
pub mod sms;
pub mod smtp;
pub mod worker;

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::db::{Db, now};

/// An email to queue. `html` is the alternative to `text`.
#[derive(Clone, Debug)]
pub struct Email {
    pub portal_id: Option<i64>,
    pub to: String,
    /// Replaces the display name of `FRONTDESK_MAIL_FROM` (a portal's own sender name).
    pub sender_name: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Queues an email inside the caller's transaction.
pub async fn enqueue_email(conn: &mut AnyConnection, email: &Email) -> Result<i64, sqlx::Error> {
    let t = now();
    let row = sqlx::query(
        "INSERT INTO outbox (portal_id, kind, recipient, sender_name, subject, body_text, body_html, status, \
         attempts, next_attempt_at, created_at) VALUES ($1, 'email', $2, $3, $4, $5, $6, 'pending', 0, $7, $7) RETURNING id",
    )
    .bind(email.portal_id)
    .bind(&email.to)
    .bind(email.sender_name.clone())
    .bind(&email.subject)
    .bind(&email.text)
    .bind(&email.html)
    .bind(t)
    .fetch_one(conn)
    .await?;
    row.try_get("id")
}

/// Queues a text message inside the caller's transaction.
pub async fn enqueue_sms(
    conn: &mut AnyConnection,
    portal_id: Option<i64>,
    to: &str,
    text: &str,
) -> Result<i64, sqlx::Error> {
    let t = now();
    let row = sqlx::query(
        "INSERT INTO outbox (portal_id, kind, recipient, subject, body_text, status, attempts, next_attempt_at, created_at) \
         VALUES ($1, 'sms', $2, $3, $4, 'pending', 0, $5, $5) RETURNING id",
    )
    .bind(portal_id)
    .bind(to)
    .bind(format!("SMS to {to}"))
    .bind(text)
    .bind(t)
    .fetch_one(conn)
    .await?;
    row.try_get("id")
}

/// A message a worker has claimed and must now send.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub id: i64,
    pub portal_id: Option<i64>,
    pub kind: String,
    pub recipient: String,
    pub sender_name: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    /// Including this one.
    pub attempts: i64,
}

fn claimed_from_row(r: &AnyRow) -> Result<Claimed, sqlx::Error> {
    Ok(Claimed {
        id: r.try_get("id")?,
        portal_id: r.try_get("portal_id")?,
        kind: r.try_get("kind")?,
        recipient: r.try_get("recipient")?,
        sender_name: r.try_get("sender_name")?,
        subject: r.try_get("subject")?,
        text: r.try_get("body_text")?,
        html: r.try_get("body_html")?,
        attempts: r.try_get("attempts")?,
    })
}

/// Claims up to `limit` due messages of one kind for `lease_secs`; if this node dies while
/// sending, another claims them again when the lease runs out.
pub async fn claim(db: &Db, kind: &str, lease_secs: i64, limit: i64) -> Result<Vec<Claimed>, sqlx::Error> {
    let t = now();
    let rows = sqlx::query(sqlx::AssertSqlSafe(db.outbox_claim_sql()))
        .bind(t + lease_secs)
        .bind(t)
        .bind(limit)
        .bind(kind)
        .fetch_all(db.writer())
        .await?;
    rows.iter().map(claimed_from_row).collect()
}

pub async fn mark_sent(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE outbox SET status = 'sent', sent_at = $1, claimed_until = NULL, last_error = NULL WHERE id = $2",
    )
    .bind(now())
    .bind(id)
    .execute(db.writer())
    .await?;
    Ok(())
}

pub async fn mark_retry(db: &Db, id: i64, next_attempt_at: i64, error: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE outbox SET next_attempt_at = $1, claimed_until = NULL, last_error = $2 WHERE id = $3")
        .bind(next_attempt_at)
        .bind(error)
        .bind(id)
        .execute(db.writer())
        .await?;
    Ok(())
}

pub async fn mark_failed(db: &Db, id: i64, error: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE outbox SET status = 'failed', claimed_until = NULL, last_error = $1 WHERE id = $2")
        .bind(error)
        .bind(id)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// One line of the administrators' outbox page.
#[derive(Clone, Debug)]
pub struct OutboxEntry {
    pub id: i64,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

/// The newest messages of a portal (and, with `include_unscoped`, those of no portal).
pub async fn list(
    db: &Db,
    portal_id: i64,
    include_unscoped: bool,
    limit: i64,
) -> Result<Vec<OutboxEntry>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, kind, recipient, subject, status, attempts, last_error, created_at, sent_at FROM outbox \
         WHERE portal_id = $1 OR ($2 = 1 AND portal_id IS NULL) ORDER BY id DESC LIMIT $3",
    )
    .bind(portal_id)
    .bind(include_unscoped as i64)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(OutboxEntry {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                recipient: r.try_get("recipient")?,
                subject: r.try_get("subject")?,
                status: r.try_get("status")?,
                attempts: r.try_get("attempts")?,
                last_error: r.try_get("last_error")?,
                created_at: r.try_get("created_at")?,
                sent_at: r.try_get("sent_at")?,
            })
        })
        .collect()
}

/// Puts a failed message back in the queue, due now; false when it is not this portal's or
/// has not failed.
pub async fn retry(db: &Db, portal_id: i64, include_unscoped: bool, id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $1, claimed_until = NULL \
         WHERE id = $2 AND status = 'failed' AND (portal_id = $3 OR ($4 = 1 AND portal_id IS NULL))",
    )
    .bind(now())
    .bind(id)
    .bind(portal_id)
    .bind(include_unscoped as i64)
    .execute(db.writer())
    .await?;
    Ok(done.rows_affected() == 1)
}
