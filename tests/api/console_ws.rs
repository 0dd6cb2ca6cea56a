//! WebSockets as a signed-in browser opens them, for the console lane's tests (ticket viewers,
//! the agents' chat pages): the browser's cookies on the upgrade request, and frames read as
//! JSON with a deadline, so that a missing frame fails the test instead of hanging it.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use reqwest::cookie::CookieStore;
use serde_json::Value;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error, Message};

use crate::common::Browser;

pub type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How long a test waits for a frame it expects.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// Opens `path` as `browser` would (its cookies, its own origin); the HTTP status when refused.
pub async fn open(browser: &Browser, path: &str) -> Result<Socket, u16> {
    open_from(browser, path, Some(&browser.base)).await
}

/// Opens `path` with the `Origin` header given (`None`: none at all).
pub async fn open_from(browser: &Browser, path: &str, origin: Option<&str>) -> Result<Socket, u16> {
    let url = format!("{}{path}", browser.base.replacen("http://", "ws://", 1));
    let mut request = url.into_client_request().expect("a WebSocket request");
    let base: reqwest::Url = browser.base.parse().expect("base URL");
    if let Some(cookies) = browser.jar.cookies(&base) {
        request.headers_mut().insert("cookie", cookies);
    }
    if let Some(origin) = origin {
        request.headers_mut().insert("origin", origin.parse().expect("an origin"));
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(Error::Http(response)) => Err(response.status().as_u16()),
        Err(e) => panic!("WebSocket to {path} failed: {e}"),
    }
}

/// Sends one JSON text frame.
pub async fn send(socket: &mut Socket, frame: Value) {
    socket.send(Message::Text(frame.to_string().into())).await.expect("send a frame");
}

/// The next JSON frame; panics after `DEADLINE`. `None` once the server closed the socket.
pub async fn next(socket: &mut Socket) -> Option<Value> {
    loop {
        let frame = tokio::time::timeout(DEADLINE, socket.next()).await.expect("a frame within the deadline");
        match frame {
            Some(Ok(Message::Text(text))) => return Some(serde_json::from_str(text.as_str()).expect("a JSON frame")),
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
            Some(Ok(_)) => {}
        }
    }
}

/// Reads frames until one satisfies `wanted`, which it returns; panics after `DEADLINE` (or if
/// the socket closes first), naming what came instead.
pub async fn until(socket: &mut Socket, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let frame = match tokio::time::timeout(left, socket.next()).await {
            Ok(frame) => frame,
            Err(_) => panic!("no frame with {what} within {DEADLINE:?}; got {seen:?}"),
        };
        match frame {
            Some(Ok(Message::Text(text))) => {
                let value: Value = serde_json::from_str(text.as_str()).expect("a JSON frame");
                if wanted(&value) {
                    return value;
                }
                seen.push(value);
            }
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => panic!("closed before {what}; got {seen:?}"),
            Some(Ok(_)) => {}
        }
    }
}

/// Chats written directly, for the console's tests: the customers' pages and routing have
/// tests of their own, and these drive what the agents do from a known state.
pub mod fixtures {
    use sqlx::Row;

    use crate::common::TestApp;

    pub fn now() -> i64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("a clock").as_secs() as i64
    }

    /// The agent is available for chats in the portal, with a lease that lasts the test (as if
    /// their presence socket were open: the sweeper takes chats back from agents without one).
    pub async fn available(app: &TestApp, portal_id: i64, staff_id: i64) {
        sqlx::query(
            "INSERT INTO agent_presence (portal_id, staff_id, channel, state, capacity, idle_since, lease_until, \
             updated_at) VALUES ($1, $2, 'chat', 'available', 3, 0, $3, 0) \
             ON CONFLICT (portal_id, staff_id, channel) DO UPDATE SET state = 'available', lease_until = excluded.lease_until",
        )
        .bind(portal_id)
        .bind(staff_id)
        .bind(now() + 3600)
        .execute(app.db.writer())
        .await
        .expect("presence");
    }

    /// A chat of the customer's (or a visitor's) in `department_id`, in `state` with `agent`
    /// (offered to them for five minutes, with its open offer; the agent made available), and
    /// its first message; its id.
    pub async fn chat(
        app: &TestApp,
        portal_id: i64,
        department_id: i64,
        customer: Option<(i64, &str, &str)>,
        state: &str,
        agent: Option<i64>,
        first_message: &str,
    ) -> i64 {
        let (customer_id, name, email) = match customer {
            Some((id, name, email)) => (Some(id), name, email),
            None => (None, "Vera Visitor", "vera@visitor.test"),
        };
        if let Some(agent) = agent {
            available(app, portal_id, agent).await;
        }
        let now = now();
        let offered_until = (state == "offered").then_some(now + 300);
        let accepted_at = (state == "active").then_some(now - 60);
        let id: i64 = sqlx::query(
            "INSERT INTO chats (portal_id, department_id, customer_id, requester_name, requester_email, language, \
             origin, state, agent_id, offered_until, queued_at, last_seq, created_at, accepted_at) \
             VALUES ($1, $2, $3, $4, $5, 'en', 'portal', $6, $7, $8, $9, 1, $9, $10) RETURNING id",
        )
        .bind(portal_id)
        .bind(department_id)
        .bind(customer_id)
        .bind(name)
        .bind(email)
        .bind(state)
        .bind(agent)
        .bind(offered_until)
        .bind(now - 90)
        .bind(accepted_at)
        .fetch_one(app.db.writer())
        .await
        .expect("a chat")
        .try_get("id")
        .expect("id");
        sqlx::query(
            "INSERT INTO chat_messages (portal_id, chat_id, seq, author, client_id, body, created_at) \
             VALUES ($1, $2, 1, 'customer', 'first', $3, $4)",
        )
        .bind(portal_id)
        .bind(id)
        .bind(first_message)
        .bind(now - 90)
        .execute(app.db.writer())
        .await
        .expect("the first message");
        if let (Some(agent), Some(until)) = (agent, offered_until) {
            sqlx::query(
                "INSERT INTO chat_offers (portal_id, chat_id, staff_id, offered_at, until) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(portal_id)
            .bind(id)
            .bind(agent)
            .bind(now)
            .bind(until)
            .execute(app.db.writer())
            .await
            .expect("an offer");
        }
        id
    }

    /// `state`, `agent_id`, `ended_by`, `ticket_id` of a chat.
    pub async fn chat_row(app: &TestApp, chat_id: i64) -> (String, Option<i64>, Option<String>, Option<i64>) {
        let r = sqlx::query("SELECT state, agent_id, ended_by, ticket_id FROM chats WHERE id = $1")
            .bind(chat_id)
            .fetch_one(app.db.pool())
            .await
            .expect("the chat");
        (
            r.try_get("state").expect("state"),
            r.try_get("agent_id").expect("agent"),
            r.try_get("ended_by").expect("ended_by"),
            r.try_get("ticket_id").expect("ticket_id"),
        )
    }

    /// The bodies of a chat's messages by `author`, in order.
    pub async fn bodies(app: &TestApp, chat_id: i64, author: &str) -> Vec<String> {
        sqlx::query("SELECT body FROM chat_messages WHERE chat_id = $1 AND author = $2 ORDER BY seq")
            .bind(chat_id)
            .bind(author)
            .fetch_all(app.db.pool())
            .await
            .expect("messages")
            .iter()
            .map(|r| r.try_get("body").expect("body"))
            .collect()
    }
}
