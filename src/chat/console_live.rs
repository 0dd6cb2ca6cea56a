//! `GET /manage/chats/live`: tells the agents' chat lists (and the supervisors' page) that they
//! changed, so `static/chat-console.js` fetches them again. It sends `{"type":"chats"}` after
//! any change of a chat, a queue or the agent in the portal they work in (at most one a
//! second), and nothing else: the lists themselves are read over HTTP, with the page's own
//! rules. Events come from every node through the bus; after `Missed` it says "changed" too.
//!
//! The agent's presence and offers in the header are core's presence socket; this one exists
//! because the lists also move when a department's queue does, which that socket does not carry.

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::broadcast::error::RecvError;

use crate::accounts::permissions::Permission;
use crate::auth::ManageUser;
use crate::error::{AppError, AppResult};
use crate::events::Event;
use crate::web::sockets;
use crate::web::state::AppState;

/// Changes closer together than this make one message.
const SETTLE: Duration = Duration::from_millis(300);
/// At most one message per this long, however busy the portal.
const AT_MOST_EVERY: Duration = Duration::from_secs(1);

pub fn router() -> Router<AppState> {
    Router::new().route("/manage/chats/live", get(socket)).route("/static/chat-console.js", get(script))
}

async fn socket(
    State(state): State<AppState>,
    user: Result<ManageUser, Response>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> AppResult<Response> {
    let user = match user {
        Ok(user) => user,
        Err(refusal) => return Ok(crate::web::sockets::session_refused(refusal)),
    };
    crate::web::csrf::check_origin(&headers, &state)?;
    if !user.can(Permission::AnswerChats) && !user.can(Permission::SuperviseChats) {
        user.require(Permission::AnswerChats)?;
    }
    let upgrade = upgrade.map_err(|_| AppError::bad_request(crate::i18n::Msg::new("error-bad-address")))?;
    let who = Watcher { portal_id: user.portal.id, staff_id: user.staff.id, session_id: user.session.id };
    Ok(crate::web::sockets::lean(upgrade, 1024).on_upgrade(move |ws| serve(state, who, ws)))
}

/// Whether an event may change what this agent's lists show.
fn concerns(event: Event, portal_id: i64, staff_id: i64) -> bool {
    match event {
        Event::Chat { portal_id: p, .. }
        | Event::ChatMessage { portal_id: p, .. }
        | Event::Queue { portal_id: p, .. } => p == portal_id,
        Event::Agent { portal_id: p, staff_id: s } => p == portal_id && s == staff_id,
        Event::Missed => true,
        _ => false,
    }
}

/// Whose console a socket serves.
#[derive(Clone, Copy)]
struct Watcher {
    portal_id: i64,
    staff_id: i64,
    session_id: i64,
}

/// Whether the socket's session has ended: told so (migration 0029: any path), then asked (on
/// SQLite a new session may take an ended one's number). A database hiccup keeps the socket.
async fn session_ended(state: &AppState, event: Event, session_id: i64) -> bool {
    event == Event::SessionEnded { session_id }
        && !crate::auth::sessions::is_current(&state.db, state.sessions, session_id).await.unwrap_or(true)
}

async fn serve(state: AppState, who: Watcher, mut ws: WebSocket) {
    let Watcher { portal_id, staff_id, session_id } = who;
    let mut events = state.events.subscribe();
    let mut due: Option<tokio::time::Instant> = None;
    let mut last_sent = tokio::time::Instant::now() - AT_MOST_EVERY;
    loop {
        let wait = async {
            match due {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            frame = ws.recv() => match frame {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            event = events.recv() => {
                let changed = match event {
                    Ok(event) if session_ended(&state, event, session_id).await => break,
                    Ok(event) => concerns(event, portal_id, staff_id),
                    Err(RecvError::Lagged(_)) => true,
                    Err(RecvError::Closed) => break,
                };
                if changed && due.is_none() {
                    let now = tokio::time::Instant::now();
                    due = Some((now + SETTLE).max(last_sent + AT_MOST_EVERY));
                }
            }
            () = wait => {
                due = None;
                last_sent = tokio::time::Instant::now();
                if !sockets::send_within(&mut ws, Message::Text("{\"type\":\"chats\"}".into())).await {
                    break;
                }
            }
        }
    }
    sockets::close_within(&mut ws).await;
}

async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../static/chat-console.js"),
    )
}
