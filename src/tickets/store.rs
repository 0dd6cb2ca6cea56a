//! The SQL of tickets, on the connection of the change being made.

use sqlx::{AnyConnection, Row};

use crate::db::Db;

use super::{Actor, Priority, Status};

/// The first number a portal's tickets get; later ones follow one by one.
pub const FIRST_NUMBER: i64 = 1001;

/// Takes the portal's next ticket number. Inside the transaction that creates the ticket, the
/// counter's row stays locked (PostgreSQL) or the database has one writer (SQLite) until it ends,
/// so two nodes never take the same number and a rolled-back ticket gives its number back.
pub async fn next_number(conn: &mut AnyConnection, portal_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "INSERT INTO portal_counters (portal_id, name, last_value) VALUES ($1, 'ticket', $2) \
         ON CONFLICT (portal_id, name) DO UPDATE SET last_value = portal_counters.last_value + 1 \
         RETURNING last_value",
    )
    .bind(portal_id)
    .bind(FIRST_NUMBER)
    .fetch_one(conn)
    .await?
    .try_get("last_value")
}

/// A ticket as it is opened: its first message is public.
#[derive(Clone, Debug)]
pub struct NewTicket<'a> {
    pub portal_id: i64,
    pub department_id: i64,
    /// `None` for a visitor's ticket until its address is proven.
    pub customer_id: Option<i64>,
    pub requester_name: &'a str,
    pub requester_email: &'a str,
    pub verified: bool,
    pub priority: Priority,
    pub subject: &'a str,
    pub body: &'a str,
    /// Who opened it: the customer, a visitor, or an agent on their behalf.
    pub opened_by: Actor,
}

/// What identifies a ticket to people and to the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Created {
    pub id: i64,
    pub number: i64,
    pub message_id: i64,
}

/// Writes a ticket, its first message and its first history row. The caller owns the
/// transaction (and queues the emails in it), so all of it is stored or none.
pub async fn create(conn: &mut AnyConnection, new: &NewTicket<'_>, now: i64) -> Result<Created, sqlx::Error> {
    let number = next_number(&mut *conn, new.portal_id).await?;
    // A department may hand new tickets round robin to its agents available for tickets.
    let assignee = crate::chat::round_robin::next_agent(&mut *conn, new.portal_id, new.department_id, now).await?;
    let id: i64 = sqlx::query(
        "INSERT INTO tickets (portal_id, number, customer_id, requester_name, requester_email, verified_at, \
         department_id, status, priority, subject, last_speaker, created_at, updated_at, assignee_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'customer', $11, $11, $12) RETURNING id",
    )
    .bind(new.portal_id)
    .bind(number)
    .bind(new.customer_id)
    .bind(new.requester_name)
    .bind(new.requester_email)
    .bind(new.verified.then_some(now))
    .bind(new.department_id)
    .bind(Status::New.as_str())
    .bind(new.priority.as_str())
    .bind(new.subject)
    .bind(now)
    .bind(assignee)
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")?;
    let message_id: i64 = sqlx::query(
        "INSERT INTO ticket_messages (portal_id, ticket_id, kind, author_staff_id, author_customer_id, author_name, \
         body, created_at) VALUES ($1, $2, 'public', $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(new.portal_id)
    .bind(id)
    .bind(new.opened_by.staff_id())
    .bind(new.opened_by.customer_id())
    .bind(new.requester_name)
    .bind(new.body)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")?;
    let opened = Event { what: "created", old: None, new: Some(Status::New.as_str()) };
    record(conn, new.portal_id, id, new.opened_by, new.requester_name, opened, now).await?;
    Ok(Created { id, number, message_id })
}

/// One line of a ticket's history.
#[derive(Clone, Copy, Debug)]
pub struct Event<'a> {
    pub what: &'a str,
    pub old: Option<&'a str>,
    pub new: Option<&'a str>,
}

/// Adds a line to a ticket's history.
pub async fn record(
    conn: &mut AnyConnection,
    portal_id: i64,
    ticket_id: i64,
    actor: Actor,
    actor_name: &str,
    event: Event<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO ticket_events (portal_id, ticket_id, actor_staff_id, actor_customer_id, actor_name, what, \
         old_value, new_value, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(portal_id)
    .bind(ticket_id)
    .bind(actor.staff_id())
    .bind(actor.customer_id())
    .bind(actor_name)
    .bind(event.what)
    .bind(event.old)
    .bind(event.new)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Clone, Debug)]
pub struct ThreadMessage {
    pub id: i64,
    pub note: bool,
    pub author_name: String,
    pub from_customer: bool,
    pub body: String,
    pub created_at: i64,
}

/// Which messages of a thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Thread {
    /// What the requester sees: internal notes never leave the query.
    Public,
    /// What the desk sees: public replies and internal notes.
    Whole,
}

/// A ticket's thread, oldest first.
pub async fn thread(db: &Db, portal_id: i64, ticket_id: i64, which: Thread) -> Result<Vec<ThreadMessage>, sqlx::Error> {
    let sql = match which {
        Thread::Public => {
            "SELECT id, kind, author_name, author_staff_id, body, created_at FROM ticket_messages \
             WHERE portal_id = $1 AND ticket_id = $2 AND kind = 'public' ORDER BY created_at, id"
        }
        Thread::Whole => {
            "SELECT id, kind, author_name, author_staff_id, body, created_at FROM ticket_messages \
             WHERE portal_id = $1 AND ticket_id = $2 ORDER BY created_at, id"
        }
    };
    let rows = sqlx::query(sql).bind(portal_id).bind(ticket_id).fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| {
            Ok(ThreadMessage {
                id: r.try_get("id")?,
                note: r.try_get::<String, _>("kind")? == "note",
                author_name: r.try_get("author_name")?,
                from_customer: r.try_get::<Option<i64>, _>("author_staff_id")?.is_none(),
                body: r.try_get("body")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}
