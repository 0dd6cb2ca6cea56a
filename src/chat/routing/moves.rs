//! The steps routing decisions are made of, each on the caller's transaction (which holds the
//! portal's routing lock): offer a chat, put it back in the queue, offer waiting chats to
//! whoever has room. Every write that depends on a chat's state says so in its `WHERE` and
//! checks the rows it changed, so a step that lost a race changes nothing.

use sqlx::{AnyConnection, Row};

use super::{Published, pick};

/// A chat as routing sees it.
pub(super) struct ChatRow {
    pub department_id: i64,
    pub state: String,
    pub agent_id: Option<i64>,
    pub requester_name: String,
}

pub(super) async fn load(
    conn: &mut AnyConnection,
    portal_id: i64,
    chat_id: i64,
) -> Result<Option<ChatRow>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT department_id, state, agent_id, requester_name FROM chats WHERE portal_id = $1 AND id = $2",
    )
    .bind(portal_id)
    .bind(chat_id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(ChatRow {
            department_id: r.try_get("department_id")?,
            state: r.try_get("state")?,
            agent_id: r.try_get("agent_id")?,
            requester_name: r.try_get("requester_name")?,
        })
    })
    .transpose()
}

async fn accept_seconds(conn: &mut AnyConnection, portal_id: i64, department_id: i64) -> Result<i64, sqlx::Error> {
    let row = sqlx::query("SELECT chat_accept_seconds FROM departments WHERE portal_id = $1 AND id = $2")
        .bind(portal_id)
        .bind(department_id)
        .fetch_optional(conn)
        .await?;
    Ok(match row {
        Some(r) => r.try_get::<i64, _>("chat_accept_seconds")?.max(1),
        None => 30,
    })
}

/// Offers waiting chat `chat_id` to `staff_id`. False when the chat was no longer waiting.
pub(super) async fn offer_to(
    conn: &mut AnyConnection,
    portal_id: i64,
    chat_id: i64,
    department_id: i64,
    staff_id: i64,
    now: i64,
    out: &mut Published,
) -> Result<bool, sqlx::Error> {
    let until = now + accept_seconds(conn, portal_id, department_id).await?;
    let claimed = sqlx::query(
        "UPDATE chats SET state = 'offered', agent_id = $1, offered_until = $2 \
         WHERE portal_id = $3 AND id = $4 AND state = 'waiting'",
    )
    .bind(staff_id)
    .bind(until)
    .bind(portal_id)
    .bind(chat_id)
    .execute(&mut *conn)
    .await?;
    if claimed.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO chat_offers (portal_id, chat_id, staff_id, offered_at, until) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (portal_id, chat_id, staff_id, offered_at) DO UPDATE SET until = excluded.until, outcome = NULL",
    )
    .bind(portal_id)
    .bind(chat_id)
    .bind(staff_id)
    .bind(now)
    .bind(until)
    .execute(&mut *conn)
    .await?;
    // The next new chat goes to someone else with as few, the one idle longest.
    sqlx::query(
        "UPDATE agent_presence SET idle_since = $1 WHERE portal_id = $2 AND staff_id = $3 AND channel = 'chat'",
    )
    .bind(now)
    .bind(portal_id)
    .bind(staff_id)
    .execute(&mut *conn)
    .await?;
    out.chat(portal_id, chat_id);
    out.queue(portal_id, department_id);
    out.agent(portal_id, staff_id);
    Ok(true)
}

/// Offers a waiting chat to the best agent of its department, if anyone has room.
pub(super) async fn offer_to_best(
    conn: &mut AnyConnection,
    portal_id: i64,
    chat_id: i64,
    now: i64,
    out: &mut Published,
) -> Result<Option<i64>, sqlx::Error> {
    let Some(chat) = load(conn, portal_id, chat_id).await? else { return Ok(None) };
    if chat.state != "waiting" {
        return Ok(None);
    }
    let Some(staff_id) = pick::best_for_chat(conn, portal_id, chat.department_id, chat_id, now).await? else {
        return Ok(None);
    };
    Ok(offer_to(conn, portal_id, chat_id, chat.department_id, staff_id, now, out).await?.then_some(staff_id))
}

/// How many waiting chats one dispatch looks at: the oldest first, so the queue's order holds.
const DISPATCH_BATCH: i64 = 200;

/// Offers the portal's waiting chats, oldest first, to whoever has room.
pub(super) async fn dispatch(
    conn: &mut AnyConnection,
    portal_id: i64,
    now: i64,
    out: &mut Published,
) -> Result<(), sqlx::Error> {
    if !pick::anyone_ready(conn, portal_id, now).await? {
        return Ok(());
    }
    let waiting: Vec<i64> =
        sqlx::query("SELECT id FROM chats WHERE portal_id = $1 AND state = 'waiting' ORDER BY queued_at, id LIMIT $2")
            .bind(portal_id)
            .bind(DISPATCH_BATCH)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<_, _>>()?;
    for chat_id in waiting {
        offer_to_best(conn, portal_id, chat_id, now, out).await?;
        if !pick::anyone_ready(conn, portal_id, now).await? {
            break;
        }
    }
    Ok(())
}

/// Puts an offered or active chat of `staff_id`'s back in the queue, at its old place, closing
/// their offer with `outcome` (so it does not come back to them on its own). False when the
/// chat was not theirs any more.
pub(super) async fn requeue(
    conn: &mut AnyConnection,
    portal_id: i64,
    chat_id: i64,
    staff_id: i64,
    outcome: &str,
    out: &mut Published,
) -> Result<bool, sqlx::Error> {
    let Some(chat) = load(conn, portal_id, chat_id).await? else { return Ok(false) };
    let moved = sqlx::query(
        "UPDATE chats SET state = 'waiting', agent_id = NULL, offered_until = NULL \
         WHERE portal_id = $1 AND id = $2 AND agent_id = $3 AND state IN ('offered', 'active')",
    )
    .bind(portal_id)
    .bind(chat_id)
    .bind(staff_id)
    .execute(&mut *conn)
    .await?;
    if moved.rows_affected() != 1 {
        return Ok(false);
    }
    close_offers(conn, portal_id, chat_id, staff_id, outcome).await?;
    out.chat(portal_id, chat_id);
    out.queue(portal_id, chat.department_id);
    out.agent(portal_id, staff_id);
    Ok(true)
}

/// Closes `staff_id`'s offers of a chat: the open one, and the accepted one of a chat they
/// answered (so that it is not handed back to them on its own).
pub(super) async fn close_offers(
    conn: &mut AnyConnection,
    portal_id: i64,
    chat_id: i64,
    staff_id: i64,
    outcome: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE chat_offers SET outcome = $1 WHERE portal_id = $2 AND chat_id = $3 AND staff_id = $4 \
         AND (outcome IS NULL OR outcome = 'accepted')",
    )
    .bind(outcome)
    .bind(portal_id)
    .bind(chat_id)
    .bind(staff_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The chats offered to (or, with `with_active`, also answered by) an agent in a portal.
pub(super) async fn chats_of(
    conn: &mut AnyConnection,
    portal_id: i64,
    staff_id: i64,
    with_active: bool,
) -> Result<Vec<i64>, sqlx::Error> {
    let sql = if with_active {
        "SELECT id FROM chats WHERE portal_id = $1 AND agent_id = $2 AND state IN ('offered', 'active') ORDER BY id"
    } else {
        "SELECT id FROM chats WHERE portal_id = $1 AND agent_id = $2 AND state = 'offered' ORDER BY id"
    };
    sqlx::query(sql).bind(portal_id).bind(staff_id).fetch_all(conn).await?.iter().map(|r| r.try_get("id")).collect()
}
