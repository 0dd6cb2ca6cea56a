//! The chat socket, both sides, over real WebSockets: a customer and an agent exchange messages;
//! a socket dropped mid-send and a resend store the message once; `?after=` resumes; strangers
//! get 401 or 404 before the upgrade; a supervisor reads along but cannot write; hostile frames.
//! Also the helpers the other chat_* tests share.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use reqwest::cookie::CookieStore;
use serde_json::{Value, json};
use sqlx::Row;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::common::{self, Browser, TestApp};

pub type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens `path` as a WebSocket with the browser's cookies; the socket, or the refusal's status.
pub async fn connect(browser: &Browser, path: &str) -> Result<Socket, u16> {
    let url = format!("{}{path}", browser.base.replace("http://", "ws://"));
    let mut request = url.as_str().into_client_request().unwrap();
    let base: reqwest::Url = browser.base.parse().unwrap();
    if let Some(cookies) = browser.jar.cookies(&base) {
        request.headers_mut().insert("cookie", cookies.to_str().unwrap().parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
        Err(e) => panic!("connecting to {path}: {e}"),
    }
}

/// The next JSON frame (within 5 s); `None` when the socket closed.
pub async fn next(socket: &mut Socket) -> Option<Value> {
    next_within(socket, 5).await
}

/// The next JSON frame within `secs`; `None` when the socket closed.
pub async fn next_within(socket: &mut Socket, secs: u64) -> Option<Value> {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(secs), socket.next()).await.expect("a frame in time");
        match frame {
            Some(Ok(Message::Text(text))) => return Some(serde_json::from_str(&text).unwrap()),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
            Some(Ok(other)) => panic!("unexpected frame {other:?}"),
        }
    }
}

/// Frames until one of type `kind` satisfying `check` (skipping others); panics after 5 s.
pub async fn until(socket: &mut Socket, kind: &str, check: impl Fn(&Value) -> bool) -> Value {
    loop {
        let frame = next(socket).await.unwrap_or_else(|| panic!("socket closed while waiting for {kind}"));
        if frame["type"] == kind && check(&frame) {
            return frame;
        }
    }
}

pub async fn send(socket: &mut Socket, frame: Value) {
    socket.send(Message::Text(frame.to_string().into())).await.unwrap();
}

/// A desk with a department, an agent available for chats, and a signed-in customer.
pub struct Desk {
    pub department: i64,
    pub agent_id: i64,
    pub agent: Browser,
    pub customer_id: i64,
    pub customer: Browser,
}

pub async fn desk(app: &TestApp) -> Desk {
    let (_, department) = app.portal_with_department("default").await;
    let (agent_id, agent) = app.signed_in_agent("default", "ana@desk.test", &[department], &["answer_chats"]).await;
    available(&agent).await;
    let customer_id = app.customer("default", "carla@client.test", "Cust0mer-Passw0rd!").await;
    let customer = app.browser();
    customer
        .sign_in_portal("default", "carla@client.test", "Cust0mer-Passw0rd!")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    Desk { department, agent_id, agent, customer_id, customer }
}

/// The agent switches to available for chats (the header's switch).
pub async fn available(agent: &Browser) {
    let page = agent.post("/manage/presence", &[("channel", "chat"), ("state", "available")]).await;
    assert!(page.status.is_redirection(), "switch: {} {}", page.status, page.body);
}

/// The customer starts a chat from the portal's form (past the suggestions); its id.
pub async fn start_chat(customer: &Browser, department: i64, message: &str) -> i64 {
    let dep = department.to_string();
    let page =
        customer.post("/portal/default/chat", &[("department", &dep), ("message", message), ("confirm", "1")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "start: {}", page.body);
    let location = page.location.clone().unwrap();
    location.rsplit('/').next().unwrap().parse().expect("a chat id in the address")
}

/// Starts a chat and has the agent accept it (core's routing, through the offer's button):
/// message 1 is the customer's first, 2 the line saying the agent joined.
pub async fn active_chat(desk: &Desk, message: &str) -> i64 {
    let id = start_chat(&desk.customer, desk.department, message).await;
    let page = desk.agent.post(&format!("/manage/presence/offers/{id}/accept"), &[]).await;
    assert!(page.status.is_redirection(), "accept: {} {}", page.status, page.body);
    id
}

pub async fn stored(app: &TestApp, chat_id: i64) -> Vec<(i64, String, String)> {
    sqlx::query("SELECT seq, author, body FROM chat_messages WHERE chat_id = $1 ORDER BY seq")
        .bind(chat_id)
        .fetch_all(app.db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.try_get("seq").unwrap(), r.try_get("author").unwrap(), r.try_get("body").unwrap()))
        .collect()
}

#[tokio::test]
async fn chat_customer_and_agent_talk_over_sockets_with_typing() {
    let app = common::spawn().await;
    let desk = desk(&app).await;
    let id = active_chat(&desk, "My printer is on fire").await;
    let mut customer = connect(&desk.customer, &format!("/portal/default/chats/{id}/socket")).await.unwrap();
    let first = until(&mut customer, "message", |_| true).await;
    assert_eq!((first["seq"].as_i64(), first["author"].as_str()), (Some(1), Some("customer")));
    assert_eq!(first["body"], "My printer is on fire");
    let state = until(&mut customer, "state", |_| true).await;
    assert_eq!((state["state"].as_str(), state["agent"].as_str()), (Some("active"), Some("ana")));
    let mut agent = connect(&desk.agent, &format!("/manage/chats/{id}/socket")).await.unwrap();
    until(&mut agent, "message", |m| m["seq"] == 1).await;

    send(&mut customer, json!({"type": "typing"})).await;
    assert_eq!(until(&mut agent, "typing", |_| true).await["agent"], false);
    send(&mut customer, json!({"type": "send", "client_id": "c-1", "body": "Still burning"})).await;
    let ack = until(&mut customer, "ack", |_| true).await;
    assert_eq!((ack["client_id"].as_str(), ack["seq"].as_i64()), (Some("c-1"), Some(3)));
    let seen = until(&mut agent, "message", |m| m["seq"] == 3).await;
    assert_eq!(seen["body"], "Still burning");
    let name = app.id_of("SELECT id FROM customers WHERE email_lower = $1", "carla@client.test").await;
    let name: String = sqlx::query("SELECT name FROM customers WHERE id = $1")
        .bind(name)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .try_get("name")
        .unwrap();
    assert_eq!(seen["name"].as_str(), Some(name.as_str()));

    send(&mut agent, json!({"type": "send", "client_id": "a-1", "body": "Unplug it, please."})).await;
    until(&mut agent, "ack", |a| a["seq"] == 4).await;
    let reply = until(&mut customer, "message", |m| m["seq"] == 4).await;
    assert_eq!((reply["author"].as_str(), reply["name"].as_str()), (Some("agent"), Some("ana")));
    send(&mut customer, json!({"type": "ping"})).await;
    until(&mut customer, "pong", |_| true).await;

    let rows = stored(&app, id).await;
    assert_eq!(rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(), ["customer", "system", "customer", "agent"]);
    assert_eq!(rows[3].2, "Unplug it, please.");
    let staff: Option<i64> = sqlx::query("SELECT staff_id FROM chat_messages WHERE chat_id = $1 AND seq = 4")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .try_get("staff_id")
        .unwrap();
    assert_eq!(staff, Some(desk.agent_id));
}

#[tokio::test]
async fn chat_a_resend_after_a_dropped_socket_is_stored_once_and_after_resumes() {
    let app = common::spawn().await;
    let desk = desk(&app).await;
    let id = active_chat(&desk, "Hello").await;
    let path = format!("/portal/default/chats/{id}/socket");
    // Sent, then the connection drops before the acknowledgement is read.
    let mut socket = connect(&desk.customer, &path).await.unwrap();
    send(&mut socket, json!({"type": "send", "client_id": "5b2f-resend", "body": "Are you there?"})).await;
    drop(socket);
    // The client resends what it has no acknowledgement for, with the same id, twice even.
    let mut socket = connect(&desk.customer, &format!("{path}?after=2")).await.unwrap();
    for _ in 0..2 {
        send(&mut socket, json!({"type": "send", "client_id": "5b2f-resend", "body": "Are you there?"})).await;
        let ack = until(&mut socket, "ack", |_| true).await;
        assert_eq!(ack["seq"], 3, "the same number each time: {ack}");
    }
    let rows = stored(&app, id).await;
    assert_eq!(rows.len(), 3, "stored once: {rows:?}");
    assert_eq!(
        app.count_with("SELECT COUNT(*) AS n FROM chat_messages WHERE chat_id = $1 AND client_id = '5b2f-resend'", id)
            .await,
        1
    );
    assert_eq!(app.count_with("SELECT last_seq AS n FROM chats WHERE id = $1", id).await, 3, "no number lost");

    // Resuming after 2 gives message 3 only, once; after 3, nothing old.
    let mut resumed = connect(&desk.customer, &format!("{path}?after=2")).await.unwrap();
    let m = until(&mut resumed, "message", |_| true).await;
    assert_eq!(m["seq"], 3);
    let mut later = connect(&desk.customer, &format!("{path}?after=3")).await.unwrap();
    let state = next(&mut later).await.unwrap();
    assert_eq!(state["type"], "state", "no old message before the state: {state}");
    send(&mut later, json!({"type": "send", "client_id": "next-one", "body": "Now?"})).await;
    assert_eq!(until(&mut later, "message", |_| true).await["seq"], 4);
    assert_eq!(connect(&desk.customer, &format!("{path}?after=x")).await.err(), Some(400));
}

#[tokio::test]
async fn chat_sockets_refuse_strangers_before_the_upgrade_and_supervisors_only_read() {
    let app = common::spawn().await;
    let desk = desk(&app).await;
    let id = active_chat(&desk, "Private matter").await;
    let path = format!("/portal/default/chats/{id}/socket");
    assert_eq!(connect(&app.browser(), &path).await.err(), Some(401));
    assert_eq!(connect(&app.browser(), &format!("/manage/chats/{id}/socket")).await.err(), Some(401));
    // Another customer of the portal; the same id under another portal.
    app.customer("default", "eve@client.test", "Cust0mer-Passw0rd!").await;
    let eve = app.browser();
    eve.sign_in_portal("default", "eve@client.test", "Cust0mer-Passw0rd!").await;
    assert_eq!(connect(&eve, &path).await.err(), Some(404));
    let (other, other_department) = app.portal_with_department("other").await;
    assert_eq!(connect(&desk.customer, &format!("/portal/other/chats/{id}/socket")).await.err(), Some(401));
    app.customer("other", "olga@client.test", "Cust0mer-Passw0rd!").await;
    let olga = app.browser();
    olga.sign_in_portal("other", "olga@client.test", "Cust0mer-Passw0rd!").await;
    assert_eq!(connect(&olga, &format!("/portal/other/chats/{id}/socket")).await.err(), Some(404));
    assert_eq!(connect(&desk.customer, "/portal/default/chats/999999/socket").await.err(), Some(404));
    // An agent who is not the chat's; then a supervisor of its department.
    let (bob_id, bob) = app.signed_in_agent("default", "bob@desk.test", &[desk.department], &["answer_chats"]).await;
    assert_eq!(connect(&bob, &format!("/manage/chats/{id}/socket")).await.err(), Some(404));
    let (_, sue) = app.signed_in_agent("default", "sue@desk.test", &[desk.department], &["supervise_chats"]).await;
    let mut reading = connect(&sue, &format!("/manage/chats/{id}/socket")).await.unwrap();
    until(&mut reading, "message", |m| m["body"] == "Private matter").await;
    send(&mut reading, json!({"type": "send", "client_id": "sup-1", "body": "I should not"})).await;
    let refused = until(&mut reading, "error", |_| true).await;
    assert_eq!(refused["client_id"], "sup-1");
    assert!(refused["message"].as_str().unwrap().contains("only its agent"), "{refused}");
    assert_eq!(stored(&app, id).await.len(), 2, "the first message and the agent joining");
    let (_, far) = app.signed_in_agent("default", "far@desk.test", &[], &["supervise_chats"]).await;
    assert_eq!(connect(&far, &format!("/manage/chats/{id}/socket")).await.err(), Some(404));

    // Asked as a page (as chat.js asks why a socket was refused), a chat that is not the
    // reader's is refused for good, and one that does not exist the same way (no answer tells
    // which); an agent's chat missing from their portal is not (a portal switched in another
    // tab may be switched back).
    for (who, path) in [
        (&eve, path.clone()),
        (&desk.customer, "/portal/default/chats/999999/socket".to_string()),
        (&bob, format!("/manage/chats/{id}/socket")),
        (&far, format!("/manage/chats/{id}/socket")),
        (&bob, "/manage/chats/x/socket".to_string()),
    ] {
        let page = who.get(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(page.headers.get(REFUSED).and_then(|v| v.to_str().ok()), Some("not-yours"), "{path}");
    }
    // A chat of another portal, nobody's: refused for good, as one that does not exist (no
    // answer tells which). Once Bob works in that portal too, his session (in this one) may be
    // switched there in another tab: a plain 404, which the page tries again.
    let elsewhere = crate::console_ws::fixtures::chat(&app, other, other_department, None, "waiting", None, "Hi").await;
    let elsewhere_path = format!("/manage/chats/{elsewhere}/socket");
    for path in ["/manage/chats/999999/socket", elsewhere_path.as_str()] {
        let page = bob.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(page.headers.get(REFUSED).and_then(|v| v.to_str().ok()), Some("not-yours"), "{path}");
    }
    sqlx::query("INSERT INTO staff_portals (staff_id, portal_id, role, created_at) VALUES ($1, $2, 'agent', 0)")
        .bind(bob_id)
        .bind(other)
        .execute(app.db.writer())
        .await
        .unwrap();
    let page = bob.get(&elsewhere_path).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(page.headers.get(REFUSED), None, "a portal of Bob's own");
    assert_eq!(bob.get("/manage/chats/999999/socket").await.headers.get(REFUSED).unwrap(), "not-yours");
    // Its own chat, asked as a page: not a socket, not refused.
    assert_eq!(desk.customer.get(&path).await.status, StatusCode::BAD_REQUEST);
}

use frontdesk::chat::ws::REFUSED_HEADER as REFUSED;

#[tokio::test]
async fn chat_sockets_answer_hostile_frames_and_pages_escape_messages() {
    let app = common::spawn().await;
    let desk = desk(&app).await;
    let id = active_chat(&desk, "<script>alert('x')</script>").await;
    let path = format!("/portal/default/chats/{id}/socket");
    let mut socket = connect(&desk.customer, &path).await.unwrap();
    for bad in ["not json", "{\"type\":\"send\"}", "{\"type\":\"explode\"}", "[]"] {
        socket.send(Message::Text(bad.into())).await.unwrap();
        let error = until(&mut socket, "error", |_| true).await;
        assert!(error["message"].as_str().unwrap().contains("could not be read"), "{bad}: {error}");
    }
    send(&mut socket, json!({"type": "send", "client_id": "x", "body": "   "})).await;
    until(&mut socket, "error", |e| e["client_id"] == "x").await;
    send(&mut socket, json!({"type": "send", "client_id": "bad id!", "body": "hi"})).await;
    until(&mut socket, "error", |e| e["client_id"].is_null()).await;
    send(&mut socket, json!({"type": "send", "client_id": "long", "body": "é".repeat(5_001)})).await;
    until(&mut socket, "error", |e| e["message"].as_str().unwrap().contains("5000")).await;
    // Still open.
    send(&mut socket, json!({"type": "ping"})).await;
    until(&mut socket, "pong", |_| true).await;
    // A frame past the limit closes the socket; nothing is stored.
    let huge = json!({"type": "send", "client_id": "huge", "body": "a".repeat(100_000)}).to_string();
    let _ = socket.send(Message::Text(huge.into())).await;
    loop {
        match next(&mut socket).await {
            None => break,
            Some(frame) => assert_ne!(frame["type"], "ack", "{frame}"),
        }
    }
    assert_eq!(stored(&app, id).await.len(), 2, "the first message and the agent joining");
    // The page shows the message as text.
    let page = desk.customer.get(&format!("/portal/default/chats/{id}")).await;
    page.assert_status(StatusCode::OK).assert_contains("&#60;script&#62;alert").assert_lacks("<script>alert");
}

/// PostgreSQL with two nodes: the customer's socket on one, the agent's on the other; each
/// hears the other's messages and typing through the event bus (NOTIFY), and resumes on the
/// other node after its own went away. One process is one node on SQLite: nothing to test there.
#[tokio::test]
async fn chat_customer_and_agent_on_two_nodes_talk_normally() {
    let app = common::spawn().await;
    if app.database_url.to_string().starts_with("sqlite") {
        return;
    }
    let second = common::spawn_on(app.database_url.clone(), tempfile::tempdir().unwrap(), |_| {}).await;
    let desk = desk(&app).await;
    let id = active_chat(&desk, "Two nodes").await;
    let agent_there =
        Browser { client: desk.agent.client.clone(), jar: desk.agent.jar.clone(), base: second.base.clone() };
    let mut customer = connect(&desk.customer, &format!("/portal/default/chats/{id}/socket")).await.unwrap();
    let mut agent = connect(&agent_there, &format!("/manage/chats/{id}/socket")).await.unwrap();
    until(&mut agent, "message", |m| m["seq"] == 1).await;
    send(&mut agent, json!({"type": "typing"})).await;
    assert_eq!(until(&mut customer, "typing", |_| true).await["agent"], true);
    send(&mut agent, json!({"type": "send", "client_id": "n2-1", "body": "From node two"})).await;
    assert_eq!(until(&mut customer, "message", |m| m["seq"] == 3).await["body"], "From node two");
    send(&mut customer, json!({"type": "send", "client_id": "n1-1", "body": "From node one"})).await;
    assert_eq!(until(&mut agent, "message", |m| m["seq"] == 4).await["body"], "From node one");
    // The customer's node goes away for them: they come back on the other, after 4.
    drop(customer);
    let customer_there =
        Browser { client: desk.customer.client.clone(), jar: desk.customer.jar.clone(), base: second.base.clone() };
    let mut customer = connect(&customer_there, &format!("/portal/default/chats/{id}/socket?after=4")).await.unwrap();
    send(&mut agent, json!({"type": "send", "client_id": "n2-2", "body": "Still here"})).await;
    assert_eq!(until(&mut customer, "message", |_| true).await["seq"], 5);
    assert_eq!(stored(&app, id).await.len(), 5);
}

#[tokio::test]
async fn chat_an_agent_transferred_away_reads_no_further() {
    let app = common::spawn().await;
    let desk = desk(&app).await;
    let id = active_chat(&desk, "Hello").await;
    let mut agent = connect(&desk.agent, &format!("/manage/chats/{id}/socket")).await.unwrap();
    until(&mut agent, "message", |m| m["seq"] == 1).await;
    let (bob, bob_browser) =
        app.signed_in_agent("default", "bob@desk.test", &[desk.department], &["answer_chats"]).await;
    available(&bob_browser).await;
    let moved = desk.agent.post(&format!("/manage/chats/{id}/transfer-agent"), &[("agent", &bob.to_string())]).await;
    moved.assert_redirect_to("/manage/chats?done=transferred");
    let mut customer = connect(&desk.customer, &format!("/portal/default/chats/{id}/socket")).await.unwrap();
    send(&mut customer, json!({"type": "send", "client_id": "after-transfer", "body": "For Bob only"})).await;
    until(&mut customer, "ack", |_| true).await;
    // The transfer's event goes out with its commit, before the customer's message.
    let mut frames = Vec::new();
    while let Some(frame) = next_within(&mut agent, 3).await {
        frames.push(frame);
    }
    assert!(frames.iter().all(|f| f["body"] != "For Bob only"), "{frames:?}");
    assert!(frames.iter().any(|f| f["type"] == "error"), "{frames:?}");
    assert_eq!(connect(&desk.agent, &format!("/manage/chats/{id}/socket")).await.err(), Some(404));
    let page = desk.agent.get(&format!("/manage/chats/{id}/socket")).await;
    assert_eq!(page.headers.get(REFUSED).and_then(|v| v.to_str().ok()), Some("not-yours"), "for good");
}

#[tokio::test]
async fn chat_agents_send_files_and_supervisors_cannot() {
    let app = common::spawn().await;
    let desk = desk(&app).await;
    let id = active_chat(&desk, "Send me the form").await;
    let mut customer = connect(&desk.customer, &format!("/portal/default/chats/{id}/socket")).await.unwrap();
    let upload = |browser: &Browser, csrf: Option<String>| {
        let mut request = browser
            .client
            .post(format!("{}/manage/chats/{id}/files?client_id=form-1&name=form.pdf", browser.base))
            .body("%PDF-1.4 a form");
        if let Some(csrf) = csrf {
            request = request.header("x-csrf-token", csrf);
        }
        async move { request.send().await.unwrap().status() }
    };
    assert_eq!(upload(&desk.agent, None).await, StatusCode::FORBIDDEN);
    assert_eq!(upload(&app.browser(), Some("x".into())).await, StatusCode::UNAUTHORIZED);
    let (_, sue) = app.signed_in_agent("default", "sue@desk.test", &[desk.department], &["supervise_chats"]).await;
    assert_eq!(upload(&sue, sue.cookie("fd_csrf")).await, StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM attachments").await, 0);
    assert_eq!(upload(&desk.agent, desk.agent.cookie("fd_csrf")).await, StatusCode::OK);
    let message = until(&mut customer, "message", |m| m["seq"] == 3).await;
    assert_eq!((message["author"].as_str(), message["file"]["name"].as_str()), (Some("agent"), Some("form.pdf")));
    let url = message["file"]["url"].as_str().unwrap();
    assert!(url.starts_with(&format!("/portal/default/chats/{id}/files/")), "{url}");
    let (status, headers, body) = desk.customer.get_bytes(url).await;
    assert_eq!((status, body.as_slice()), (StatusCode::OK, b"%PDF-1.4 a form".as_slice()));
    assert_eq!(headers["content-type"], "application/pdf");
    let (status, _, _) = sue.get_bytes(&url.replace("/portal/default/chats", "/manage/chats")).await;
    assert_eq!(status, StatusCode::OK, "a supervisor reads along, files too");
}

/// An ordinary message is stored, numbered and told at once (one statement; on PostgreSQL the
/// notification in it); anything else (a resend, a flood, an ended chat) is left to the
/// transaction, which answers exactly.
#[tokio::test]
async fn chat_ordinary_messages_are_stored_in_one_statement() {
    use frontdesk::chat::store::{Author, append_at_once, append_on};
    use frontdesk::events::{Event, Topic};
    let app = common::spawn().await;
    let desk = desk(&app).await;
    let id = active_chat(&desk, "Hello").await;
    let portal = app.id_of("SELECT id FROM portals WHERE slug = $1", "default").await;
    let mut heard = app.state.events.subscribe_to(Topic::Chat { portal_id: portal, chat_id: id });
    let message =
        append_at_once(&app.state.chat_writer, portal, id, Author::Agent(desk.agent_id).into(), "one-1", "In one go")
            .await
            .unwrap();
    let message = message.expect("stored at once");
    assert_eq!((message.seq, message.staff_name.as_deref()), (3, Some("ana")), "after the first message and the join");
    let event = next_message(&mut heard, Duration::from_secs(5)).await;
    assert_eq!(event, Some(Event::ChatMessage { portal_id: portal, chat_id: id, seq: 3 }), "told");
    let rows = stored(&app, id).await;
    assert_eq!(rows.last().unwrap(), &(3, "agent".to_string(), "In one go".to_string()));
    assert_eq!(app.count_with("SELECT last_seq AS n FROM chats WHERE id = $1", id).await, 3, "the counter moved");
    // A resend, another portal's id, a chat that ended: nothing stored here, nothing told.
    let again =
        append_at_once(&app.state.chat_writer, portal, id, Author::Agent(desk.agent_id).into(), "one-1", "In one go")
            .await;
    assert!(again.unwrap().is_none());
    assert!(
        append_at_once(&app.state.chat_writer, portal + 1, id, Author::Customer.into(), "c-9", "x")
            .await
            .unwrap()
            .is_none()
    );
    // The transaction's path and this one number after each other, whichever comes first.
    let mut tx = app.db.writer().begin().await.unwrap();
    let line = append_on(&mut tx, portal, id, Author::System.into(), None, r#"{"key":"chat-line-joined"}"#, None).await;
    assert_eq!(line.unwrap().message.seq, 4);
    tx.commit().await.unwrap();
    let next =
        append_at_once(&app.state.chat_writer, portal, id, Author::Customer.into(), "c-11", "After").await.unwrap();
    assert_eq!(next.map(|m| (m.seq, m.staff_name)), Some((5, None)));
    sqlx::query("UPDATE chats SET state = 'ended' WHERE id = $1").bind(id).execute(app.db.writer()).await.unwrap();
    assert!(
        append_at_once(&app.state.chat_writer, portal, id, Author::Customer.into(), "c-10", "late")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(stored(&app, id).await.len(), 5);
    assert_eq!(app.count_with("SELECT last_seq AS n FROM chats WHERE id = $1", id).await, 5, "no number taken");
    let told = next_message(&mut heard, Duration::from_secs(5)).await;
    assert_eq!(told, Some(Event::ChatMessage { portal_id: portal, chat_id: id, seq: 5 }), "the fifth told");
    assert_eq!(next_message(&mut heard, Duration::from_millis(300)).await, None, "nothing more told");
}

/// Messages sent at the same moment, to one chat from both sides and to another chat, are each
/// stored once, numbered one after the other per chat (SQLite stores those waiting with one
/// statement, never two of one chat in it; PostgreSQL takes each chat's row lock).
#[tokio::test]
async fn chat_messages_sent_at_the_same_moment_are_each_stored_once_in_order() {
    use frontdesk::chat::store::{Author, append_at_once};
    let app = common::spawn().await;
    let desk = desk(&app).await;
    let first = active_chat(&desk, "Hello").await;
    sqlx::query(
        "INSERT INTO chats (portal_id, department_id, customer_id, requester_name, requester_email, language, \
         origin, state, agent_id, queued_at, created_at, accepted_at) SELECT portal_id, department_id, customer_id, \
         requester_name, requester_email, language, origin, state, agent_id, queued_at, created_at, accepted_at \
         FROM chats WHERE id = $1",
    )
    .bind(first)
    .execute(app.db.writer())
    .await
    .unwrap();
    let second = app.count("SELECT MAX(id) AS n FROM chats").await;
    let portal = app.id_of("SELECT id FROM portals WHERE slug = $1", "default").await;
    let writer = &app.state.chat_writer;
    let mut sends = Vec::new();
    for k in 0..6 {
        let author = if k % 2 == 0 { Author::Customer } else { Author::Agent(desk.agent_id) };
        sends.push((first, author, format!("first-{k}")));
        sends.push((second, Author::Customer, format!("second-{k}")));
    }
    // The same message twice, at once: stored once.
    sends.push((first, Author::Customer, "twice".to_string()));
    sends.push((first, Author::Customer, "twice".to_string()));
    let answers = futures_util::future::join_all(sends.iter().map(|(chat, author, client_id)| {
        append_at_once(writer, portal, *chat, (*author).into(), client_id, client_id)
    }))
    .await;
    let answers: Vec<_> = answers.into_iter().map(|a| a.unwrap().map(|m| m.seq)).collect();
    assert!(answers[..12].iter().all(Option::is_some), "every ordinary message stored at once: {answers:?}");
    assert_eq!(answers[12..].iter().filter(|a| a.is_some()).count(), 1, "the resend stored once: {answers:?}");
    for (chat, expected_last) in [(first, 2 + 6 + 1), (second, 6)] {
        let seqs: Vec<i64> = stored(&app, chat).await.iter().map(|(seq, _, _)| *seq).collect();
        assert_eq!(seqs, (1..=expected_last).collect::<Vec<i64>>(), "chat {chat}: numbered without gaps");
        assert_eq!(app.count_with("SELECT last_seq AS n FROM chats WHERE id = $1", chat).await, expected_last);
    }
    let twice =
        app.count_with("SELECT COUNT(*) AS n FROM chat_messages WHERE client_id = 'twice' AND chat_id = $1", first);
    assert_eq!(twice.await, 1);
}

/// A sender that stops waiting (its socket aborted, its request dropped) after handing over a
/// message: whatever was stored is told, never left for the next check of the chat.
#[tokio::test]
async fn a_message_whose_sender_stops_waiting_is_told_if_it_was_stored() {
    use frontdesk::chat::store::{Author, append_at_once};
    use frontdesk::events::{Event, Topic};
    let app = common::spawn().await;
    let desk = desk(&app).await;
    let id = active_chat(&desk, "Hello").await;
    let portal = app.id_of("SELECT id FROM portals WHERE slug = $1", "default").await;
    let mut heard = app.state.events.subscribe_to(Topic::Chat { portal_id: portal, chat_id: id });
    let send = append_at_once(&app.state.chat_writer, portal, id, Author::Customer.into(), "gone-1", "Anyone?");
    // Polled once (on SQLite: handed over), then dropped. On PostgreSQL the one poll may also
    // find the statement's answer already there, on a loaded machine.
    let early = futures_util::FutureExt::now_or_never(Box::pin(send));
    let on_sqlite = app.database_url.as_str().starts_with("sqlite");
    assert!(!on_sqlite || early.is_none(), "the answer was not ready at once: {early:?}");
    let told = next_message(&mut heard, Duration::from_secs(3)).await;
    let rows = stored(&app, id).await;
    match told {
        Some(Event::ChatMessage { seq, .. }) => {
            assert_eq!(rows.last().map(|r| (r.0, r.2.as_str())), Some((seq, "Anyone?")))
        }
        _ => assert!(!rows.iter().any(|r| r.2 == "Anyone?"), "stored but never told: {rows:?}"),
    }
    // On SQLite the message was handed to the storing task before the sender left.
    if on_sqlite {
        assert!(told.is_some(), "stored and told");
    }
}

/// The next message event of a chat's topic within `wait`. Other events are skipped: the
/// accept's own notification may reach this node after the test subscribed.
async fn next_message(
    heard: &mut frontdesk::events::TopicReceiver,
    wait: Duration,
) -> Option<frontdesk::events::Event> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, heard.recv()).await {
            Ok(Some(event @ frontdesk::events::Event::ChatMessage { .. })) => return Some(event),
            Ok(Some(_)) => continue,
            Ok(None) | Err(_) => return None,
        }
    }
}

/// A client that stops reading (a frozen tab, a laptop shut without the socket closing) does not
/// hold its socket: once a send has waited `SEND_WITHIN` for it, the server lets the socket go.
/// The chat's history is more than TCP keeps in its buffers on loopback, so the server's sends
/// wait; the client reads nothing for a while, then finds the socket ended before the history
/// did. Before, the sends waited for as long as the connection lived.
#[tokio::test]
async fn chat_a_client_that_stops_reading_is_let_go() {
    let app = common::spawn().await;
    let desk = desk(&app).await;
    let id = active_chat(&desk, "Hello").await;
    let (first, count) = (3_i64, 3_000_i64);
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT $3 UNION ALL SELECT i + 1 FROM n WHERE i < $4) \
         INSERT INTO chat_messages (portal_id, chat_id, seq, author, body, created_at) \
         SELECT c.portal_id, c.id, n.i, 'agent', $2, 0 FROM n CROSS JOIN chats c WHERE c.id = $1",
    )
    .bind(id)
    .bind("x".repeat(frontdesk::chat::store::BODY_MAX_CHARS))
    .bind(first)
    .bind(first + count - 1)
    .execute(app.db.writer())
    .await
    .unwrap();
    sqlx::query("UPDATE chats SET last_seq = $2 WHERE id = $1")
        .bind(id)
        .bind(first + count - 1)
        .execute(app.db.writer())
        .await
        .unwrap();

    // A socket with a small receive buffer, not read.
    let url = format!("{}/portal/default/chats/{id}/socket", desk.customer.base.replace("http://", "ws://"));
    let mut request = url.as_str().into_client_request().unwrap();
    let base: reqwest::Url = desk.customer.base.parse().unwrap();
    request
        .headers_mut()
        .insert("cookie", desk.customer.jar.cookies(&base).unwrap().to_str().unwrap().parse().unwrap());
    let tcp = tokio::net::TcpSocket::new_v4().unwrap();
    tcp.set_recv_buffer_size(4096).unwrap();
    let stream =
        tcp.connect(format!("{}:{}", base.host_str().unwrap(), base.port().unwrap()).parse().unwrap()).await.unwrap();
    let (mut socket, _) = tokio_tungstenite::client_async(request, stream).await.unwrap();
    // Twice the limit: however late the server's first send starts to wait, it has given up.
    tokio::time::sleep(frontdesk::web::sockets::SEND_WITHIN * 2).await;

    // Reading now: what the buffers held, then the end.
    let mut messages = 0;
    let ended = loop {
        match tokio::time::timeout(Duration::from_secs(5), socket.next()).await {
            Err(_) => break false,
            Ok(Some(Ok(Message::Text(text)))) => {
                messages += i64::from(serde_json::from_str::<Value>(&text).unwrap()["type"] == "message");
            }
            Ok(Some(Ok(Message::Close(_))) | None | Some(Err(_))) => break true,
            Ok(Some(Ok(_))) => {}
        }
    };
    assert!(ended, "the socket still open after {messages} messages");
    assert!(messages < count, "the socket ended before the history did: {messages} messages of {}", count + 2);
}
