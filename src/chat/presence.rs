//! Agents' presence per channel (lane: core): available, away or offline for chats and for
//! tickets, in each portal; a lease that every live connection of the agent renews; the number
//! of chats they take at once. Routing only ever offers a chat to an agent available on the
//! chat channel with a current lease.

use sqlx::Row;

use crate::chat::routing::{self, Published};
use crate::error::AppResult;
use crate::web::layout::Notice;
use crate::web::state::AppState;

pub const NOTICES: &[Notice] = super::presence_pages::NOTICES;

pub fn router() -> axum::Router<crate::web::state::AppState> {
    axum::Router::new()
        .merge(super::presence_pages::router())
        .merge(super::presence_socket::router())
        .merge(super::department_settings::router())
}

/// A presence channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Chat,
    Tickets,
}

impl Channel {
    pub const ALL: [Channel; 2] = [Channel::Chat, Channel::Tickets];
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Chat => "chat",
            Channel::Tickets => "tickets",
        }
    }
}

/// Where an agent stands on one channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Available,
    Away,
    Offline,
}

impl State {
    pub const ALL: [State; 3] = [State::Available, State::Away, State::Offline];
    pub fn as_str(self) -> &'static str {
        match self {
            State::Available => "available",
            State::Away => "away",
            State::Offline => "offline",
        }
    }
    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Who set a state, when not the agent: the desk, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetBy {
    Agent,
    /// Their connections went quiet (the sweeper); undone by their next sign of life.
    Grace,
    /// An administrator.
    Forced,
    SignOut,
    /// Their management sessions ended or expired.
    Session,
}

impl SetBy {
    fn as_db(self) -> Option<&'static str> {
        match self {
            SetBy::Agent => None,
            SetBy::Grace => Some("grace"),
            SetBy::Forced => Some("forced"),
            SetBy::SignOut => Some("sign-out"),
            SetBy::Session => Some("session"),
        }
    }
}

/// For the customers' side: is anyone of the department there to answer (perhaps busy, in
/// which case the chat waits in the queue)? When not, the customer may leave a message.
pub async fn anyone_available(db: &crate::db::Db, portal_id: i64, department_id: i64) -> AppResult<bool> {
    Ok(routing::anyone_present_in(db.pool(), portal_id, department_id, crate::db::now()).await?)
}

/// A live connection of the agent's renews their lease in the portal. An agent the desk had
/// turned away for silence is available again, and gets what waits.
pub async fn keep_alive(state: &AppState, portal_id: i64, staff_id: i64) -> AppResult<()> {
    let now = crate::db::now();
    let until = now + state.chat.lease_secs;
    // Usually the lease is current and nothing else changes: no lock, one statement.
    let stale = sqlx::query(
        "SELECT staff_id FROM agent_presence WHERE portal_id = $1 AND staff_id = $2 AND channel = 'chat' \
         AND ((state = 'available' AND lease_until <= $3) OR (state = 'away' AND set_by = 'grace'))",
    )
    .bind(portal_id)
    .bind(staff_id)
    .bind(now)
    .fetch_optional(state.db.pool())
    .await?;
    let renew = "UPDATE agent_presence SET lease_until = $1, \
                 state = CASE WHEN set_by = 'grace' THEN 'available' ELSE state END, \
                 set_by = CASE WHEN set_by = 'grace' THEN NULL ELSE set_by END \
                 WHERE portal_id = $2 AND staff_id = $3";
    if stale.is_none() {
        sqlx::query(renew).bind(until).bind(portal_id).bind(staff_id).execute(state.db.writer()).await?;
        return Ok(());
    }
    let mut tx = routing::begin(state, portal_id).await?;
    sqlx::query(renew).bind(until).bind(portal_id).bind(staff_id).execute(&mut *tx).await?;
    let mut out = Published::default();
    out.agent(portal_id, staff_id);
    routing::dispatch(&mut tx, portal_id, now, &mut out).await?;
    routing::finish(state, tx, out).await
}

/// Whether the staff member works in the portal (only they have a presence there).
pub async fn is_member(db: &crate::db::Db, portal_id: i64, staff_id: i64) -> AppResult<bool> {
    let row = sqlx::query("SELECT staff_id FROM staff_portals WHERE portal_id = $1 AND staff_id = $2")
        .bind(portal_id)
        .bind(staff_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.is_some())
}

/// Sets an agent's state on one channel of one portal. The agent's own choice renews their
/// lease; leaving 'available' on the chat channel takes back the chats offered to them (and,
/// when forced offline, those they answer); becoming available offers them what waits.
pub async fn set(
    state: &AppState,
    portal_id: i64,
    staff_id: i64,
    channel: Channel,
    to: State,
    by: SetBy,
) -> AppResult<()> {
    let now = crate::db::now();
    let lease = if by == SetBy::Agent { now + state.chat.lease_secs } else { 0 };
    let mut tx = routing::begin(state, portal_id).await?;
    sqlx::query(
        "INSERT INTO agent_presence (portal_id, staff_id, channel, state, idle_since, lease_until, set_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $5) \
         ON CONFLICT (portal_id, staff_id, channel) DO UPDATE SET state = excluded.state, set_by = excluded.set_by, \
         updated_at = excluded.updated_at, \
         lease_until = CASE WHEN excluded.lease_until > agent_presence.lease_until THEN excluded.lease_until \
                       ELSE agent_presence.lease_until END",
    )
    .bind(portal_id)
    .bind(staff_id)
    .bind(channel.as_str())
    .bind(to.as_str())
    .bind(now)
    .bind(lease)
    .bind(by.as_db())
    .execute(&mut *tx)
    .await?;
    let mut out = Published::default();
    out.agent(portal_id, staff_id);
    if channel == Channel::Chat {
        match to {
            State::Available => routing::dispatch(&mut tx, portal_id, now, &mut out).await?,
            _ => {
                let with_active = by == SetBy::Forced;
                routing::return_work(&mut tx, portal_id, staff_id, with_active, now, &mut out).await?;
            }
        }
    }
    routing::finish(state, tx, out).await
}

/// An agent's states in a portal (offline where never set).
pub async fn states(db: &crate::db::Db, portal_id: i64, staff_id: i64) -> AppResult<(State, State, i64)> {
    let rows =
        sqlx::query("SELECT channel, state, capacity FROM agent_presence WHERE portal_id = $1 AND staff_id = $2")
            .bind(portal_id)
            .bind(staff_id)
            .fetch_all(db.pool())
            .await?;
    let (mut chat, mut tickets, mut capacity) = (State::Offline, State::Offline, DEFAULT_CAPACITY);
    for row in rows {
        let channel: String = row.try_get("channel")?;
        let s = State::parse(&row.try_get::<String, _>("state")?).unwrap_or(State::Offline);
        if channel == "chat" {
            chat = s;
            capacity = row.try_get("capacity")?;
        } else {
            tickets = s;
        }
    }
    Ok((chat, tickets, capacity))
}

/// Chats at once for an agent who never set theirs (the column's default).
pub const DEFAULT_CAPACITY: i64 = 3;

/// Sets how many chats an agent takes at once in a portal (a new row starts offline); more
/// room offers them what waits.
pub async fn set_capacity(state: &AppState, portal_id: i64, staff_id: i64, capacity: i64) -> AppResult<()> {
    let now = crate::db::now();
    let mut tx = routing::begin(state, portal_id).await?;
    sqlx::query(
        "INSERT INTO agent_presence (portal_id, staff_id, channel, state, capacity, idle_since, updated_at) \
         VALUES ($1, $2, 'chat', 'offline', $3, $4, $4) \
         ON CONFLICT (portal_id, staff_id, channel) DO UPDATE SET capacity = excluded.capacity, updated_at = excluded.updated_at",
    )
    .bind(portal_id)
    .bind(staff_id)
    .bind(capacity)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let mut out = Published::default();
    out.agent(portal_id, staff_id);
    routing::dispatch(&mut tx, portal_id, now, &mut out).await?;
    routing::finish(state, tx, out).await
}

/// An administrator takes an agent offline on every channel of the portal: the chats offered
/// to them and those they answer go back to the queue.
pub async fn force_offline(state: &AppState, portal_id: i64, staff_id: i64) -> AppResult<()> {
    for channel in Channel::ALL {
        set(state, portal_id, staff_id, channel, State::Offline, SetBy::Forced).await?;
    }
    Ok(())
}
