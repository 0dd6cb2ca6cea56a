//! `GET /manage/presence/socket`: the agent's own live channel, open on every management page.
//! While it is open it renews the agent's lease; it pushes their presence, the chats offered
//! to them, and a nudge when their chats changed. JSON text frames:
//!
//! - `{"type":"presence","chat":"available|away|offline","tickets":"..."}`
//! - `{"type":"offer","chat_id":..,"portal_id":..,"department":..,"customer":..,"until":..}`
//! - `{"type":"withdrawn","chat_id":..}`: an offer sent before is no longer theirs to accept
//! - `{"type":"chats"}`: their chats changed (reload the list)
//!
//! The client may send `{"type":"ping"}`. The socket closes when the session ends (sign-out,
//! expiry), and when it has heard nothing from the page for `silent_after_secs`: any frame
//! counts, the answers to its own pings too (sent every third of the lease or of that limit,
//! whichever is shorter; a browser answers them itself, however it slows a hidden tab's scripts). A page that vanished without closing
//! the socket must not keep renewing the agent's lease, and getting chats offered.

use std::collections::BTreeSet;
use std::time::Duration;

use tokio::time::Instant;

use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sqlx::Row;

use super::presence;
use crate::auth::ManageUser;
use crate::events::{Event, Topic};
use crate::web::state::AppState;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/manage/presence/socket", axum::routing::get(socket))
        .route("/static/presence.js", axum::routing::get(script))
}

/// The script every management page loads (pages allow no inline script).
async fn script() -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/presence.js"),
    )
        .into_response()
}

/// 401 before the upgrade, never a redirect: a script cannot follow one. The session is
/// checked first, so that presence.js can ask the address as a page why a socket closed: 401
/// is the session's end (a database that is away answers 500, no sign-out), anything else is
/// not.
pub async fn socket(
    State(state): State<AppState>,
    user: Result<ManageUser, Response>,
    headers: axum::http::HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let user = match user {
        Ok(user) => user,
        Err(refusal) => return crate::web::sockets::session_refused(refusal),
    };
    // Another site must not open this socket with the agent's cookies (it renews presence).
    if let Err(refused) = crate::web::csrf::check_origin(&headers, &state) {
        return refused.into_response();
    }
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(not_a_socket) => return not_a_socket.into_response(),
    };
    let who = Agent { portal_id: user.portal.id, staff_id: user.staff.id, session_id: user.session.id };
    // The page sends nothing but keep-alives.
    crate::web::sockets::lean(upgrade, 1024).on_upgrade(move |socket| run(socket, state, who)).into_response()
}

#[derive(Clone, Copy)]
struct Agent {
    portal_id: i64,
    staff_id: i64,
    session_id: i64,
}

/// What this socket told the client last, so that it sends only changes.
#[derive(Default)]
struct Told {
    presence: Option<(presence::State, presence::State)>,
    offers: BTreeSet<i64>,
}

async fn run(mut socket: WebSocket, state: AppState, who: Agent) {
    let mut events = state.events.subscribe_to(Topic::Agent { portal_id: who.portal_id, staff_id: who.staff_id });
    // The session's end (any path: migration 0029) is checked at once, not at the next beat.
    let mut session = state.events.subscribe_to(Topic::Session { session_id: who.session_id });
    let mut told = Told::default();
    // A beat renews the lease and pings: often enough for both (a third of each) whatever
    // the two settings are.
    let silent_after = Duration::from_secs(state.chat.silent_after_secs);
    let renew = Duration::from_secs(state.chat.lease_secs.max(0) as u64).min(silent_after) / 3;
    let mut tick = tokio::time::interval(renew.max(Duration::from_millis(500)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The lease first, then what the agent sees: an event published before this socket opened
    // may still be on its way, and must not show a state the lease is about to change.
    tick.tick().await;
    let mut alive = beat(&mut socket, &state, who, &mut told).await && send(&mut socket, ping()).await;
    let mut heard = Instant::now();
    while alive {
        alive = tokio::select! {
            // The page's frames first: an answer waiting must count before a beat judges the
            // silence, however long the last beat took.
            biased;
            frame = socket.recv() => match frame {
                Some(Ok(Message::Close(_)) | Err(_)) | None => false,
                Some(Ok(_)) => {
                    heard = Instant::now();
                    true
                }
            },
            event = events.recv() => event.is_some() && push(&mut socket, &state, who, &mut told, true).await,
            _ = tick.tick() => {
                let silent = heard.elapsed();
                if silent < silent_after {
                    beat(&mut socket, &state, who, &mut told).await && send(&mut socket, ping()).await
                } else {
                    tracing::info!(portal_id = who.portal_id, staff_id = who.staff_id, silent_secs = silent.as_secs(),
                        "presence socket closed: its page answers nothing, so the agent's lease is no longer renewed");
                    false
                }
            },
            // Events lost wait for the next beat (every socket hears of that at once).
            ended = session.recv() => match ended {
                Some(Event::Missed) => true,
                Some(_) => beat(&mut socket, &state, who, &mut told).await,
                None => false,
            },
        };
    }
    send(&mut socket, Message::Close(None)).await;
}

/// Asks the page for a sign of life; browsers answer on their own.
fn ping() -> Message {
    Message::Ping(Default::default())
}

/// A page that stopped reading must not hold the socket's task (`sockets::SEND_WITHIN`).
async fn send(socket: &mut WebSocket, message: Message) -> bool {
    crate::web::sockets::send_within(socket, message).await
}

/// Every third of a lease: the session must still be current; renews the lease and re-reads
/// (an event may have been lost with a node).
async fn beat(socket: &mut WebSocket, state: &AppState, who: Agent, told: &mut Told) -> bool {
    match crate::auth::sessions::is_current(&state.db, state.sessions, who.session_id).await {
        Ok(true) => {}
        Ok(false) => return false,
        Err(e) => {
            tracing::debug!(error = %e, "presence socket cannot check its session");
            return true;
        }
    }
    if let Err(e) = presence::keep_alive(state, who.portal_id, who.staff_id).await {
        tracing::debug!(error = ?e, "presence socket cannot renew a lease");
    }
    push(socket, state, who, told, false).await
}

/// Sends what changed since the last push; `nudge` also says their chats changed.
async fn push(socket: &mut WebSocket, state: &AppState, who: Agent, told: &mut Told, nudge: bool) -> bool {
    let frames = match frames(state, who, told, nudge).await {
        Ok(f) => f,
        Err(e) => {
            tracing::debug!(error = ?e, "presence socket cannot read the agent's state");
            return true;
        }
    };
    for frame in frames {
        if !send(socket, Message::Text(frame.to_string().into())).await {
            return false;
        }
    }
    true
}

async fn frames(
    state: &AppState,
    who: Agent,
    told: &mut Told,
    nudge: bool,
) -> crate::error::AppResult<Vec<serde_json::Value>> {
    let mut frames = Vec::new();
    let (chat, tickets, _) = presence::states(&state.db, who.portal_id, who.staff_id).await?;
    if told.presence != Some((chat, tickets)) {
        told.presence = Some((chat, tickets));
        frames.push(json!({"type": "presence", "chat": chat.as_str(), "tickets": tickets.as_str()}));
    }
    let offers = offers(state, who).await?;
    let now: BTreeSet<i64> = offers.iter().filter_map(|o| o["chat_id"].as_i64()).collect();
    for gone in told.offers.difference(&now) {
        frames.push(json!({"type": "withdrawn", "chat_id": gone}));
    }
    for offer in offers {
        if offer["chat_id"].as_i64().is_some_and(|id| !told.offers.contains(&id)) {
            frames.push(offer);
        }
    }
    told.offers = now;
    if nudge {
        frames.push(json!({"type": "chats"}));
    }
    Ok(frames)
}

async fn offers(state: &AppState, who: Agent) -> crate::error::AppResult<Vec<serde_json::Value>> {
    let rows = sqlx::query(
        "SELECT c.id, c.requester_name, c.offered_until, d.name FROM chats c JOIN departments d \
         ON d.portal_id = c.portal_id AND d.id = c.department_id \
         WHERE c.portal_id = $1 AND c.agent_id = $2 AND c.state = 'offered' ORDER BY c.id",
    )
    .bind(who.portal_id)
    .bind(who.staff_id)
    .fetch_all(state.db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(json!({
                "type": "offer",
                "chat_id": r.try_get::<i64, _>("id")?,
                "portal_id": who.portal_id,
                "department": r.try_get::<String, _>("name")?,
                "customer": r.try_get::<String, _>("requester_name")?,
                "until": r.try_get::<Option<i64>, _>("offered_until")?,
            }))
        })
        .collect()
}
