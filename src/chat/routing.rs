//! Every change of a chat's state, each in one transaction (lane: core).
//!
//! A chat is `waiting` in its department's queue, `offered` to one agent until `offered_until`,
//! `active` with that agent, or `ended`. Every decision takes the portal's routing lock first
//! (an advisory lock on PostgreSQL; SQLite has one writer), then changes rows only where their
//! state is still what the decision read (checking the rows changed). So two nodes never offer
//! one chat to two agents, nor push an agent over their capacity. Events go out with the
//! commit (`finish`); listeners read the rest from the database.

mod moves;
mod pick;

use sqlx::{Any, AnyConnection, Row, Transaction};

use super::store::SystemLine;
use crate::error::{AppError, AppResult};
use crate::events::Event;
use crate::i18n::Msg;
use crate::web::state::AppState;

pub use pick::anyone_present_in;

/// Who or what ended a chat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndedBy {
    Customer,
    /// The chat's agent.
    Agent(i64),
    /// Turned into a ticket.
    Ticket,
    /// Nobody was available: the customer left a message.
    Offline,
    Timeout,
}

impl EndedBy {
    fn as_str(self) -> &'static str {
        match self {
            EndedBy::Customer => "customer",
            EndedBy::Agent(_) => "agent",
            EndedBy::Ticket => "ticket",
            EndedBy::Offline => "offline",
            EndedBy::Timeout => "timeout",
        }
    }
}

/// A waiting chat's place in its department's queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct QueuePlace {
    /// 1: next.
    pub position: i64,
    /// From the department's recent waits; `None` without any.
    pub estimated_wait_secs: Option<i64>,
}

/// Events a decision causes, published once it is committed (each once).
#[derive(Default)]
pub(crate) struct Published(Vec<Event>);

impl Published {
    fn push(&mut self, event: Event) {
        if !self.0.contains(&event) {
            self.0.push(event);
        }
    }
    pub(crate) fn chat(&mut self, portal_id: i64, chat_id: i64) {
        self.push(Event::Chat { portal_id, chat_id });
    }
    pub(crate) fn queue(&mut self, portal_id: i64, department_id: i64) {
        self.push(Event::Queue { portal_id, department_id });
    }
    pub(crate) fn agent(&mut self, portal_id: i64, staff_id: i64) {
        self.push(Event::Agent { portal_id, staff_id });
    }
}

/// A write transaction holding the portal's routing lock.
pub(crate) async fn begin(state: &AppState, portal_id: i64) -> Result<Transaction<'static, Any>, sqlx::Error> {
    let mut tx = state.db.writer().begin().await?;
    state.db.lock_key(&mut tx, &format!("chat-routing:{portal_id}")).await?;
    Ok(tx)
}

/// Commits, telling every node with the commit (see `EventBus::publish_in`).
pub(crate) async fn finish(state: &AppState, mut tx: Transaction<'static, Any>, out: Published) -> AppResult<()> {
    state.events.publish_in(&mut tx, &out.0).await?;
    tx.commit().await?;
    state.events.committed(&out.0);
    Ok(())
}

/// A chat just created in state 'waiting': offers it at once if someone is free (and whatever
/// waits before it, so the queue's order holds).
pub async fn enqueue(state: &AppState, portal_id: i64, chat_id: i64) -> AppResult<()> {
    let now = crate::db::now();
    let mut tx = begin(state, portal_id).await?;
    let mut out = Published::default();
    let Some(chat) = moves::load(&mut tx, portal_id, chat_id).await? else { return Err(AppError::NotFound) };
    out.queue(portal_id, chat.department_id);
    out.chat(portal_id, chat_id);
    moves::dispatch(&mut tx, portal_id, now, &mut out).await?;
    finish(state, tx, out).await
}

/// The agent takes a chat offered to them.
pub async fn accept(state: &AppState, portal_id: i64, staff_id: i64, chat_id: i64) -> AppResult<()> {
    let now = crate::db::now();
    let mut tx = begin(state, portal_id).await?;
    let taken = sqlx::query(
        "UPDATE chats SET state = 'active', accepted_at = COALESCE(accepted_at, $1), offered_until = NULL \
         WHERE portal_id = $2 AND id = $3 AND agent_id = $4 AND state = 'offered'",
    )
    .bind(now)
    .bind(portal_id)
    .bind(chat_id)
    .bind(staff_id)
    .execute(&mut *tx)
    .await?;
    if taken.rows_affected() != 1 {
        return Err(offer_gone());
    }
    sqlx::query(
        "UPDATE chat_offers SET outcome = 'accepted' WHERE portal_id = $1 AND chat_id = $2 AND staff_id = $3 \
         AND outcome IS NULL",
    )
    .bind(portal_id)
    .bind(chat_id)
    .bind(staff_id)
    .execute(&mut *tx)
    .await?;
    let name = staff_name(&mut tx, staff_id).await?;
    say(&mut tx, portal_id, chat_id, SystemLine::new("chat-system-joined").arg("name", name)).await?;
    let mut out = Published::default();
    out.chat(portal_id, chat_id);
    out.agent(portal_id, staff_id);
    finish(state, tx, out).await
}

/// A system line in the conversation ("Ana joined"), with the change that causes it.
async fn say(conn: &mut AnyConnection, portal_id: i64, chat_id: i64, line: SystemLine) -> AppResult<()> {
    super::store::system_line(conn, portal_id, chat_id, &line).await?;
    Ok(())
}

async fn staff_name(conn: &mut AnyConnection, staff_id: i64) -> Result<String, sqlx::Error> {
    let row = sqlx::query("SELECT name FROM staff WHERE id = $1").bind(staff_id).fetch_optional(conn).await?;
    Ok(row.map(|r| r.try_get("name")).transpose()?.unwrap_or_default())
}

fn offer_gone() -> AppError {
    AppError::Page(axum::http::StatusCode::CONFLICT, Msg::new("chat-offer-gone"))
}

/// The agent lets an offered chat pass: it goes to the next agent (never back to them).
pub async fn decline(state: &AppState, portal_id: i64, staff_id: i64, chat_id: i64) -> AppResult<()> {
    let now = crate::db::now();
    let mut tx = begin(state, portal_id).await?;
    let mut out = Published::default();
    match moves::load(&mut tx, portal_id, chat_id).await? {
        Some(c) if c.state == "offered" && c.agent_id == Some(staff_id) => {}
        _ => return Err(offer_gone()),
    }
    moves::requeue(&mut tx, portal_id, chat_id, staff_id, "declined", &mut out).await?;
    moves::dispatch(&mut tx, portal_id, now, &mut out).await?;
    finish(state, tx, out).await
}

/// The chat `by_staff` answers, if it is theirs and active.
async fn answered_by(
    conn: &mut AnyConnection,
    portal_id: i64,
    chat_id: i64,
    by_staff: i64,
) -> AppResult<moves::ChatRow> {
    match moves::load(conn, portal_id, chat_id).await? {
        Some(c) if c.state == "active" && c.agent_id == Some(by_staff) => Ok(c),
        _ => Err(AppError::NotFound),
    }
}

/// Hands an active chat to another agent, who must accept it like any offer; if they let it
/// pass it goes to the department's next agent.
pub async fn transfer_to_agent(
    state: &AppState,
    portal_id: i64,
    by_staff: i64,
    chat_id: i64,
    to_staff: i64,
) -> AppResult<()> {
    let now = crate::db::now();
    let mut tx = begin(state, portal_id).await?;
    let chat = answered_by(&mut tx, portal_id, chat_id, by_staff).await?;
    if to_staff == by_staff || !pick::is_ready(&mut tx, portal_id, to_staff, now).await? {
        return Err(AppError::bad_request(Msg::new("chat-transfer-agent-unavailable")));
    }
    let mut out = Published::default();
    moves::requeue(&mut tx, portal_id, chat_id, by_staff, "transferred", &mut out).await?;
    if !moves::offer_to(&mut tx, portal_id, chat_id, chat.department_id, to_staff, now, &mut out).await? {
        return Err(offer_gone());
    }
    let name = staff_name(&mut tx, to_staff).await?;
    say(&mut tx, portal_id, chat_id, SystemLine::new("chat-system-transferred-agent").arg("name", name)).await?;
    moves::dispatch(&mut tx, portal_id, now, &mut out).await?;
    finish(state, tx, out).await
}

/// Sends an active chat to another department's queue (at its old place), whose agents get it
/// as any waiting chat.
pub async fn transfer_to_department(
    state: &AppState,
    portal_id: i64,
    by_staff: i64,
    chat_id: i64,
    department_id: i64,
) -> AppResult<()> {
    let now = crate::db::now();
    let mut tx = begin(state, portal_id).await?;
    let chat = answered_by(&mut tx, portal_id, chat_id, by_staff).await?;
    let department = sqlx::query("SELECT name FROM departments WHERE portal_id = $1 AND id = $2")
        .bind(portal_id)
        .bind(department_id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(department) = department else { return Err(AppError::NotFound) };
    let line = SystemLine::new("chat-system-transferred-department")
        .arg("department", department.try_get::<String, _>("name")?);
    say(&mut tx, portal_id, chat_id, line).await?;
    let mut out = Published::default();
    moves::requeue(&mut tx, portal_id, chat_id, by_staff, "transferred", &mut out).await?;
    sqlx::query("UPDATE chats SET department_id = $1 WHERE portal_id = $2 AND id = $3")
        .bind(department_id)
        .bind(portal_id)
        .bind(chat_id)
        .execute(&mut *tx)
        .await?;
    out.queue(portal_id, chat.department_id);
    out.queue(portal_id, department_id);
    moves::dispatch(&mut tx, portal_id, now, &mut out).await?;
    finish(state, tx, out).await
}

/// Ends a chat (again: nothing happens). An agent may end only a chat of theirs; its agent is
/// then free for the next one waiting.
pub async fn end(state: &AppState, portal_id: i64, chat_id: i64, ended_by: EndedBy) -> AppResult<()> {
    let now = crate::db::now();
    let mut tx = begin(state, portal_id).await?;
    let Some(chat) = moves::load(&mut tx, portal_id, chat_id).await? else { return Err(AppError::NotFound) };
    if let EndedBy::Agent(staff_id) = ended_by
        && chat.agent_id != Some(staff_id)
    {
        return Err(AppError::NotFound);
    }
    if chat.state == "ended" {
        return Ok(());
    }
    let ended = sqlx::query(
        "UPDATE chats SET state = 'ended', ended_at = $1, ended_by = $2, offered_until = NULL \
         WHERE portal_id = $3 AND id = $4 AND state <> 'ended'",
    )
    .bind(now)
    .bind(ended_by.as_str())
    .bind(portal_id)
    .bind(chat_id)
    .execute(&mut *tx)
    .await?;
    let mut out = Published::default();
    if ended.rows_affected() == 1 {
        sqlx::query(
            "UPDATE chat_offers SET outcome = 'withdrawn' WHERE portal_id = $1 AND chat_id = $2 AND outcome IS NULL",
        )
        .bind(portal_id)
        .bind(chat_id)
        .execute(&mut *tx)
        .await?;
        let line = match ended_by {
            EndedBy::Customer => SystemLine::new("chat-system-ended-customer").arg("name", chat.requester_name.clone()),
            _ => SystemLine::new("chat-system-ended"),
        };
        say(&mut tx, portal_id, chat_id, line).await?;
        out.chat(portal_id, chat_id);
        out.queue(portal_id, chat.department_id);
        if let Some(agent) = chat.agent_id {
            out.agent(portal_id, agent);
            moves::dispatch(&mut tx, portal_id, now, &mut out).await?;
        }
    }
    finish(state, tx, out).await
}

/// A waiting chat's place in its department's queue; `None` once it is not waiting.
pub async fn queue_place(db: &crate::db::Db, portal_id: i64, chat_id: i64) -> AppResult<Option<QueuePlace>> {
    let row = sqlx::query(
        "SELECT c.department_id, c.queued_at, \
         (SELECT COUNT(*) FROM chats w WHERE w.portal_id = c.portal_id AND w.department_id = c.department_id \
          AND w.state = 'waiting' AND (w.queued_at < c.queued_at OR (w.queued_at = c.queued_at AND w.id < c.id))) AS ahead \
         FROM chats c WHERE c.portal_id = $1 AND c.id = $2 AND c.state = 'waiting'",
    )
    .bind(portal_id)
    .bind(chat_id)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let position = row.try_get::<i64, _>("ahead")? + 1;
    let department_id: i64 = row.try_get("department_id")?;
    let per_place = recent_wait(db, portal_id, department_id).await?;
    Ok(Some(QueuePlace { position, estimated_wait_secs: per_place.map(|w| w * position) }))
}

/// How many recent chats the estimate averages over, and how far back it looks.
const RECENT_CHATS: i64 = 20;
const RECENT_SECS: i64 = 7 * 24 * 3600;

/// The average wait (creation to acceptance) of the department's recent chats.
async fn recent_wait(db: &crate::db::Db, portal_id: i64, department_id: i64) -> AppResult<Option<i64>> {
    let rows = sqlx::query(
        "SELECT accepted_at - created_at AS waited FROM chats WHERE portal_id = $1 AND department_id = $2 \
         AND accepted_at IS NOT NULL AND accepted_at > $3 ORDER BY accepted_at DESC LIMIT $4",
    )
    .bind(portal_id)
    .bind(department_id)
    .bind(crate::db::now() - RECENT_SECS)
    .bind(RECENT_CHATS)
    .fetch_all(db.pool())
    .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let total: i64 = rows.iter().map(|r| r.try_get::<i64, _>("waited")).sum::<Result<i64, _>>()?;
    Ok(Some((total / rows.len() as i64).max(1)))
}

/// Takes an agent's work back: the chats offered to them (and, with `with_active`, those they
/// answer) go back to the queue, to the next agent. For an agent who went away or offline.
pub(crate) async fn return_work(
    conn: &mut AnyConnection,
    portal_id: i64,
    staff_id: i64,
    with_active: bool,
    now: i64,
    out: &mut Published,
) -> Result<usize, sqlx::Error> {
    let chats = moves::chats_of(conn, portal_id, staff_id, with_active).await?;
    let mut moved = 0;
    for chat_id in chats {
        moved += moves::requeue(conn, portal_id, chat_id, staff_id, "withdrawn", out).await? as usize;
    }
    moves::dispatch(conn, portal_id, now, out).await?;
    Ok(moved)
}

/// Offers the portal's waiting chats to whoever has room (someone became available).
pub(crate) async fn dispatch(
    conn: &mut AnyConnection,
    portal_id: i64,
    now: i64,
    out: &mut Published,
) -> Result<(), sqlx::Error> {
    moves::dispatch(conn, portal_id, now, out).await
}

/// Offers past their time: each goes to the next agent, in its own transaction. Safe with
/// several nodes at once: an offer already handled is skipped.
pub(crate) async fn expire_offers(state: &AppState, now: i64) -> AppResult<usize> {
    let due = sqlx::query(
        "SELECT portal_id, id, agent_id FROM chats WHERE state = 'offered' AND offered_until <= $1 ORDER BY offered_until LIMIT 500",
    )
    .bind(now)
    .fetch_all(state.db.pool())
    .await?;
    let mut expired = 0;
    for row in due {
        let (portal_id, chat_id): (i64, i64) = (row.try_get("portal_id")?, row.try_get("id")?);
        let Some(staff_id) = row.try_get::<Option<i64>, _>("agent_id")? else { continue };
        let mut tx = begin(state, portal_id).await?;
        let still_due = sqlx::query(
            "SELECT id FROM chats WHERE portal_id = $1 AND id = $2 AND state = 'offered' AND agent_id = $3 AND offered_until <= $4",
        )
        .bind(portal_id)
        .bind(chat_id)
        .bind(staff_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        if still_due.is_none() {
            continue;
        }
        let mut out = Published::default();
        moves::requeue(&mut tx, portal_id, chat_id, staff_id, "expired", &mut out).await?;
        moves::dispatch(&mut tx, portal_id, now, &mut out).await?;
        finish(state, tx, out).await?;
        expired += 1;
    }
    Ok(expired)
}
