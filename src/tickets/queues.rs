//! The agents' queues: "Mine", "Unassigned", a department's, and "All", each limited to what the
//! agent may see (`access::Scope`), newest activity first, a page at a time by keyset (the last
//! row's `(updated_at, id)`, never `OFFSET`), so a page costs the same at any depth. The
//! queries follow the indexes of migration 0008 (`tickets_by_*`).

use sqlx::any::AnyArguments;
use sqlx::any::AnyRow;
use sqlx::{Arguments, Row};

use super::Status;
use super::access::Scope;
use crate::db::Db;

/// Which queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queue {
    /// Assigned to this staff member.
    Mine(i64),
    Unassigned,
    Department(i64),
    All,
}

/// Which statuses a queue shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusFilter {
    /// New, open and pending: still asking for work.
    Active,
    Only(Status),
    Any,
}

/// Where a page starts: after this row of the previous page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub updated_at: i64,
    pub id: i64,
}

/// A ticket as a queue lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueRow {
    pub id: i64,
    pub number: i64,
    pub subject: String,
    pub status: Status,
    pub priority: String,
    pub department_id: i64,
    pub assignee_id: Option<i64>,
    pub requester_name: String,
    pub last_speaker: String,
    pub updated_at: i64,
}

impl QueueRow {
    pub fn cursor(&self) -> Cursor {
        Cursor { updated_at: self.updated_at, id: self.id }
    }
}

/// The conditions for a queue, with their arguments, after `portal_id = $1`.
struct Conditions {
    sql: String,
    args: AnyArguments,
    next: usize,
}

impl Conditions {
    fn new(portal_id: i64) -> Conditions {
        let mut args = AnyArguments::default();
        let _ = args.add(portal_id);
        Conditions { sql: "t.portal_id = $1".into(), args, next: 2 }
    }

    fn push(&mut self, clause: &str, value: i64) {
        self.sql.push_str(&format!(" AND {}", clause.replace('?', &format!("${}", self.next))));
        let _ = self.args.add(value);
        self.next += 1;
    }

    fn push_text(&mut self, clause: &str, value: &'static str) {
        self.sql.push_str(&format!(" AND {}", clause.replace('?', &format!("${}", self.next))));
        let _ = self.args.add(value);
        self.next += 1;
    }

    /// `None` when the scope allows nothing (an agent in no department).
    fn build(portal_id: i64, scope: &Scope, queue: Queue, status: StatusFilter) -> Option<Conditions> {
        let mut c = Conditions::new(portal_id);
        if let Scope::Departments(ids) = scope {
            if ids.is_empty() {
                return None;
            }
            // Department ids are numbers from the database, never typed by anyone.
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            c.sql.push_str(&format!(" AND t.department_id IN ({})", list.join(", ")));
        }
        match queue {
            Queue::Mine(staff_id) => c.push("t.assignee_id = ?", staff_id),
            Queue::Unassigned => c.sql.push_str(" AND t.assignee_id IS NULL"),
            Queue::Department(id) => c.push("t.department_id = ?", id),
            Queue::All => {}
        }
        match status {
            StatusFilter::Active => c.sql.push_str(" AND t.status IN ('new', 'open', 'pending')"),
            StatusFilter::Only(s) => c.push_text("t.status = ?", s.as_str()),
            StatusFilter::Any => {}
        }
        Some(c)
    }
}

/// One page of a queue: `limit` tickets after `after`, newest activity first.
pub async fn page(
    db: &Db,
    portal_id: i64,
    scope: &Scope,
    queue: Queue,
    status: StatusFilter,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Vec<QueueRow>, sqlx::Error> {
    let Some(mut c) = Conditions::build(portal_id, scope, queue, status) else { return Ok(Vec::new()) };
    if let Some(cursor) = after {
        let (a, b, d) = (c.next, c.next + 1, c.next + 2);
        c.sql.push_str(&format!(" AND (t.updated_at < ${a} OR (t.updated_at = ${b} AND t.id < ${d}))"));
        let _ = c.args.add(cursor.updated_at);
        let _ = c.args.add(cursor.updated_at);
        let _ = c.args.add(cursor.id);
        c.next += 3;
    }
    let sql = format!(
        "SELECT t.id, t.number, t.subject, t.status, t.priority, t.department_id, t.assignee_id, t.requester_name, \
         t.last_speaker, t.updated_at FROM tickets t WHERE {} ORDER BY t.updated_at DESC, t.id DESC LIMIT ${}",
        c.sql, c.next
    );
    let _ = c.args.add(limit);
    let rows = sqlx::query_with(sqlx::AssertSqlSafe(sql), c.args).fetch_all(db.pool()).await?;
    rows.iter().map(queue_row).collect()
}

/// How many tickets a queue holds.
pub async fn count(
    db: &Db,
    portal_id: i64,
    scope: &Scope,
    queue: Queue,
    status: StatusFilter,
) -> Result<i64, sqlx::Error> {
    let Some(c) = Conditions::build(portal_id, scope, queue, status) else { return Ok(0) };
    let sql = format!("SELECT COUNT(*) AS n FROM tickets t WHERE {}", c.sql);
    sqlx::query_with(sqlx::AssertSqlSafe(sql), c.args).fetch_one(db.pool()).await?.try_get("n")
}

fn queue_row(r: &AnyRow) -> Result<QueueRow, sqlx::Error> {
    let status: String = r.try_get("status")?;
    Ok(QueueRow {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        subject: r.try_get("subject")?,
        status: Status::parse(&status).ok_or_else(|| sqlx::Error::Protocol(format!("unknown status {status}")))?,
        priority: r.try_get("priority")?,
        department_id: r.try_get("department_id")?,
        assignee_id: r.try_get("assignee_id")?,
        requester_name: r.try_get("requester_name")?,
        last_speaker: r.try_get("last_speaker")?,
        updated_at: r.try_get("updated_at")?,
    })
}
