//! The SQL behind the agents' ticket page. A ticket is found by the portal AND the agent's
//! scope (`access::Scope`): a number typed into an address never reaches another portal's
//! ticket, nor one of a department the agent does not see.

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::access::Scope;
use super::{Priority, Status};
use crate::db::Db;

/// What an agent may change on a ticket from its page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Props {
    pub status: Status,
    pub priority: Priority,
    pub department_id: i64,
    pub assignee_id: Option<i64>,
}

impl Props {
    /// The properties as the ticket page showed them, carried back by its form (`seen`), so that
    /// a change made meanwhile by someone else is refused rather than overwritten with what the
    /// page still showed.
    pub fn stamp(&self) -> String {
        let assignee = self.assignee_id.unwrap_or(0);
        format!("{}:{}:{}:{assignee}", self.status.as_str(), self.priority.as_str(), self.department_id)
    }
}

#[derive(Clone, Debug)]
pub struct DeskTicket {
    pub id: i64,
    pub number: i64,
    pub subject: String,
    pub props: Props,
    pub customer_id: Option<i64>,
    pub requester_name: String,
    pub requester_email: String,
    /// The requester proved the address (signed in, or opened the emailed link).
    pub verified: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// The number of the ticket this one was merged into (`merge.rs`).
    pub merged_into: Option<i64>,
}

fn parse_code<T>(row: &AnyRow, column: &str, parse: fn(&str) -> Option<T>) -> Result<T, sqlx::Error> {
    let code: String = row.try_get(column)?;
    parse(&code).ok_or_else(|| sqlx::Error::Decode(format!("unknown ticket {column} {code:?}").into()))
}

fn desk_ticket(r: &AnyRow) -> Result<DeskTicket, sqlx::Error> {
    Ok(DeskTicket {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        subject: r.try_get("subject")?,
        props: Props {
            status: parse_code(r, "status", Status::parse)?,
            priority: parse_code(r, "priority", Priority::parse)?,
            department_id: r.try_get("department_id")?,
            assignee_id: r.try_get("assignee_id")?,
        },
        customer_id: r.try_get("customer_id")?,
        requester_name: r.try_get("requester_name")?,
        requester_email: r.try_get("requester_email")?,
        verified: r.try_get::<Option<i64>, _>("verified_at")?.is_some(),
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        merged_into: r.try_get("merged_into")?,
    })
}

/// The portal's ticket with this number, if the scope shows its department.
pub async fn find(
    conn: &mut AnyConnection,
    portal_id: i64,
    scope: &Scope,
    number: i64,
) -> Result<Option<DeskTicket>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT t.id, t.number, t.subject, t.status, t.priority, t.department_id, t.assignee_id, t.customer_id, \
         t.requester_name, t.requester_email, t.verified_at, t.created_at, t.updated_at, m.number AS merged_into \
         FROM tickets t LEFT JOIN tickets m ON m.portal_id = t.portal_id AND m.id = t.merged_into_id \
         WHERE t.portal_id = $1 AND t.number = $2",
    )
    .bind(portal_id)
    .bind(number)
    .fetch_optional(conn)
    .await?;
    let ticket = row.as_ref().map(desk_ticket).transpose()?;
    Ok(ticket.filter(|t| scope.allows_department(t.props.department_id)))
}

/// Writes the properties that differ from `seen`, if the ticket still has `seen` (none changed
/// them meanwhile) and has not been merged since it was read; false otherwise. `resolved_at`
/// follows the status.
pub async fn apply(
    conn: &mut AnyConnection,
    portal_id: i64,
    ticket_id: i64,
    seen: &Props,
    new: &Props,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let resolved_at = if new.status == Status::Resolved && seen.status != Status::Resolved { Some(now) } else { None };
    let done = sqlx::query(
        "UPDATE tickets SET status = $1, priority = $2, department_id = $3, assignee_id = $4, updated_at = $5, \
         resolved_at = COALESCE($6, resolved_at) \
         WHERE portal_id = $7 AND id = $8 AND status = $9 AND priority = $10 AND department_id = $11 \
         AND COALESCE(assignee_id, 0) = $12 AND merged_into_id IS NULL",
    )
    .bind(new.status.as_str())
    .bind(new.priority.as_str())
    .bind(new.department_id)
    .bind(new.assignee_id)
    .bind(now)
    .bind(resolved_at)
    .bind(portal_id)
    .bind(ticket_id)
    .bind(seen.status.as_str())
    .bind(seen.priority.as_str())
    .bind(seen.department_id)
    .bind(seen.assignee_id.unwrap_or(0))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks the desk as the last to speak (after a public reply).
pub async fn desk_spoke(conn: &mut AnyConnection, portal_id: i64, ticket_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE tickets SET last_speaker = 'staff' WHERE portal_id = $1 AND id = $2")
        .bind(portal_id)
        .bind(ticket_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// An agent's public reply or internal note.
#[derive(Clone, Copy, Debug)]
pub struct DeskMessage<'a> {
    pub note: bool,
    pub staff_id: i64,
    pub author_name: &'a str,
    pub body: &'a str,
}

/// Adds an agent's message to the ticket's thread; its id.
pub async fn add_message(
    conn: &mut AnyConnection,
    portal_id: i64,
    ticket_id: i64,
    message: DeskMessage<'_>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "INSERT INTO ticket_messages (portal_id, ticket_id, kind, author_staff_id, author_name, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(portal_id)
    .bind(ticket_id)
    .bind(if message.note { "note" } else { "public" })
    .bind(message.staff_id)
    .bind(message.author_name)
    .bind(message.body)
    .bind(now)
    .fetch_one(conn)
    .await?
    .try_get("id")
}

#[derive(Clone, Debug)]
pub struct HistoryRow {
    pub actor_name: String,
    pub what: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub created_at: i64,
}

/// Every change of the ticket, newest first.
pub async fn history(db: &Db, portal_id: i64, ticket_id: i64) -> Result<Vec<HistoryRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT actor_name, what, old_value, new_value, created_at FROM ticket_events \
         WHERE portal_id = $1 AND ticket_id = $2 ORDER BY created_at DESC, id DESC",
    )
    .bind(portal_id)
    .bind(ticket_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(HistoryRow {
                actor_name: r.try_get("actor_name")?,
                what: r.try_get("what")?,
                old_value: r.try_get("old_value")?,
                new_value: r.try_get("new_value")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// How many of the requester's other tickets the page lists.
pub const OTHER_TICKETS: i64 = 10;

#[derive(Clone, Debug)]
pub struct OtherTicket {
    pub number: i64,
    pub subject: String,
    pub status: Status,
}

/// The requester's latest other tickets that the scope shows: the customer's, or for a visitor's
/// ticket those from the same address that no customer owns yet.
pub async fn other_tickets(
    db: &Db,
    portal_id: i64,
    scope: &Scope,
    ticket: &DeskTicket,
) -> Result<Vec<OtherTicket>, sqlx::Error> {
    let (who, value) = match ticket.customer_id {
        Some(id) => ("customer_id = $2", id.to_string()),
        None => ("customer_id IS NULL AND requester_email = $2", ticket.requester_email.clone()),
    };
    let sql = format!(
        "SELECT id, number, subject, status, department_id FROM tickets WHERE portal_id = $1 AND {who} AND id <> $3 \
         ORDER BY updated_at DESC, id DESC LIMIT {}",
        OTHER_TICKETS * 4
    );
    // Audited: the string holds this module's conditions and a constant; values are bound.
    let query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(portal_id);
    let query = if ticket.customer_id.is_some() { query.bind(ticket.customer_id) } else { query.bind(value) };
    let rows = query.bind(ticket.id).fetch_all(db.pool()).await?;
    let mut found = Vec::new();
    for r in &rows {
        if scope.allows_department(r.try_get("department_id")?) && (found.len() as i64) < OTHER_TICKETS {
            found.push(OtherTicket {
                number: r.try_get("number")?,
                subject: r.try_get("subject")?,
                status: parse_code(r, "status", Status::parse)?,
            });
        }
    }
    Ok(found)
}

/// The active staff of the portal who belong to a department and may answer tickets there
/// (`answer_tickets`, or administrators), by name: who a ticket of it may be assigned to.
pub async fn department_agents(
    conn: &mut AnyConnection,
    portal_id: i64,
    department_id: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT s.id, s.name FROM department_members m \
         JOIN departments d ON d.id = m.department_id AND d.portal_id = $1 \
         JOIN staff_portals sp ON sp.staff_id = m.staff_id AND sp.portal_id = $1 \
         JOIN staff s ON s.id = m.staff_id \
         WHERE m.department_id = $2 AND s.disabled_at IS NULL AND s.awaiting_approval = 0 \
         AND (sp.role = 'admin' OR EXISTS (SELECT 1 FROM staff_permissions p WHERE p.staff_id = s.id \
              AND p.portal_id = $1 AND p.permission = 'answer_tickets')) ORDER BY s.name, s.id",
    )
    .bind(portal_id)
    .bind(department_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("name")?))).collect()
}

/// The names of the portal's departments and of everyone who works in it, to show history;
/// one query for both (each statement costs a round trip, or on SQLite a thread switch).
pub async fn names(db: &Db, portal_id: i64) -> Result<(HashMap<i64, String>, HashMap<i64, String>), sqlx::Error> {
    let rows = sqlx::query(
        "SELECT 'department' AS kind, id, name FROM departments WHERE portal_id = $1 \
         UNION ALL SELECT 'staff' AS kind, s.id, s.name FROM staff s JOIN staff_portals sp ON sp.staff_id = s.id \
         WHERE sp.portal_id = $1",
    )
    .bind(portal_id)
    .fetch_all(db.pool())
    .await?;
    let (mut departments, mut staff) = (HashMap::new(), HashMap::new());
    for r in &rows {
        let kind: String = r.try_get("kind")?;
        let names = if kind == "department" { &mut departments } else { &mut staff };
        names.insert(r.try_get("id")?, r.try_get("name")?);
    }
    Ok((departments, staff))
}
