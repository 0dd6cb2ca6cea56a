//! The seed's tickets: spread over the last year, in the proportions `frontdesk seed --help`
//! promises (about 35 % still open, 5 % reopened, 30 % resolved, 30 % closed), each with 1 to 5
//! public messages, some internal notes and a few small attachments, and the history rows the
//! application would have written. Written a batch at a time, each batch one transaction.

use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sqlx::{AnyConnection, Row};

use super::bulk::{self, Value};
use super::people::{SeededCustomer, SeededPeople, SeededPortal};
use super::{SeedError, SeedOptions, content};
use crate::db::{Db, now};
use crate::tickets::store::FIRST_NUMBER;
use crate::tickets::{Priority, Status};

/// Tickets written per transaction.
const BATCH: u64 = 2_000;
const DAY: i64 = 86_400;

/// How a seeded ticket ends up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    StillOpen(Status),
    Reopened,
    Resolved,
    Closed,
}

fn fate(rng: &mut ChaCha8Rng) -> Fate {
    match rng.random_range(0..100) {
        0..=9 => Fate::StillOpen(Status::New),
        10..=27 => Fate::StillOpen(Status::Open),
        28..=34 => Fate::StillOpen(Status::Pending),
        35..=39 => Fate::Reopened,
        40..=69 => Fate::Resolved,
        _ => Fate::Closed,
    }
}

fn priority(rng: &mut ChaCha8Rng) -> Priority {
    match rng.random_range(0..100) {
        0..=19 => Priority::Low,
        20..=74 => Priority::Normal,
        75..=94 => Priority::High,
        _ => Priority::Urgent,
    }
}

/// (internal note, from the desk, body, at)
type PlannedMessage = (bool, bool, String, i64);
/// (what, old value, new value, at, by the desk)
type PlannedEvent = (&'static str, Option<String>, Option<String>, i64, bool);

/// One ticket and what hangs from it, before it has an id.
struct Planned {
    number: i64,
    customer: SeededCustomer,
    department_id: i64,
    assignee: Option<(i64, String)>,
    /// Who writes the desk's messages: the assignee, else an agent of the portal.
    replier: (i64, String),
    status: Status,
    priority: Priority,
    subject: String,
    created_at: i64,
    updated_at: i64,
    resolved_at: Option<i64>,
    last_speaker: &'static str,
    /// The first is the customer's.
    messages: Vec<PlannedMessage>,
    events: Vec<PlannedEvent>,
    attachment: bool,
}

fn plan(rng: &mut ChaCha8Rng, portal: &SeededPortal, number: i64, now: i64) -> Planned {
    let customer = portal.customers[rng.random_range(0..portal.customers.len())].clone();
    let (department_id, agents) = &portal.departments[rng.random_range(0..portal.departments.len())];
    let fate = fate(rng);
    let created_at = now - rng.random_range(DAY..365 * DAY);
    let mut at = created_at;
    let mut messages = vec![(false, false, content::first_message(rng), at)];
    let mut events: Vec<PlannedEvent> = vec![("created", None, Some("new".into()), at, false)];
    let replies = if fate == Fate::StillOpen(Status::New) { 0 } else { rng.random_range(0..=4) };
    for i in 0..replies {
        at = (at + rng.random_range(600..2 * DAY)).min(now);
        let from_desk = i % 2 == 0;
        let body = if from_desk { content::answer(rng) } else { content::follow_up(rng) };
        messages.push((false, from_desk, body.to_string(), at));
        events.push(("reply", None, None, at, from_desk));
    }
    if rng.random_bool(0.1) {
        at = (at + 60).min(now);
        messages.push((true, true, content::note(rng).to_string(), at));
        events.push(("note", None, None, at, true));
    }
    let assignee = match fate {
        Fate::StillOpen(Status::New) => None,
        _ if agents.is_empty() || rng.random_bool(0.15) => None,
        _ => Some(agents[rng.random_range(0..agents.len())].clone()),
    };
    let replier = assignee.clone().unwrap_or_else(|| {
        let everyone: Vec<&(i64, String)> = portal.departments.iter().flat_map(|(_, a)| a).collect();
        everyone.get(rng.random_range(0..everyone.len().max(1))).map_or((0, String::new()), |a| (*a).clone())
    });
    if let Some((id, _)) = &assignee {
        events.push(("assignee", None, Some(id.to_string()), created_at + 60, true));
    }
    let status = match fate {
        Fate::StillOpen(s) => s,
        Fate::Reopened => Status::Open,
        Fate::Resolved => Status::Resolved,
        Fate::Closed => Status::Closed,
    };
    let mut resolved_at = None;
    if matches!(fate, Fate::Resolved | Fate::Closed | Fate::Reopened) {
        at = (at + rng.random_range(600..DAY)).min(now);
        events.push(("status", Some("open".into()), Some("resolved".into()), at, true));
        resolved_at = Some(at);
    }
    if fate == Fate::Closed {
        at = (at + rng.random_range(DAY..7 * DAY)).min(now);
        events.push(("status", Some("resolved".into()), Some("closed".into()), at, false));
    }
    if fate == Fate::Reopened {
        at = (at + rng.random_range(600..3 * DAY)).min(now);
        messages.push((false, false, content::follow_up(rng).to_string(), at));
        events.push(("reply", None, None, at, false));
        events.push(("status", Some("resolved".into()), Some("open".into()), at, false));
    }
    let last_speaker = if messages.iter().rev().find(|m| !m.0).is_some_and(|m| m.1) { "staff" } else { "customer" };
    Planned {
        number,
        customer,
        department_id: *department_id,
        assignee,
        replier,
        status,
        priority: priority(rng),
        subject: content::subject(rng),
        created_at,
        updated_at: at,
        resolved_at,
        last_speaker,
        messages,
        events,
        attachment: rng.random_bool(0.02),
    }
}

/// Seeds the tickets of every portal; how many tickets and messages were written.
pub async fn seed(
    db: &Db,
    options: &SeedOptions,
    people: &SeededPeople,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(u64, u64), SeedError> {
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed ^ 0x7469_636b_6574);
    let large = ((options.tickets as f64 * super::people::LARGE_SHARE).round() as u64).min(options.tickets);
    let now = now();
    let (mut written, mut messages) = (0, 0);
    for (portal, count) in people.portals.iter().zip([large, options.tickets - large]) {
        let mut next = next_number(db, portal.id).await?;
        let mut left = count;
        while left > 0 {
            let size = left.min(BATCH);
            let batch: Vec<Planned> = (0..size as i64).map(|i| plan(&mut rng, portal, next + i, now)).collect();
            messages += write_batch(db, portal, &batch).await?;
            next += size as i64;
            left -= size;
            written += size;
            progress(written);
        }
    }
    Ok((written, messages))
}

async fn next_number(db: &Db, portal_id: i64) -> Result<i64, sqlx::Error> {
    let row = sqlx::query("SELECT MAX(number) AS n FROM tickets WHERE portal_id = $1")
        .bind(portal_id)
        .fetch_one(db.pool())
        .await?;
    Ok(row.try_get::<Option<i64>, _>("n")?.map_or(FIRST_NUMBER, |n| n + 1))
}

/// Writes a batch in one transaction, and moves the portal's counter past it; the messages
/// written.
async fn write_batch(db: &Db, portal: &SeededPortal, batch: &[Planned]) -> Result<u64, sqlx::Error> {
    let mut tx = db.writer().begin().await?;
    crate::search::defer_ticket_index(&mut tx, db.backend()).await?;
    let columns = [
        "portal_id",
        "number",
        "customer_id",
        "requester_name",
        "requester_email",
        "verified_at",
        "department_id",
        "assignee_id",
        "status",
        "priority",
        "subject",
        "last_speaker",
        "created_at",
        "updated_at",
        "resolved_at",
    ];
    let rows: Vec<Vec<Value>> = batch
        .iter()
        .map(|t| {
            vec![
                portal.id.into(),
                t.number.into(),
                t.customer.id.into(),
                t.customer.name.as_str().into(),
                t.customer.email.as_str().into(),
                t.created_at.into(),
                t.department_id.into(),
                t.assignee.as_ref().map(|a| a.0).into(),
                t.status.as_str().into(),
                t.priority.as_str().into(),
                t.subject.as_str().into(),
                t.last_speaker.into(),
                t.created_at.into(),
                t.updated_at.into(),
                t.resolved_at.into(),
            ]
        })
        .collect();
    bulk::insert(&mut tx, "tickets", &columns, &rows).await?;
    let ids = ids_by_number(&mut tx, portal.id, batch).await?;
    let written = write_threads(&mut tx, portal.id, batch, &ids).await?;
    if let (Some(first), Some(last)) = (batch.first(), batch.last()) {
        crate::search::index_tickets(&mut tx, db.backend(), portal.id, first.number, last.number).await?;
    }
    sqlx::query(
        "INSERT INTO portal_counters (portal_id, name, last_value) VALUES ($1, 'ticket', $2) \
         ON CONFLICT (portal_id, name) DO UPDATE SET last_value = $2",
    )
    .bind(portal.id)
    .bind(batch.last().map_or(FIRST_NUMBER, |t| t.number))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(written)
}

async fn ids_by_number(conn: &mut AnyConnection, portal_id: i64, batch: &[Planned]) -> Result<Vec<i64>, sqlx::Error> {
    let (first, last) = (batch[0].number, batch[batch.len() - 1].number);
    let rows = sqlx::query("SELECT id FROM tickets WHERE portal_id = $1 AND number BETWEEN $2 AND $3 ORDER BY number")
        .bind(portal_id)
        .bind(first)
        .bind(last)
        .fetch_all(conn)
        .await?;
    rows.iter().map(|r| r.try_get("id")).collect()
}

/// The messages, history and attachments of a batch; the messages written.
async fn write_threads(
    conn: &mut AnyConnection,
    portal_id: i64,
    batch: &[Planned],
    ids: &[i64],
) -> Result<u64, sqlx::Error> {
    let mut messages = Vec::new();
    let mut events = Vec::new();
    for (t, id) in batch.iter().zip(ids) {
        let by = |desk: bool| -> (Option<i64>, Option<i64>, String) {
            if desk {
                (Some(t.replier.0), None, t.replier.1.clone())
            } else {
                (None, Some(t.customer.id), t.customer.name.clone())
            }
        };
        for (note, from_desk, body, at) in &t.messages {
            let (staff, customer, name) = by(*from_desk);
            let kind = if *note { "note" } else { "public" };
            messages.push(vec![
                portal_id.into(),
                (*id).into(),
                kind.into(),
                staff.into(),
                customer.into(),
                name.into(),
                body.as_str().into(),
                (*at).into(),
            ]);
        }
        for (what, old, new, at, by_desk) in &t.events {
            let (staff, customer, name) = by(*by_desk);
            events.push(vec![
                portal_id.into(),
                (*id).into(),
                staff.into(),
                customer.into(),
                name.into(),
                (*what).into(),
                old.clone().into(),
                new.clone().into(),
                (*at).into(),
            ]);
        }
    }
    let message_columns = [
        "portal_id",
        "ticket_id",
        "kind",
        "author_staff_id",
        "author_customer_id",
        "author_name",
        "body",
        "created_at",
    ];
    bulk::insert(conn, "ticket_messages", &message_columns, &messages).await?;
    let event_columns = [
        "portal_id",
        "ticket_id",
        "actor_staff_id",
        "actor_customer_id",
        "actor_name",
        "what",
        "old_value",
        "new_value",
        "created_at",
    ];
    bulk::insert(conn, "ticket_events", &event_columns, &events).await?;
    for (t, id) in batch.iter().zip(ids).filter(|(t, _)| t.attachment) {
        attach(conn, portal_id, *id, t.created_at).await?;
    }
    Ok(messages.len() as u64)
}

/// A small log file on the ticket's first message. (Found through the thread's index: asked as
/// `MIN(id)`, SQLite walked the portal's messages in id order instead.)
async fn attach(conn: &mut AnyConnection, portal_id: i64, ticket_id: i64, at: i64) -> Result<(), sqlx::Error> {
    use sha2::Digest;
    let data = format!("2026-01-01 12:00:00 ERROR ticket {ticket_id}: connection reset by peer\n").repeat(20);
    let sha = format!("{:x}", sha2::Sha256::digest(data.as_bytes()));
    let attachment: i64 = sqlx::query(
        "INSERT INTO attachments (portal_id, filename, content_type, size, sha256, chunks, created_at) \
         VALUES ($1, 'error.log', 'text/plain', $2, $3, 1, $4) RETURNING id",
    )
    .bind(portal_id)
    .bind(data.len() as i64)
    .bind(sha)
    .bind(at)
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")?;
    sqlx::query("INSERT INTO attachment_chunks (portal_id, attachment_id, seq, data) VALUES ($1, $2, 0, $3)")
        .bind(portal_id)
        .bind(attachment)
        .bind(data.into_bytes())
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO ticket_message_attachments (portal_id, message_id, attachment_id) \
         SELECT $1, id, $2 FROM ticket_messages WHERE portal_id = $1 AND ticket_id = $3 ORDER BY created_at, id LIMIT 1",
    )
    .bind(portal_id)
    .bind(attachment)
    .bind(ticket_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
