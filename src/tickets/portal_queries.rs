//! The SQL behind a customer's ticket pages. Every query names the portal AND the customer, so a
//! number typed into an address never reaches another customer's or another portal's ticket.

use sqlx::{AnyConnection, Row};

use super::Status;
use crate::db::Db;
use crate::search::{self, Terms};

/// Tickets shown on one page of a customer's list.
pub const PAGE_SIZE: i64 = 25;

/// The customer's list filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Filter {
    All,
    /// New, open or waiting on the customer.
    Open,
    /// Resolved or closed.
    Closed,
}

impl Filter {
    pub fn parse(s: Option<&str>) -> Filter {
        match s {
            Some("open") => Filter::Open,
            Some("closed") => Filter::Closed,
            _ => Filter::All,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Filter::All => "",
            Filter::Open => "open",
            Filter::Closed => "closed",
        }
    }

    /// A condition on `status` built from the codes only (never from input).
    fn condition(self) -> String {
        let wanted: Vec<String> = Status::ALL
            .into_iter()
            .filter(|s| match self {
                Filter::All => true,
                Filter::Open => s.is_active(),
                Filter::Closed => !s.is_active(),
            })
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        format!("status IN ({})", wanted.join(", "))
    }
}

/// Where a page of the list starts: below this (updated_at, id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub updated_at: i64,
    pub id: i64,
}

impl Cursor {
    /// `updated_at:id`, as the list's "older" link carries it.
    pub fn parse(s: &str) -> Option<Cursor> {
        let (updated_at, id) = s.split_once(':')?;
        Some(Cursor { updated_at: updated_at.parse().ok()?, id: id.parse().ok()? })
    }

    pub fn encode(self) -> String {
        format!("{}:{}", self.updated_at, self.id)
    }
}

#[derive(Clone, Debug)]
pub struct ListedTicket {
    pub id: i64,
    pub number: i64,
    pub subject: String,
    pub status: Status,
    pub updated_at: i64,
    pub last_speaker: String,
}

fn status_of(row: &sqlx::any::AnyRow) -> Result<Status, sqlx::Error> {
    let code: String = row.try_get("status")?;
    Status::parse(&code).ok_or_else(|| sqlx::Error::Decode(format!("unknown ticket status {code:?}").into()))
}

/// One page of a customer's tickets, newest activity first, and the cursor of the next page;
/// with `words`, only those whose subject or public messages hold them (never notes).
pub async fn list(
    db: &Db,
    portal_id: i64,
    customer_id: i64,
    filter: Filter,
    words: Option<&Terms>,
    before: Option<Cursor>,
) -> Result<(Vec<ListedTicket>, Option<Cursor>), sqlx::Error> {
    // Keyset pagination: the index (portal_id, customer_id, updated_at, id) serves it at any depth.
    let keyset = if before.is_some() { " AND (updated_at < $3 OR (updated_at = $3 AND id < $4))" } else { "" };
    let search = match words {
        None => None,
        Some(w) if w.is_empty() => Some((" AND 1 = 0".to_string(), None)),
        Some(w) => {
            let (clause, value) = search::ticket_condition(db.backend(), w, search::TicketSearcher::Customer);
            let param = if before.is_some() { "$5" } else { "$3" };
            Some((format!(" AND {}", clause.replace('?', param)), Some(value)))
        }
    };
    let (search_sql, search_value) = search.unwrap_or_default();
    let sql = format!(
        "SELECT t.id, t.number, t.subject, t.status, t.updated_at, t.last_speaker FROM tickets t \
         WHERE t.portal_id = $1 AND t.customer_id = $2 AND {}{keyset}{search_sql} \
         ORDER BY t.updated_at DESC, t.id DESC LIMIT {}",
        filter.condition(),
        PAGE_SIZE + 1
    );
    // Audited: the string holds status codes, numbers and the search module's constant
    // condition; values (the typed words too) are bound.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(portal_id).bind(customer_id);
    if let Some(c) = before {
        query = query.bind(c.updated_at).bind(c.id);
    }
    if let Some(value) = search_value {
        query = query.bind(value);
    }
    let rows = query.fetch_all(db.pool()).await?;
    let mut tickets = rows
        .iter()
        .map(|r| {
            Ok(ListedTicket {
                id: r.try_get("id")?,
                number: r.try_get("number")?,
                subject: r.try_get("subject")?,
                status: status_of(r)?,
                updated_at: r.try_get("updated_at")?,
                last_speaker: r.try_get("last_speaker")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let next = if tickets.len() as i64 > PAGE_SIZE {
        tickets.truncate(PAGE_SIZE as usize);
        tickets.last().map(|t| Cursor { updated_at: t.updated_at, id: t.id })
    } else {
        None
    };
    Ok((tickets, next))
}

#[derive(Clone, Debug)]
pub struct OwnTicket {
    pub id: i64,
    pub number: i64,
    pub subject: String,
    pub status: Status,
    pub department: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// The number of the ticket this one was merged into (`merge.rs`).
    pub merged_into: Option<i64>,
}

/// The customer's ticket with this number in this portal; `None` for anyone else's.
pub async fn find_own(
    conn: &mut AnyConnection,
    portal_id: i64,
    customer_id: i64,
    number: i64,
) -> Result<Option<OwnTicket>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT t.id, t.number, t.subject, t.status, t.created_at, t.updated_at, d.name AS department, \
         m.number AS merged_into FROM tickets t \
         JOIN departments d ON d.portal_id = t.portal_id AND d.id = t.department_id \
         LEFT JOIN tickets m ON m.portal_id = t.portal_id AND m.id = t.merged_into_id \
         WHERE t.portal_id = $1 AND t.number = $2 AND t.customer_id = $3",
    )
    .bind(portal_id)
    .bind(number)
    .bind(customer_id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(OwnTicket {
            id: r.try_get("id")?,
            number: r.try_get("number")?,
            subject: r.try_get("subject")?,
            status: status_of(&r)?,
            department: r.try_get("department")?,
            created_at: r.try_get("created_at")?,
            updated_at: r.try_get("updated_at")?,
            merged_into: r.try_get("merged_into")?,
        })
    })
    .transpose()
}

/// Adds the requester's public message: the customer's (`Some`), or a visitor's whose ticket
/// no customer owns yet (`None`).
pub async fn add_requester_message(
    conn: &mut AnyConnection,
    portal_id: i64,
    ticket_id: i64,
    customer_id: Option<i64>,
    author_name: &str,
    body: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "INSERT INTO ticket_messages (portal_id, ticket_id, kind, author_customer_id, author_name, body, created_at) \
         VALUES ($1, $2, 'public', $3, $4, $5, $6) RETURNING id",
    )
    .bind(portal_id)
    .bind(ticket_id)
    .bind(customer_id)
    .bind(author_name)
    .bind(body)
    .bind(now)
    .fetch_one(conn)
    .await?
    .try_get("id")
}

/// Moves a ticket from `from` to `to` (and marks the customer as the last to speak when they
/// replied). False when the ticket was no longer in `from` or was merged: someone changed it
/// meanwhile (a merge leaves a closed ticket's status as it was, and must stay closed).
pub async fn set_status(
    conn: &mut AnyConnection,
    portal_id: i64,
    ticket_id: i64,
    from: Status,
    to: Status,
    customer_spoke: bool,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let sql = if customer_spoke {
        "UPDATE tickets SET status = $1, updated_at = $2, last_speaker = 'customer' \
         WHERE portal_id = $3 AND id = $4 AND status = $5 AND merged_into_id IS NULL"
    } else {
        "UPDATE tickets SET status = $1, updated_at = $2 WHERE portal_id = $3 AND id = $4 AND status = $5 \
         AND merged_into_id IS NULL"
    };
    let done = sqlx::query(sql)
        .bind(to.as_str())
        .bind(now)
        .bind(portal_id)
        .bind(ticket_id)
        .bind(from.as_str())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
