//! The SQL of visitors' tickets: private links (only their hashes stored), the ticket a link
//! opens, proving the address, and the visitor's replies. Every query names the portal.

use sqlx::{AnyConnection, Row};

use crate::db::Db;
use crate::tickets::Status;
use crate::tickets::portal_queries::OwnTicket;
use crate::web::tokens::{random_token, token_hash};

/// How long a link works. Each email to the visitor carries a fresh one (`issue_link`), so an
/// old email stops opening the ticket after a while; a ticket rarely stays open half a year.
pub const LINK_LIFETIME_SECS: i64 = 180 * 24 * 3600;

/// Makes a new private link to a ticket, inside the caller's transaction (the one that queues
/// the email carrying it), and returns its token: put it in the address with `follow_path`.
/// Only its SHA-256 is stored. `portal_id` must be the ticket's portal (the foreign key on
/// `(portal_id, ticket_id)` refuses any other).
pub async fn issue_link(
    conn: &mut AnyConnection,
    portal_id: i64,
    ticket_id: i64,
    now: i64,
) -> Result<String, sqlx::Error> {
    issue_token(conn, "ticket_links", portal_id, ticket_id, now, LINK_LIFETIME_SECS).await
}

/// Stores a new random token for a ticket, as its SHA-256 only, in `table` (one of the tables of
/// links into tickets: `ticket_links`, `ticket_rating_links`), valid for `lifetime_secs`; the
/// token itself goes into the email.
pub(crate) async fn issue_token(
    conn: &mut AnyConnection,
    table: &'static str,
    portal_id: i64,
    ticket_id: i64,
    now: i64,
    lifetime_secs: i64,
) -> Result<String, sqlx::Error> {
    let token = random_token();
    let sql = format!(
        "INSERT INTO {table} (portal_id, ticket_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(portal_id)
        .bind(ticket_id)
        .bind(token_hash(&token))
        .bind(now)
        .bind(now + lifetime_secs)
        .execute(conn)
        .await?;
    Ok(token)
}

/// The path of a link inside its portal (after `/portal/{slug}`, or on the portal's own host).
pub fn follow_path(token: &str) -> String {
    format!("/tickets/follow/{token}")
}

/// Whether `token` looks like one `issue_link` made (43 URL-safe base64 characters), so that
/// junk is refused before it is hashed and looked up.
pub fn is_well_formed(token: &str) -> bool {
    token.len() == 43 && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The ticket a live link opens.
#[derive(Clone, Debug)]
pub struct LinkedTicket {
    pub ticket: OwnTicket,
    pub customer_id: Option<i64>,
    pub verified: bool,
    pub requester_name: String,
    pub requester_email: String,
    /// The number of the ticket the link was made for, when that one has since been merged into
    /// `ticket` (a link follows its ticket's merge: `merge.rs` keeps merges one step deep).
    pub merged_from: Option<i64>,
}

/// The ticket of `portal_id` that the link with this token opens, if it has not expired and
/// the ticket is not a disabled customer's (the link must not outlive the account it joined).
/// A link to a ticket merged into another opens that other one: the thread moved there, and
/// the merge was allowed only between tickets of the same requester.
pub async fn find(
    conn: &mut AnyConnection,
    portal_id: i64,
    token: &str,
    now: i64,
) -> Result<Option<LinkedTicket>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT t.id, t.number, t.subject, t.status, t.created_at, t.updated_at, t.customer_id, t.verified_at, \
         t.requester_name, t.requester_email, d.name AS department, s.number AS linked_number \
         FROM ticket_links l \
         JOIN tickets s ON s.portal_id = l.portal_id AND s.id = l.ticket_id \
         JOIN tickets t ON t.portal_id = s.portal_id AND t.id = COALESCE(s.merged_into_id, s.id) \
         JOIN departments d ON d.portal_id = t.portal_id AND d.id = t.department_id \
         LEFT JOIN customers c ON c.portal_id = t.portal_id AND c.id = t.customer_id \
         WHERE l.portal_id = $1 AND l.token_hash = $2 AND (l.expires_at IS NULL OR l.expires_at > $3) \
         AND c.disabled_at IS NULL",
    )
    .bind(portal_id)
    .bind(token_hash(token))
    .bind(now)
    .fetch_optional(conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let code: String = r.try_get("status")?;
    let status =
        Status::parse(&code).ok_or_else(|| sqlx::Error::Decode(format!("unknown ticket status {code:?}").into()))?;
    let number: i64 = r.try_get("number")?;
    Ok(Some(LinkedTicket {
        ticket: OwnTicket {
            id: r.try_get("id")?,
            number,
            subject: r.try_get("subject")?,
            status,
            department: r.try_get("department")?,
            created_at: r.try_get("created_at")?,
            updated_at: r.try_get("updated_at")?,
            merged_into: None,
        },
        customer_id: r.try_get("customer_id")?,
        verified: r.try_get::<Option<i64>, _>("verified_at")?.is_some(),
        requester_name: r.try_get("requester_name")?,
        requester_email: r.try_get("requester_email")?,
        merged_from: Some(r.try_get::<i64, _>("linked_number")?).filter(|n| *n != number),
    }))
}

/// Marks the address proven (the link reached its mailbox) and, when a customer of the same
/// portal has that address, makes the ticket theirs. False when it was proven already (another
/// request came first).
pub async fn verify(
    conn: &mut AnyConnection,
    portal_id: i64,
    ticket_id: i64,
    email: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let customer: Option<i64> = sqlx::query("SELECT id FROM customers WHERE portal_id = $1 AND email_lower = $2")
        .bind(portal_id)
        .bind(email.to_lowercase())
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.try_get("id"))
        .transpose()?;
    let done = sqlx::query(
        "UPDATE tickets SET verified_at = $1, customer_id = COALESCE(customer_id, $2) \
         WHERE portal_id = $3 AND id = $4 AND verified_at IS NULL",
    )
    .bind(now)
    .bind(customer)
    .bind(portal_id)
    .bind(ticket_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets expired links. Run now and then by the janitor.
pub async fn purge_expired(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM ticket_links WHERE expires_at <= $1").bind(now).execute(db.writer()).await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tokens_shaped_like_ours_are_looked_up() {
        assert!(is_well_formed(&random_token()));
        for bad in ["", "abc", &"a".repeat(44), &format!("{}=", "a".repeat(42)), &format!("{}/", "a".repeat(42))] {
            assert!(!is_well_formed(bad), "{bad}");
        }
        assert_eq!(follow_path("abc"), "/tickets/follow/abc");
    }
}
