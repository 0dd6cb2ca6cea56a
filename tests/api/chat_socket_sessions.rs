//! A chat socket and the session behind it: messages count as the session's use; the socket
//! stops when the session ends (at once, by any path) or runs out (by its own times, with no
//! word from anyone); and an agent writes only in a chat that is still theirs, however late the
//! word of a change reaches their socket.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::json;
use sqlx::Row;
use tokio_tungstenite::tungstenite::Message;

use crate::chat_socket::{Socket, active_chat, available, connect, desk, next, send, stored, until};
use crate::common::{self, TestApp};

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// The seen-at time of the newest session of a staff member (`staff`) or a customer.
async fn session_seen_at(app: &TestApp, column: &str, id: i64) -> i64 {
    let sql = format!("SELECT MAX(last_seen_at) AS t FROM sessions WHERE {column} = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(app.db.pool()).await.unwrap().try_get("t").unwrap()
}

/// Whether the socket closes within `secs` (frames before the close are skipped).
pub async fn closes_within(socket: &mut Socket, secs: u64) -> bool {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        match tokio::time::timeout_at(deadline, socket.next()).await {
            Err(_) => return false,
            Ok(Some(Ok(Message::Close(_))) | None | Some(Err(_))) => return true,
            Ok(Some(Ok(_))) => continue,
        }
    }
}

/// The words a socket's client hears when its session has ended, before the close.
const SIGNED_OUT: &str = "Your session has ended. Sign in again to go on chatting.";

/// Whether the socket says its session has ended (a `signed_out` frame, in the reader's words)
/// and then closes, within `secs` (frames before it are skipped).
async fn says_signed_out_and_closes(socket: &mut Socket, secs: u64) -> bool {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    let mut told = false;
    loop {
        match tokio::time::timeout_at(deadline, socket.next()).await {
            Err(_) => return false,
            Ok(Some(Ok(Message::Close(_))) | None | Some(Err(_))) => return told,
            Ok(Some(Ok(Message::Text(text)))) => {
                let frame: serde_json::Value = serde_json::from_str(&text).unwrap();
                if frame["type"] == "signed_out" {
                    assert_eq!(frame["message"], SIGNED_OUT);
                    told = true;
                }
            }
            Ok(Some(Ok(_))) => continue,
        }
    }
}

/// With a one-minute idle limit a session's seen-at time is written every 2 s of use: a message
/// sent 3 s after the socket opened must write it, although no page was opened meanwhile.
#[tokio::test]
async fn chat_messages_sent_over_sockets_keep_both_sessions_alive() {
    let app = common::spawn_with(|c| c.sessions.idle_secs = 60).await;
    let desk = desk(&app).await;
    let id = active_chat(&desk, "Hello").await;
    let mut customer = connect(&desk.customer, &format!("/portal/default/chats/{id}/socket")).await.unwrap();
    let mut agent = connect(&desk.agent, &format!("/manage/chats/{id}/socket")).await.unwrap();
    until(&mut agent, "message", |m| m["seq"] == 1).await;
    until(&mut customer, "message", |m| m["seq"] == 1).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let sent_at = now();
    assert!(session_seen_at(&app, "staff_id", desk.agent_id).await < sent_at);
    assert!(session_seen_at(&app, "customer_id", desk.customer_id).await < sent_at);
    send(&mut agent, json!({"type": "send", "client_id": "a-1", "body": "Still there?"})).await;
    until(&mut agent, "ack", |_| true).await;
    send(&mut customer, json!({"type": "send", "client_id": "c-1", "body": "Yes"})).await;
    until(&mut customer, "ack", |_| true).await;
    assert!(session_seen_at(&app, "staff_id", desk.agent_id).await >= sent_at, "the agent's session was touched");
    assert!(session_seen_at(&app, "customer_id", desk.customer_id).await >= sent_at, "the customer's too");
}

/// A session that reaches its lifetime's end is over although nobody ended it and no event
/// says so: the socket's next message is not stored, and the socket closes.
#[tokio::test]
async fn a_socket_takes_no_message_once_its_session_has_run_out() {
    let app = common::spawn_with(|c| c.sessions.absolute_secs = 8).await;
    let desk = desk(&app).await;
    let id = active_chat(&desk, "Hello").await;
    let mut customer = connect(&desk.customer, &format!("/portal/default/chats/{id}/socket")).await.unwrap();
    let expires_at =
        app.count_with("SELECT MAX(expires_at) AS n FROM sessions WHERE customer_id = $1", desk.customer_id).await;
    send(&mut customer, json!({"type": "send", "client_id": "c-1", "body": "Before"})).await;
    until(&mut customer, "ack", |_| true).await;
    assert!(now() < expires_at, "the test's setup took longer than the session's lifetime");
    tokio::time::sleep(Duration::from_secs((expires_at + 1 - now()).max(0) as u64)).await;
    send(&mut customer, json!({"type": "send", "client_id": "c-2", "body": "After"})).await;
    assert!(says_signed_out_and_closes(&mut customer, 3).await, "the client was told, and the socket closed");
    let bodies: Vec<String> = stored(&app, id).await.into_iter().map(|(_, _, body)| body).collect();
    assert!(bodies.contains(&"Before".to_string()) && !bodies.contains(&"After".to_string()), "{bodies:?}");
}

/// The chat was handed to another agent, or ended, and the agent's socket has not heard yet
/// (changed here without an event, as a change another node commits is heard a moment later):
/// the agent's message is refused with the reason, in their words, and nothing is stored.
#[tokio::test]
async fn an_agent_writes_only_in_a_chat_still_theirs_whatever_their_socket_heard() {
    let app = common::spawn().await;
    let desk = desk(&app).await;
    let id = active_chat(&desk, "Hello").await;
    let (bob, bob_browser) =
        app.signed_in_agent("default", "bob@desk.test", &[desk.department], &["answer_chats"]).await;
    available(&bob_browser).await;
    let mut agent = connect(&desk.agent, &format!("/manage/chats/{id}/socket")).await.unwrap();
    until(&mut agent, "message", |m| m["seq"] == 2).await;
    send(&mut agent, json!({"type": "send", "client_id": "a-1", "body": "Mine"})).await;
    until(&mut agent, "ack", |_| true).await;

    sqlx::query("UPDATE chats SET agent_id = $1 WHERE id = $2")
        .bind(bob)
        .bind(id)
        .execute(app.db.writer())
        .await
        .unwrap();
    send(&mut agent, json!({"type": "send", "client_id": "a-2", "body": "Not mine any more"})).await;
    let refused = until(&mut agent, "error", |_| true).await;
    assert_eq!(refused["client_id"], "a-2", "refused for good: the client stops resending");
    assert_eq!(refused["message"], "This chat is no longer assigned to you.");

    sqlx::query("UPDATE chats SET agent_id = $1, state = 'ended' WHERE id = $2")
        .bind(desk.agent_id)
        .bind(id)
        .execute(app.db.writer())
        .await
        .unwrap();
    send(&mut agent, json!({"type": "send", "client_id": "a-3", "body": "After the end"})).await;
    let refused = until(&mut agent, "error", |_| true).await;
    assert_eq!(refused["message"], "This chat has ended: no more messages can be sent.");
    let bodies: Vec<String> = stored(&app, id).await.into_iter().map(|(_, _, body)| body).collect();
    assert!(bodies.contains(&"Mine".to_string()), "{bodies:?}");
    assert!(!bodies.iter().any(|b| b == "Not mine any more" || b == "After the end"), "{bodies:?}");
}

/// A session's end closes its sockets at once (migration 0029, the event bus), by whatever path
/// it ends; not at the socket's periodic check, which comes 3 s after it opened at the soonest.
#[tokio::test]
async fn chat_sockets_close_as_soon_as_their_session_ends() {
    let app = common::spawn().await;
    let desk = desk(&app).await;
    let id = active_chat(&desk, "Please close me").await;
    let path = format!("/portal/default/chats/{id}/socket");
    let mut customer = connect(&desk.customer, &path).await.unwrap();
    until(&mut customer, "state", |_| true).await;
    let mut agent = connect(&desk.agent, &format!("/manage/chats/{id}/socket")).await.unwrap();
    until(&mut agent, "message", |m| m["seq"] == 2).await;
    let mut presence = connect(&desk.agent, "/manage/presence/socket").await.unwrap();
    next(&mut presence).await.expect("the agent's presence");
    let mut console = crate::console_ws::open(&desk.agent, "/manage/chats/live").await.unwrap();

    // The customer signs out (in another tab, say): this socket closes, and cannot open again.
    let signed_out = desk.customer.post("/portal/default/logout", &[]).await;
    assert!(signed_out.status.is_redirection(), "{}", signed_out.status);
    assert!(says_signed_out_and_closes(&mut customer, 2).await, "the customer was told, and the socket closed");
    assert!(connect(&desk.customer, &path).await.is_err());
    // A browser is not told why a socket was refused; chat.js then asks the address as a page,
    // which answers 401 once the session is gone (400, not a socket, while it is current).
    assert_eq!(desk.customer.get(&path).await.status.as_u16(), 401);
    let agent_path = format!("/manage/chats/{id}/socket");
    assert_eq!(desk.agent.get(&agent_path).await.status.as_u16(), 400);

    // The agent's session ended by another path (any deletion of the row: an administrator,
    // a password change, the purge of expired ones): the agent's socket closes too.
    sqlx::query("DELETE FROM sessions WHERE staff_id = $1").bind(desk.agent_id).execute(app.db.writer()).await.unwrap();
    assert!(says_signed_out_and_closes(&mut agent, 2).await, "the agent was told, and the socket closed");
    assert!(closes_within(&mut presence, 2).await, "the agent's presence socket closed");
    assert!(closes_within(&mut console, 2).await, "the agent's console socket closed");
    // What presence.js asks when its socket closed: 401, the session's end.
    assert_eq!(desk.agent.get("/manage/presence/socket").await.status.as_u16(), 401);
    assert_eq!(desk.agent.get(&agent_path).await.status.as_u16(), 401);
}

/// Both ways a message is stored (one statement for the ordinary case, the transaction for the
/// rest) check, as they write, that an agent's chat is still theirs and that a socket's session
/// is still current; the transaction says which.
#[tokio::test]
async fn a_message_is_stored_only_by_the_chats_agent_and_in_a_current_session() {
    use frontdesk::auth::sessions::InUse;
    use frontdesk::chat::store::{Author, Sender, append_at_once, append_on};
    use frontdesk::error::AppError;
    let app = common::spawn().await;
    let desk = desk(&app).await;
    let id = active_chat(&desk, "Hello").await;
    let portal = app.id_of("SELECT id FROM portals WHERE slug = $1", "default").await;
    let (bob, _) = app.signed_in_agent("default", "bob@desk.test", &[desk.department], &["answer_chats"]).await;
    let session = app.count_with("SELECT MAX(id) AS n FROM sessions WHERE customer_id = $1", desk.customer_id).await;
    let customer = Sender { author: Author::Customer, session: Some(InUse::at(app.state.sessions, session, now())) };
    let writer = &app.state.chat_writer;
    let careful = |sender: Sender, client_id: &'static str| {
        let db = app.db.clone();
        async move {
            let mut tx = db.writer().begin().await.unwrap();
            let refused = append_on(&mut tx, portal, id, sender, Some(client_id), "x", None).await.err();
            tx.rollback().await.unwrap();
            match refused {
                Some(AppError::Page(status, msg)) => (status.as_u16(), msg.key.to_string()),
                other => panic!("{client_id}: refused with {other:?}"),
            }
        }
    };

    let first = append_at_once(writer, portal, id, customer, "c-1", "In my session").await.unwrap();
    assert_eq!(first.map(|m| m.seq), Some(3), "the session is current");
    let bobs = Sender { author: Author::Agent(bob), session: None };
    assert!(append_at_once(writer, portal, id, bobs, "b-1", "Not my chat").await.unwrap().is_none());
    assert_eq!(careful(bobs, "b-1").await, (409, "chat-error-not-yours".to_string()));

    // Idle past the limit by the time the message is written (its seen-at time not after the
    // cutoff), although the row is still there.
    let seen = app.count_with("SELECT last_seen_at AS n FROM sessions WHERE id = $1", session).await;
    let idle = Sender { author: Author::Customer, session: Some(InUse { id: session, seen_after: seen }) };
    assert!(append_at_once(writer, portal, id, idle, "c-3", "Idle too long").await.unwrap().is_none());
    assert_eq!(careful(idle, "c-3").await, (401, "chat-error-signed-out".to_string()));

    sqlx::query("DELETE FROM sessions WHERE id = $1").bind(session).execute(app.db.writer()).await.unwrap();
    assert!(append_at_once(writer, portal, id, customer, "c-2", "Signed out").await.unwrap().is_none());
    assert_eq!(careful(customer, "c-2").await, (401, "chat-error-signed-out".to_string()));
    assert_eq!(stored(&app, id).await.len(), 3);
    assert_eq!(app.count_with("SELECT last_seq AS n FROM chats WHERE id = $1", id).await, 3, "no number taken");
}

/// chat.js and presence.js take a 401 from a socket's address for the session's end, and stop
/// trying: a database that cannot be read at that moment must not answer so. The session is
/// still current, and the sockets open again once the database is back.
#[tokio::test]
async fn a_database_away_is_no_sign_out_for_an_agents_socket() {
    let app = common::spawn().await;
    let desk = desk(&app).await;
    let id = active_chat(&desk, "Hello").await;
    let path = format!("/manage/chats/{id}/socket");
    let presence = "/manage/presence/socket";
    assert_eq!(desk.agent.get(&path).await.status.as_u16(), 400, "signed in, and not a socket");
    assert_eq!(desk.agent.get(presence).await.status.as_u16(), 400, "signed in, and not a socket");
    sqlx::query("ALTER TABLE sessions RENAME TO sessions_away").execute(app.db.writer()).await.unwrap();
    let mut away = Vec::new();
    for socket in [path.as_str(), presence, "/manage/chats/live"] {
        away.push(desk.agent.get(socket).await.status.as_u16());
    }
    sqlx::query("ALTER TABLE sessions_away RENAME TO sessions").execute(app.db.writer()).await.unwrap();
    assert_eq!(away, [500, 500, 500], "the server's error, not a sign-out");
    let mut presence_socket = connect(&desk.agent, presence).await.expect("the presence socket opens again");
    next(&mut presence_socket).await.expect("the agent's presence");
    let mut agent = connect(&desk.agent, &path).await.expect("the same session opens the socket again");
    until(&mut agent, "message", |m| m["seq"] == 1).await;
}
