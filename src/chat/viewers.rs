//! Collision warnings: the agents' ticket page shows, live, who else has the ticket open and
//! who is writing a reply to it, so that two agents do not answer one customer twice.
//!
//! The page's script (`static/viewers.js`) keeps a WebSocket open to
//! `/manage/tickets/{number}/viewers/socket` while the page is open. The socket holds the
//! agent's row in `ticket_viewers` (a lease of `LEASE_SECS`, renewed every `RENEW_SECS`; the row
//! says "writing" while the reply box holds unsent text, as the script reports) and pushes the
//! others' list whenever it changes. A change is announced on the event bus
//! (`Event::TicketViewers`), so agents on other nodes see it at once; a node that dies stops
//! renewing its rows, and the others drop them when their lease runs out.
//!
//! Only agents who see the ticket open the socket (the ticket page's own rule, re-checked at
//! every renewal: an agent moved out of the department disappears), and rows are keyed by the
//! portal, so nobody of another portal or department ever appears.

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::auth::ManageUser;
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::events::{Event, Topic};
use crate::tickets::manage::ticket::visible_ticket;
use crate::web::extract::Path;
use crate::web::state::AppState;

/// How long a row stays without renewal: a closed tab or a dead node's agent disappears within it.
pub const LEASE_SECS: i64 = 30;
/// How often an open socket renews its row and re-reads the list (rows expire silently).
const RENEW_SECS: u64 = 10;
/// A client frame is a few dozen bytes; anything bigger is not one of ours.
const MAX_FRAME_BYTES: usize = 1024;

pub fn router() -> Router<AppState> {
    Router::new().route("/manage/tickets/{number}/viewers/socket", get(socket)).route("/static/viewers.js", get(script))
}

/// Someone else on the ticket, as the page shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Viewer {
    pub staff_id: i64,
    pub name: String,
    pub writing: bool,
}

/// The agents on a ticket now (their lease current), by name.
pub async fn current(db: &crate::db::Db, portal_id: i64, ticket_id: i64) -> Result<Vec<Viewer>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT v.staff_id, s.name, v.writing FROM ticket_viewers v JOIN staff s ON s.id = v.staff_id \
         WHERE v.portal_id = $1 AND v.ticket_id = $2 AND v.until > $3 ORDER BY s.name, v.staff_id",
    )
    .bind(portal_id)
    .bind(ticket_id)
    .bind(now())
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let writing: i64 = r.try_get("writing")?;
            Ok(Viewer { staff_id: r.try_get("staff_id")?, name: r.try_get("name")?, writing: writing != 0 })
        })
        .collect()
}

/// Where one agent is on one ticket.
#[derive(Clone, Copy, Debug)]
struct Seat {
    portal_id: i64,
    ticket_id: i64,
    staff_id: i64,
}

/// Writes the agent's row for another lease; whether others should hear of it (the agent just
/// arrived, came back after their row expired, or started or stopped writing).
async fn renew(state: &AppState, seat: Seat, writing: bool) -> Result<bool, sqlx::Error> {
    let now = now();
    let before = sqlx::query(
        "SELECT writing, until FROM ticket_viewers WHERE portal_id = $1 AND ticket_id = $2 AND staff_id = $3",
    )
    .bind(seat.portal_id)
    .bind(seat.ticket_id)
    .bind(seat.staff_id)
    .fetch_optional(state.db.pool())
    .await?;
    let unchanged = match before {
        Some(r) => r.try_get::<i64, _>("until")? > now && (r.try_get::<i64, _>("writing")? != 0) == writing,
        None => false,
    };
    sqlx::query(
        "INSERT INTO ticket_viewers (portal_id, ticket_id, staff_id, writing, until) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (portal_id, ticket_id, staff_id) DO UPDATE SET writing = excluded.writing, until = excluded.until",
    )
    .bind(seat.portal_id)
    .bind(seat.ticket_id)
    .bind(seat.staff_id)
    .bind(writing as i64)
    .bind(now + LEASE_SECS)
    .execute(state.db.writer())
    .await?;
    Ok(!unchanged)
}

/// The agent left the page: their row goes at once rather than at the end of its lease.
async fn leave(state: &AppState, seat: Seat) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM ticket_viewers WHERE portal_id = $1 AND ticket_id = $2 AND staff_id = $3")
        .bind(seat.portal_id)
        .bind(seat.ticket_id)
        .bind(seat.staff_id)
        .execute(state.db.writer())
        .await?;
    // Rows of tabs closed by a node that died, long expired, are cleared by whoever passes by.
    sqlx::query("DELETE FROM ticket_viewers WHERE portal_id = $1 AND ticket_id = $2 AND until < $3")
        .bind(seat.portal_id)
        .bind(seat.ticket_id)
        .bind(now() - LEASE_SECS)
        .execute(state.db.writer())
        .await?;
    Ok(())
}

async fn announce(state: &AppState, seat: Seat) {
    state.events.publish(Event::TicketViewers { portal_id: seat.portal_id, ticket_id: seat.ticket_id }).await;
}

/// The socket refuses before upgrading: 401 without a session (a script asks, not a person),
/// 403 from another site's page, 404 for a ticket the agent does not see.
async fn socket(
    State(state): State<AppState>,
    user: Result<ManageUser, Response>,
    headers: HeaderMap,
    Path(number): Path<String>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> AppResult<Response> {
    let user = match user {
        Ok(user) => user,
        Err(refusal) => return Ok(crate::web::sockets::session_refused(refusal)),
    };
    // A browser sends cookies with a cross-site WebSocket too: its Origin must be this site.
    crate::web::csrf::check_origin(&headers, &state)?;
    let (_, ticket) = visible_ticket(&state, &user, &number).await?;
    let upgrade = upgrade.map_err(|_| AppError::bad_request(crate::i18n::Msg::new("error-bad-address")))?;
    let seat = Seat { portal_id: user.portal.id, ticket_id: ticket.id, staff_id: user.staff.id };
    Ok(crate::web::sockets::lean(upgrade, MAX_FRAME_BYTES).on_upgrade(move |ws| serve(state, user, number, seat, ws)))
}

/// What the page says: `{"type":"writing","writing":true}`.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum ClientFrame {
    Writing { writing: bool },
}

#[derive(Serialize)]
struct ViewersFrame<'a> {
    r#type: &'static str,
    viewers: &'a [Viewer],
}

async fn serve(state: AppState, user: ManageUser, number: String, seat: Seat, mut ws: WebSocket) {
    let mut events =
        state.events.subscribe_to(Topic::TicketViewers { portal_id: seat.portal_id, ticket_id: seat.ticket_id });
    let mut writing = false;
    let mut shown: Option<Vec<Viewer>> = None;
    // A page that vanished without closing its socket (a laptop shut, a network gone) would
    // otherwise be renewed for as long as TCP keeps the connection, a viewer nobody is: the
    // socket pings at each tick (browsers answer on their own, even in a hidden tab) and lets
    // go of a page it has heard nothing from for the agents' silence limit.
    let silent_after = Duration::from_secs(state.chat.silent_after_secs);
    let every = Duration::from_secs(RENEW_SECS).min(silent_after / 3).max(Duration::from_millis(500));
    let mut tick = tokio::time::interval(every);
    let mut heard = tokio::time::Instant::now();
    let outcome: Result<(), Stop> = async {
        loop {
            tokio::select! {
                // The page's answers first: one waiting is not taken for silence.
                biased;
                frame = ws.recv() => {
                    heard = tokio::time::Instant::now();
                    match frame {
                        Some(Ok(Message::Text(text))) => {
                            if let Ok(ClientFrame::Writing { writing: now_writing }) = serde_json::from_str(text.as_str()) {
                                writing = now_writing;
                                if renew(&state, seat, writing).await? {
                                    announce(&state, seat).await;
                                }
                            }
                        }
                        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Ok(()),
                        // A pong, the page's answer to a ping.
                        Some(Ok(_)) => {}
                    }
                }
                event = events.recv() => {
                    if event.is_none() {
                        return Ok(());
                    }
                    push(&state, seat, &mut shown, &mut ws).await?;
                }
                _ = tick.tick() => {
                    if heard.elapsed() >= silent_after {
                        tracing::info!(ticket = seat.ticket_id, staff = seat.staff_id, "ticket viewers socket closed: its page answers nothing");
                        return Ok(());
                    }
                    if !crate::web::sockets::send_within(&mut ws, Message::Ping(Default::default())).await {
                        return Err(Stop::Gone);
                    }
                    // Still allowed to see it? (moved out of the department, ticket moved away)
                    if visible_ticket(&state, &user, &number).await.is_err() {
                        return Ok(());
                    }
                    if renew(&state, seat, writing).await? {
                        announce(&state, seat).await;
                    }
                    push(&state, seat, &mut shown, &mut ws).await?;
                }
            }
        }
    }
    .await;
    if let Err(Stop::Database(e)) = outcome {
        tracing::warn!(error = %e, "ticket viewers socket stopped");
    }
    crate::web::sockets::close_within(&mut ws).await;
    match leave(&state, seat).await {
        Ok(()) => announce(&state, seat).await,
        // The row expires on its own.
        Err(e) => tracing::debug!(error = %e, "could not clear a ticket viewer"),
    }
}

enum Stop {
    Database(sqlx::Error),
    Gone,
}

impl From<sqlx::Error> for Stop {
    fn from(e: sqlx::Error) -> Stop {
        Stop::Database(e)
    }
}

/// Sends the others on the ticket when the list differs from what the page shows.
async fn push(state: &AppState, seat: Seat, shown: &mut Option<Vec<Viewer>>, ws: &mut WebSocket) -> Result<(), Stop> {
    let others: Vec<Viewer> = current(&state.db, seat.portal_id, seat.ticket_id)
        .await?
        .into_iter()
        .filter(|v| v.staff_id != seat.staff_id)
        .collect();
    if shown.as_ref() == Some(&others) {
        return Ok(());
    }
    let frame = serde_json::to_string(&ViewersFrame { r#type: "viewers", viewers: &others }).unwrap_or_default();
    if !crate::web::sockets::send_within(ws, Message::Text(frame.into())).await {
        return Err(Stop::Gone);
    }
    *shown = Some(others);
    Ok(())
}

async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../static/viewers.js"),
    )
}
