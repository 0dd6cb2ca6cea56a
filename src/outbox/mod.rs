//! The durable outbox. A message (email now, SMS later) is written in the same transaction as
//! the change that causes it, so it exists exactly when the change does; a worker on every node
//! claims due messages with a lease, sends them, and retries temporary failures with backoff.
//! A restart loses nothing. Delivery is at least once: see `docs/operations.md` for when a
//! message can go out twice (each copy then carries the same `Message-ID`).
//!
//! Once sent, a message's bodies are erased: they hold live links (set-password and reset
//! tokens) and sign-in codes, and the outbox keeps only who, what subject and when.

pub mod routes;
pub mod sms;
pub mod smtp;
pub mod worker;

/// The Outbox page, for those who manage portal settings.
pub const FEATURE: crate::web::layout::Feature = crate::web::layout::Feature {
    name: "outbox",
    menu: &[crate::web::layout::MenuEntry {
        href: "/manage/outbox",
        label: "menu-outbox",
        order: 50,
        visible: crate::web::layout::Visibility::Holders(
            crate::accounts::permissions::Permission::ManagePortalSettings,
        ),
    }],
    notices: &[crate::web::layout::Notice { code: "requeued", text: "notice-requeued" }],
    portal_menu: &[],
    visitor_links: &[],
    router,
    settings: &[],
    home_panels: &[],
    header_items: &[],
    scripts: &[],
    sign_out: &[],
};

/// The Outbox page.
pub fn router() -> axum::Router<crate::web::state::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/manage/outbox", get(routes::page))
        .route("/manage/outbox/{id}/retry", post(routes::retry))
}

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::db::{Db, now};
use crate::web::tokens::random_token;

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
    /// Its place in a conversation, if it has one.
    pub thread: Option<Thread>,
}

/// Where an email stands in a conversation (a ticket's thread). Message-IDs are
/// `<key@domain of FRONTDESK_MAIL_FROM>`; callers choose and record the keys, so that the
/// conversation can be followed (and, later, replies matched to it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Thread {
    /// This email's key (letters, digits, `.`, `-`; see `is_message_key`).
    pub key: String,
    /// The keys of the earlier emails, oldest first; it answers the last one.
    pub earlier: Vec<String>,
}

/// At most this many earlier emails go into `References`: the first and the latest ones.
const MAX_REFERENCES: usize = 10;

/// A key that makes a valid Message-ID local part and header.
pub fn is_message_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= 100 && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

impl Thread {
    /// The earlier keys that go into `References`: the first (the conversation's start) and the
    /// latest ones, so the header stays short in a long conversation.
    pub fn references(&self) -> Vec<&str> {
        let keys: Vec<&str> = self.earlier.iter().map(String::as_str).filter(|k| is_message_key(k)).collect();
        if keys.len() <= MAX_REFERENCES {
            return keys;
        }
        std::iter::once(keys[0]).chain(keys[keys.len() - (MAX_REFERENCES - 1)..].iter().copied()).collect()
    }
}

/// Queues an email inside the caller's transaction.
pub async fn enqueue_email(conn: &mut AnyConnection, email: &Email) -> Result<i64, sqlx::Error> {
    let t = now();
    let row = sqlx::query(
        "INSERT INTO outbox (portal_id, kind, recipient, sender_name, subject, body_text, body_html, status, \
         attempts, next_attempt_at, created_at, message_key, thread_refs) \
         VALUES ($1, 'email', $2, $3, $4, $5, $6, 'pending', 0, $7, $7, $8, $9) RETURNING id",
    )
    .bind(email.portal_id)
    .bind(&email.to)
    .bind(email.sender_name.clone())
    .bind(&email.subject)
    .bind(&email.text)
    .bind(&email.html)
    .bind(t)
    .bind(email.thread.as_ref().filter(|th| is_message_key(&th.key)).map_or_else(random_token, |th| th.key.clone()))
    .bind(email.thread.as_ref().map(|th| th.references().join(" ")))
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
    // What the outbox page shows in its reader's language instead (the subject is kept for the log).
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
    /// The same on every attempt: receivers can drop a second copy by its `Message-ID`.
    pub message_key: String,
    /// Proves the claim is still this worker's when it renews it or records the outcome.
    pub claim_token: String,
    /// The Message-ID keys of the earlier emails of its conversation, oldest first.
    pub thread_refs: Vec<String>,
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
        message_key: match r.try_get::<Option<String>, _>("message_key")? {
            Some(key) => key,
            // Queued before messages had keys: still stable across attempts.
            None => format!("{}.{}", r.try_get::<i64, _>("id")?, r.try_get::<i64, _>("created_at")?),
        },
        claim_token: r.try_get::<Option<String>, _>("claim_token")?.unwrap_or_default(),
        thread_refs: r
            .try_get::<Option<String>, _>("thread_refs")?
            .map(|refs| refs.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default(),
    })
}

/// Claims up to `limit` due messages of one kind for `lease_secs`, for `node`. If the node dies
/// while sending, it takes its claims back when it starts again (`release_claims_of`), or
/// another node claims them when the lease runs out.
pub async fn claim(db: &Db, kind: &str, node: &str, lease_secs: i64, limit: i64) -> Result<Vec<Claimed>, sqlx::Error> {
    let t = now();
    let rows = sqlx::query(sqlx::AssertSqlSafe(db.outbox_claim_sql()))
        .bind(t + lease_secs)
        .bind(t)
        .bind(limit)
        .bind(kind)
        .bind(node)
        .bind(random_token())
        .fetch_all(db.writer())
        .await?;
    rows.iter().map(claimed_from_row).collect()
}

/// Makes the messages `node` had claimed (before a restart) due again at once. Another node
/// cannot be holding them: a claim stays with the node that made it until it expires.
pub async fn release_claims_of(db: &Db, kind: &str, node: &str) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE outbox SET claimed_until = NULL, claimed_by = NULL, claim_token = NULL \
         WHERE claimed_by = $1 AND kind = $2 AND status = 'pending'",
    )
    .bind(node)
    .bind(kind)
    .execute(db.writer())
    .await?;
    Ok(done.rows_affected())
}

/// Extends the claim on a message just before it is sent. False when the claim is no longer
/// this worker's (its lease ran out and another node took the message): then it must not send.
pub async fn renew_claim(db: &Db, message: &Claimed, lease_secs: i64) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE outbox SET claimed_until = $1 WHERE id = $2 AND claim_token = $3 AND status = 'pending'")
            .bind(now() + lease_secs)
            .bind(message.id)
            .bind(&message.claim_token)
            .execute(db.writer())
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a message sent and erases its bodies. False when the claim was lost meanwhile.
pub async fn mark_sent(db: &Db, message: &Claimed) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE outbox SET status = 'sent', sent_at = $1, claimed_until = NULL, claimed_by = NULL, \
         claim_token = NULL, last_error = NULL, body_text = '', body_html = NULL WHERE id = $2 AND claim_token = $3",
    )
    .bind(now())
    .bind(message.id)
    .bind(&message.claim_token)
    .execute(db.writer())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Makes a message due again at `next_attempt_at`. False when the claim was lost meanwhile.
pub async fn mark_retry(db: &Db, message: &Claimed, next_attempt_at: i64, error: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE outbox SET next_attempt_at = $1, claimed_until = NULL, claimed_by = NULL, claim_token = NULL, \
         last_error = $2 WHERE id = $3 AND claim_token = $4",
    )
    .bind(next_attempt_at)
    .bind(error)
    .bind(message.id)
    .bind(&message.claim_token)
    .execute(db.writer())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a message failed. False when the claim was lost meanwhile.
pub async fn mark_failed(db: &Db, message: &Claimed, error: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE outbox SET status = 'failed', claimed_until = NULL, claimed_by = NULL, claim_token = NULL, \
         last_error = $1 WHERE id = $2 AND claim_token = $3",
    )
    .bind(error)
    .bind(message.id)
    .bind(&message.claim_token)
    .execute(db.writer())
    .await?;
    Ok(done.rows_affected() == 1)
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
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $1, claimed_until = NULL, \
         claimed_by = NULL, claim_token = NULL \
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
