//! Chat helpers for the routing, presence and sign-out tests: a server with short chat
//! timings, chats as a customer's page creates them, the agent's presence socket.

use std::time::Duration;

use frontdesk::config::ChatTimings;
use futures_util::{SinkExt, StreamExt};
use reqwest::cookie::CookieStore;
use sqlx::Row;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::{Browser, TestApp};

/// A server whose sweeper runs every 100 ms, with the given lease and periods (seconds).
pub async fn spawn_chat(lease_secs: i64, away_after_secs: i64, requeue_after_secs: i64) -> TestApp {
    super::spawn_with(|c| {
        c.chat =
            ChatTimings { lease_secs, away_after_secs, requeue_after_secs, sweep_ms: 100, ..ChatTimings::default() }
    })
    .await
}

/// A chat as a customer's page starts it (state 'waiting', then routed); its id.
pub async fn new_chat(app: &TestApp, portal_id: i64, department_id: i64, customer: &str) -> i64 {
    let now = frontdesk::db::now();
    let id: i64 = sqlx::query(
        "INSERT INTO chats (portal_id, department_id, requester_name, requester_email, language, origin, state, \
         queued_at, created_at) VALUES ($1, $2, $3, $4, 'en', 'portal', 'waiting', $5, $5) RETURNING id",
    )
    .bind(portal_id)
    .bind(department_id)
    .bind(customer)
    .bind(format!("{}@client.test", customer.to_lowercase().replace(' ', ".")))
    .bind(now)
    .fetch_one(app.db.writer())
    .await
    .expect("a chat")
    .try_get("id")
    .unwrap();
    frontdesk::chat::routing::enqueue(&app.state, portal_id, id).await.expect("routed");
    id
}

/// A chat's state and agent.
pub async fn chat(app: &TestApp, chat_id: i64) -> (String, Option<i64>) {
    let row = sqlx::query("SELECT state, agent_id FROM chats WHERE id = $1")
        .bind(chat_id)
        .fetch_one(app.db.pool())
        .await
        .expect("the chat");
    (row.try_get("state").unwrap(), row.try_get("agent_id").unwrap())
}

/// An agent's state on a channel of a portal, and who set it ('-' for the agent).
pub async fn presence(app: &TestApp, portal_id: i64, staff_id: i64, channel: &str) -> (String, String) {
    let row = sqlx::query(
        "SELECT state, COALESCE(set_by, '-') AS set_by FROM agent_presence \
         WHERE portal_id = $1 AND staff_id = $2 AND channel = $3",
    )
    .bind(portal_id)
    .bind(staff_id)
    .bind(channel)
    .fetch_optional(app.db.pool())
    .await
    .expect("presence");
    match row {
        Some(r) => (r.try_get("state").unwrap(), r.try_get("set_by").unwrap()),
        None => ("offline".into(), "-".into()),
    }
}

/// The agent uses the header's switch, as on any page.
pub async fn switch(agent: &Browser, channel: &str, state: &str) {
    let page = agent.post("/manage/presence", &[("channel", channel), ("state", state)]).await;
    assert!(page.status.is_redirection(), "switching {channel} to {state}: {} {}", page.status, page.body);
}

/// Waits (up to `secs`) until `check` holds.
pub async fn eventually<F, Fut>(secs: u64, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens `path` as a WebSocket with the browser's cookies; the handshake's error on refusal.
pub async fn open_socket(agent: &Browser, path: &str) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
    let url = format!("{}{path}", agent.base.replacen("http://", "ws://", 1));
    let mut request = url.into_client_request().expect("a request");
    let base: reqwest::Url = agent.base.parse().unwrap();
    if let Some(cookies) = agent.jar.cookies(&base) {
        request.headers_mut().insert("cookie", cookies.to_str().unwrap().parse().unwrap());
    }
    tokio_tungstenite::connect_async(request).await.map(|(socket, _)| socket)
}

/// The next JSON frame of `kind` (others skipped), within 10 s.
pub async fn next_frame(socket: &mut Socket, kind: &str) -> serde_json::Value {
    let wait = async {
        while let Some(message) = socket.next().await {
            if let Ok(Message::Text(text)) = message {
                let frame: serde_json::Value = serde_json::from_str(&text).expect("JSON");
                if frame["type"] == kind {
                    return Some(frame);
                }
            }
        }
        None
    };
    tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .unwrap_or_else(|_| panic!("no {kind} frame within 10 s"))
        .unwrap_or_else(|| panic!("the socket closed before a {kind} frame"))
}

/// Sends a ping frame as the page's script does.
pub async fn ping(socket: &mut Socket) {
    socket.send(Message::Text(r#"{"type":"ping"}"#.into())).await.expect("send");
}

/// Open offers per chat, more than one: must never happen.
pub async fn double_offers(app: &TestApp) -> i64 {
    app.count(
        "SELECT COUNT(*) AS n FROM (SELECT chat_id FROM chat_offers WHERE outcome IS NULL \
         GROUP BY portal_id, chat_id HAVING COUNT(*) > 1) AS d",
    )
    .await
}
